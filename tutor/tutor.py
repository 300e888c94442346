"""The tutor: one object that joins the store, the curriculum, the learner model and a text
generator into a student's turn.

Every method takes the VERIFIED `student_id` first: identity comes from the caller's
authenticated session (the UI's `request.username`, the terminal's login), never from message
text. Streaming methods return an iterator of text pieces (deltas); the caller shows their
concatenation. The work that must not be lost (the student's message, the attempt, the BKT and
FSRS change) is committed in one write transaction when the method is CALLED, before the first
piece is produced, so a `MessageRejected` or `StoreBusy` surfaces at the call. The reply row is
created then and finished when the iterator ends (or marked failed when it is abandoned or the
model fails midway). No database transaction is held open while the model generates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from random import Random

from tutor.dialogue.views import (
    HistoryItem,
    MessageRejected,
    ProgressView,
    SessionSummary,
    SkillMastery,
)
from tutor.generation import TextGenerator

__all__ = [
    "HistoryItem",
    "MessageRejected",
    "ProgressView",
    "SessionSummary",
    "SkillMastery",
    "Tutor",
]

SOLUTION_AFTER_WRONG = 2  # wrong attempts before the full solution may be shown
STYLES = ("step-by-step", "short", "example")


def utc_now() -> datetime:
    return datetime.now(UTC)


class Tutor:
    """A student's tutor. Thread-safe as long as the session factory and generator are: it
    keeps no per-student state in memory (everything is read from and written to the store)."""

    def __init__(
        self,
        *,
        sessions: Callable[[], object],
        pack: object,
        generator: TextGenerator,
        max_message_chars: int = 2000,
        clock: Callable[[], datetime] = utc_now,
        seed: int | None = None,
    ) -> None:
        """`sessions`: a session factory from `students_db.make_session_factory`; `pack`: the
        curriculum `Pack`; `seed`: makes exercise seeds reproducible (tests, demos)."""
        self._sessions = sessions
        self._pack = pack
        self._generator = generator
        self._max_chars = max_message_chars
        self._clock = clock
        self._rng = Random(seed)

    # -- streaming turns ----------------------------------------------------------------

    def respond(
        self, student_id: int, message: str, *, submission_id: str | None = None
    ) -> Iterator[str]:
        """A typed message: an answer, a request, a question or small talk.

        Raises `MessageRejected` (nothing stored) for an empty, too long or invalid message.
        `submission_id` makes a resubmitted answer idempotent: one attempt, the same verdict.
        """
        raise NotImplementedError

    def new_exercise(self, student_id: int) -> Iterator[str]:
        """The next activity the policy picks (due review, assigned, least mastered, new)."""
        raise NotImplementedError

    def hint(self, student_id: int) -> Iterator[str]:
        """The next rung of the hint ladder: a nudge, a pointed hint, a worked similar example."""
        raise NotImplementedError

    def explain_again(self, student_id: int) -> Iterator[str]:
        """An explanation of the current skill, with a similar example (never this answer)."""
        raise NotImplementedError

    def show_solution(self, student_id: int) -> Iterator[str]:
        """The full worked solution: refused with a clear text before two wrong attempts;
        recorded when shown."""
        raise NotImplementedError

    # -- non-streaming ------------------------------------------------------------------

    def progress(self, student_id: int) -> ProgressView:
        raise NotImplementedError

    def history(self, student_id: int, limit: int = 50) -> list[HistoryItem]:
        """The student's own most recent messages, oldest first."""
        raise NotImplementedError

    def set_style(self, student_id: int, style: str) -> None:
        """ "step-by-step" | "short" | "example"; anything else raises ValueError."""
        raise NotImplementedError

    def end_session(self, student_id: int) -> SessionSummary | None:
        """Close the student's open chat session and store its summary (None: none open)."""
        raise NotImplementedError
