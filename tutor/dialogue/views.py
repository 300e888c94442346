"""What the tutor hands to its callers (the UI, the terminal chat): frozen, plain values.

They sit apart from `tutor.tutor` so a caller can import the types without the wiring, and so
the dialogue modules can build them without importing the `Tutor` class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class MessageRejected(ValueError):
    """A student's message the tutor will not take (empty, too long, invalid characters).

    `str(error)` is written for the student; nothing was stored when this is raised.
    """


class SkillMastery(NamedTuple):
    """One row of a student's mastery table (a tuple, so callers may unpack it)."""

    skill_key: str
    skill_name: str
    p_known: float
    mastered: bool


class HistoryItem(NamedTuple):
    """One stored chat message as the student sees it again."""

    role: str  # "student" | "tutor"
    text: str
    status: str  # "ok" | "fallback" | "failed"


@dataclass(frozen=True)
class ProgressView:
    """Everything the progress panel shows, read in one go."""

    mastery: tuple[SkillMastery, ...]
    current_skill: str | None  # skill key of the exercise being worked on
    current_reason: str | None  # why the policy chose it, in words a teacher can read
    current_statement: str | None  # the template wording of the current exercise
    due_reviews: tuple[str, ...]  # skill keys whose review card is due
    solution_allowed: bool  # True after two wrong attempts on the current exercise
    model_available: bool  # False: explanations come from templates


@dataclass(frozen=True)
class SessionSummary:
    """What a teacher reads about one chat session; stored with the session when it ends."""

    session_id: int
    student_id: int
    skills_practised: tuple[str, ...]
    attempts: int
    correct: int
    accuracy: float | None  # None when there was no attempt
    misconceptions: tuple[str, ...]
    hints_used: int
    minutes: float
    text: str  # the summary in words (model or template)

    def as_dict(self) -> dict[str, object]:
        """JSON-safe form, as stored in the chat session row."""
        return {
            "skills_practised": list(self.skills_practised),
            "attempts": self.attempts,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "misconceptions": list(self.misconceptions),
            "hints_used": self.hints_used,
            "minutes": self.minutes,
            "text": self.text,
        }
