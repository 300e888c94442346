"""`build_dataset`: the training and validation examples of one task, with their provenance.

Sources per task (see each parser's docstring for the mapping):
- explain, exercise: GSM8K training split (MIT);
- hint: MathDial (CC BY-SA 4.0), CIMA (CC BY 2.5, not maths, one example per context);
- feedback: MathDial;
- hint, feedback with `include_noncommercial=True`: also Bridge (CC BY-NC 4.0).
`answer` and `summary` have no public training data here; asking for them is an error.

The data hash is a sha256 over the builder version, the task, its prompt-format version and
every source file's bytes (in a fixed order), so an adapter's manifest says exactly which data
and which format it was trained on. The split is by a stable key per problem or dialogue
(`split.is_validation`), so it does not depend on file order, `limit` or other sources.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from adapters.data import bridge, cima, gsm8k, mathdial
from adapters.data.records import Skipped, Source, SourceExample
from adapters.data.split import is_validation
from prompts import (
    FORMAT_VERSIONS,
    PromptError,
    TokenCounter,
    TrainingExample,
    get_format,
    training_example,
)

BUILDER_VERSION = 1  # bump when a parser or mapping changes what examples a file yields

Parser = Callable[[str, Path, bytes], Iterator[SourceExample | str]]
_PARSERS: MappingProxyType[str, Parser] = MappingProxyType(
    {
        "gsm8k": gsm8k.iter_examples,
        "mathdial": mathdial.iter_examples,
        "cima": cima.iter_examples,
        "bridge": bridge.iter_examples,
    }
)
SOURCES = MappingProxyType(
    {s.name: s for s in (gsm8k.SOURCE, mathdial.SOURCE, cima.SOURCE, bridge.SOURCE)}
)
TASK_SOURCES = MappingProxyType(
    {
        "explain": ("gsm8k",),
        "exercise": ("gsm8k",),
        "hint": ("mathdial", "cima", "bridge"),
        "feedback": ("mathdial", "bridge"),
    }
)


@dataclass(frozen=True)
class TaskDataset:
    """The rendered examples of one task, split, with the hash and licences of their data."""

    task: str
    train: tuple[TrainingExample, ...]
    validation: tuple[TrainingExample, ...]
    data_hash: str
    sources: tuple[str, ...]
    licences: tuple[str, ...]
    format_version: int = 0
    skipped: tuple[Skipped, ...] = ()

    def manifest(self) -> dict[str, object]:
        """What an adapter manifest records about its training data (JSON-ready)."""
        return {
            "task": self.task,
            "format_version": self.format_version,
            "data_hash": self.data_hash,
            "sources": list(self.sources),
            "licences": list(self.licences),
            "train_examples": len(self.train),
            "validation_examples": len(self.validation),
            "builder_version": BUILDER_VERSION,
        }


def default_data_root() -> Path | None:
    """The checkout's sibling `../shared/data` folder when it exists, else None."""
    candidate = Path(__file__).resolve().parents[3] / "shared" / "data"
    return candidate if candidate.is_dir() else None


def sources_for(task: str, *, include_noncommercial: bool = False) -> tuple[Source, ...]:
    """The sources of `task`'s data; non-commercial ones only when asked for."""
    get_format(task)  # an unknown task is a KeyError listing the known ones
    if task not in TASK_SOURCES:
        raise ValueError(
            f"no training data source for task {task!r}; data exists for: "
            + ", ".join(TASK_SOURCES)
        )
    chosen = (SOURCES[name] for name in TASK_SOURCES[task])
    return tuple(s for s in chosen if s.commercial_use or include_noncommercial)


def _read(sources: tuple[Source, ...], data_root: Path) -> list[tuple[Source, Path, bytes]]:
    if not data_root.is_dir():
        raise FileNotFoundError(f"data root {data_root} is not a folder")
    return [(s, p, p.read_bytes()) for s in sources for p in s.paths(data_root)]


def data_hash(task: str, files: list[tuple[Source, Path, bytes]]) -> str:
    """sha256 over the builder version, task, format version and the files' bytes."""
    digest = hashlib.sha256(f"builder={BUILDER_VERSION};task={task};".encode())
    digest.update(f"format={FORMAT_VERSIONS[task]};".encode())
    for source, path, data in files:
        digest.update(f"{source.name}/{path.name}:{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


def build_dataset(
    task: str,
    data_root: Path,
    *,
    validation_fraction: float = 0.1,
    seed: int = 0,
    limit: int | None = None,
    include_noncommercial: bool = False,
    count_tokens: TokenCounter | None = None,
    budget_tokens: int | None = None,
) -> TaskDataset:
    """Read `task`'s sources under `data_root`, render every example, split deterministically.

    `limit` keeps the first `limit` usable examples in source order (sources in the order of
    `TASK_SOURCES`), before splitting. A missing file raises FileNotFoundError naming it; a
    malformed record raises ValueError naming the file and line. With `count_tokens` and
    `budget_tokens` every prompt is fitted to the budget as at inference (oldest turns dropped
    first); an example whose own fields do not fit is skipped and counted in `skipped`.
    """
    if not 0.0 <= validation_fraction < 1.0:
        raise ValueError(f"validation_fraction must be in [0, 1), got {validation_fraction}")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    sources = sources_for(task, include_noncommercial=include_noncommercial)
    files = _read(sources, Path(data_root))
    train: list[TrainingExample] = []
    validation: list[TrainingExample] = []
    skipped: Counter[str] = Counter()
    for source, path, data in files:
        for item in _PARSERS[source.name](task, path, data):
            if limit is not None and len(train) + len(validation) >= limit:
                break
            if isinstance(item, str):
                skipped[item] += 1
                continue
            try:
                example = training_example(
                    item.task,
                    item.fields,
                    item.context,
                    item.target,
                    count_tokens=count_tokens,
                    budget_tokens=budget_tokens,
                )
            except PromptError as exc:  # e.g. a text that is empty once cleaned
                skipped[f"{source.name}: {type(exc).__name__}"] += 1
                continue
            side = is_validation(item.split_key, seed=seed, validation_fraction=validation_fraction)
            (validation if side else train).append(example)
    return TaskDataset(
        task=task,
        train=tuple(train),
        validation=tuple(validation),
        data_hash=data_hash(task, files),
        sources=tuple(s.name for s in sources),
        licences=tuple(f"{s.name}: {s.licence}" for s in sources),
        format_version=FORMAT_VERSIONS[task],
        skipped=tuple(Skipped(reason, n) for reason, n in sorted(skipped.items())),
    )
