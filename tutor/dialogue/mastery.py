"""The learner-model side of an answer: the BKT update, the count of unassisted right answers,
and the FSRS review card.

Honest mastery (the ASSISTments convention, and how mastery-learning tutors gate a skill):

- an answer given after a hint, a worked example or the solution counts as *incorrect* for the
  learner model, whatever the checker said: the student is told "right, with help", but BKT
  sees a failure, since the help, not the student, supplied the step;
- mastery needs P(known) >= 0.95 *and* at least `MIN_UNASSISTED_CORRECT` right answers given
  without help (`bkt.is_mastered`);
- the update is `bkt.update`, the very function `tutor learner evaluate` scores, with the
  skill's fitted parameters, forgetting included.

What the store keeps: `skill_states.correct_count` counts the answers *the learner model*
counted as correct, i.e. the unassisted right answers; the tutor passes
`StateChange.counted_correct` as `correct` to `practice.set_skill_state`, and reads the count
back as `unassisted_correct`. Each attempt row keeps `hints_used` and its checker verdict.

Pure: takes the state before, returns the state after; the tutor writes both in the turn's
transaction together with the attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tutor.learner import bkt, review
from tutor.learner.params import MIN_UNASSISTED_CORRECT, BktParams


def model_outcome(
    correct: bool, *, hints_used: int = 0, worked_example: bool = False, solution: bool = False
) -> bool:
    """What the learner model records for an answer: right only when right *and* unassisted
    (no hint of any level, no worked example, no solution shown for this exercise)."""
    return correct and not is_assisted(
        hints_used=hints_used, worked_example=worked_example, solution=solution
    )


def is_assisted(
    *, hints_used: int = 0, worked_example: bool = False, solution: bool = False
) -> bool:
    """Whether the student had help on the exercise before answering it."""
    return hints_used > 0 or worked_example or solution


@dataclass(frozen=True)
class StateChange:
    """The answer's effect. `counted_correct` is what BKT saw and what the store counts;
    `assisted` says the answer is shown as "right, with help". Counts are None when the
    caller did not give the count before (then mastery is judged by P(known) alone)."""

    p_before: float
    p_after: float
    card: dict[str, Any] | None  # the review card to store (None: leave cards alone)
    due_at: datetime | None
    counted_correct: bool = False
    assisted: bool = False
    unassisted_before: int | None = None

    @property
    def unassisted_after(self) -> int | None:
        if self.unassisted_before is None:
            return None
        return self.unassisted_before + (1 if self.counted_correct else 0)

    @property
    def mastered(self) -> bool:
        return bkt.is_mastered(self.p_after, self.unassisted_after)

    @property
    def newly_mastered(self) -> bool:
        return not bkt.is_mastered(self.p_before, self.unassisted_before) and self.mastered

    @property
    def right_answers_to_go(self) -> int:
        """Unassisted right answers still needed for the count half of mastery (0 when met
        or unknown); the words for children say this, never a probability."""
        if self.unassisted_after is None:
            return 0
        return max(0, MIN_UNASSISTED_CORRECT - self.unassisted_after)


def after_answer(
    *,
    p_before: float,
    correct: bool,
    params: BktParams,
    card: dict[str, Any] | None,
    now: datetime,
    assisted: bool = False,
    unassisted_before: int | None = None,
) -> StateChange:
    """BKT moves P(known) on the honest outcome (an assisted right answer is a failure for
    the model); a due review card is rated by it; a skill just mastered (probability and
    count) gets its first card (spaced review starts at mastery, as the design says).

    `correct`: the checker's verdict. `assisted`: a hint, worked example or solution came
    first (`is_assisted`). `unassisted_before`: the skill's unassisted right answers so far
    (the stored `correct_count`)."""
    counted = correct and not assisted
    p_after = bkt.update(p_before, counted, params)
    change = StateChange(p_before, p_after, None, None, counted, assisted, unassisted_before)
    if card is not None:
        new_card, due = review.review(card, correct=counted, now=now)
        return _with_card(change, new_card, due)
    if change.newly_mastered:
        new_card = review.new_review_card(now)  # its first recall is this very answer
        return _with_card(change, new_card, review.due_at(new_card))
    return change


def _with_card(change: StateChange, card: dict[str, Any], due: datetime) -> StateChange:
    return StateChange(
        change.p_before,
        change.p_after,
        card,
        due,
        change.counted_correct,
        change.assisted,
        change.unassisted_before,
    )
