"""The one shape every source parser produces, before the prompt format is applied.

Parsers stay format-agnostic: they say which task an example is for, its fields, the learner
context and the target text. `build_dataset` renders them all through `prompts`, so training
data cannot drift from what the tutor sends at inference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from prompts import LearnerContext


@dataclass(frozen=True)
class SourceExample:
    """One example from a source file, not yet rendered.

    `split_key` decides the train/validation side: examples with the same key (the same
    problem or dialogue) always land on the same side.
    """

    task: str
    split_key: str
    fields: Mapping[str, object]
    context: LearnerContext
    target: str
    source: str


@dataclass(frozen=True)
class Source:
    """A data set we read: its name, files (relative to the data root) and licence."""

    name: str
    files: tuple[str, ...]
    licence: str
    commercial_use: bool  # False: comparison runs only, never the default of a shipped recipe

    def paths(self, data_root: Path) -> tuple[Path, ...]:
        """The absolute file paths; a missing file is a FileNotFoundError that names it."""
        paths = tuple(data_root / rel for rel in self.files)
        for path in paths:
            if not path.is_file():
                raise FileNotFoundError(
                    f"{self.name}: data file {path} not found (data root {data_root}); "
                    "pass the folder holding the shared data with --data-root"
                )
        return paths


@dataclass(frozen=True)
class Skipped:
    """How many candidate examples a parser left out, and why (for the build report)."""

    reason: str
    count: int
