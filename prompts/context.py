"""What the tutor knows about the learner, as plain frozen data for the prompt builder.

The store and the learner model fill this in; `prompts` only reads it. Turns are raw text
here: the builder cleans and delimits student text itself, so callers cannot forget to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ROLES = ("student", "tutor")
STYLES = ("step-by-step", "short", "example")


def message_text(content: object) -> str:
    """The text of a chat message's content: a str, or Gradio 6's list of content blocks.

    Gradio 6 hands a Blocks handler `[{"type": "text", "text": ...}, ...]` but a
    ChatInterface history plain strings (notes/tech.md); both become one str here. Non-text
    blocks (files, images) are left out: the model reads text only.
    """
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        content = [content]
    if isinstance(content, list | tuple):
        parts = [
            block["text"] if isinstance(block, dict) else block
            for block in content
            if isinstance(block, str)
            or (isinstance(block, dict) and isinstance(block.get("text"), str))
        ]
        return "\n".join(parts)
    raise TypeError(
        f"message content must be a str or a list of blocks, got {type(content).__name__}"
    )


@dataclass(frozen=True)
class Turn:
    """One message of the recent conversation, oldest first in `LearnerContext.recent_turns`."""

    role: str  # "student" | "tutor"
    text: str

    @classmethod
    def of(cls, role: str, content: object) -> Turn:
        """A turn from a chat message's content, str or Gradio 6 content blocks."""
        return cls(role, message_text(content))

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"turn role must be one of {ROLES}, got {self.role!r}")
        if not isinstance(self.text, str):
            raise TypeError(f"turn text must be a str, got {type(self.text).__name__}")


@dataclass(frozen=True)
class LearnerContext:
    """The learner-specific part of a prompt; everything in it may be dropped to fit a budget.

    `mastery` holds (skill name, P(known)) pairs for the skills relevant to the task, most
    relevant first; `recent_turns` is oldest first (the builder drops from the front).
    """

    grade_level: int | None = None
    style: str = "step-by-step"  # "step-by-step" | "short" | "example"
    mastery: tuple[tuple[str, float], ...] = ()
    recent_mistakes: tuple[str, ...] = ()
    misconceptions: tuple[str, ...] = ()
    recent_turns: tuple[Turn, ...] = ()

    def __post_init__(self) -> None:
        if self.grade_level is not None and not (
            isinstance(self.grade_level, int) and 0 <= self.grade_level <= 20
        ):
            raise ValueError(
                f"grade_level must be an int in 0..20 or None, got {self.grade_level!r}"
            )
        if self.style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}, got {self.style!r}")
        for skill, p in self.mastery:
            if not isinstance(skill, str) or not skill.strip():
                raise ValueError(f"mastery skill names must be non-empty strings, got {skill!r}")
            if not isinstance(p, int | float) or math.isnan(p) or not 0.0 <= p <= 1.0:
                raise ValueError(f"P(known) for {skill!r} must be in [0, 1], got {p!r}")
        for name in ("recent_mistakes", "misconceptions"):
            values = getattr(self, name)
            if isinstance(values, str) or not all(isinstance(v, str) for v in values):
                raise TypeError(f"{name} must be a tuple of strings")
        if not all(isinstance(t, Turn) for t in self.recent_turns):
            raise TypeError("recent_turns must be a tuple of Turn")
