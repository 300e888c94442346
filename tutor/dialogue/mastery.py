"""The learner-model side of an answer: the BKT update and the FSRS review card.

Pure: takes the state before, returns the state after; the tutor writes both in the turn's
transaction together with the attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tutor.learner import bkt, review
from tutor.learner.params import BktParams


@dataclass(frozen=True)
class StateChange:
    p_before: float
    p_after: float
    card: dict[str, Any] | None  # the review card to store (None: leave cards alone)
    due_at: datetime | None

    @property
    def newly_mastered(self) -> bool:
        return not bkt.is_mastered(self.p_before) and bkt.is_mastered(self.p_after)


def after_answer(
    *,
    p_before: float,
    correct: bool,
    params: BktParams,
    card: dict[str, Any] | None,
    now: datetime,
) -> StateChange:
    """BKT moves P(known); a due review card is rated by the answer; a skill just mastered
    gets its first card (spaced review starts at mastery, as the design says)."""
    p_after = bkt.update(p_before, correct, params)
    if card is not None:
        new_card, due = review.review(card, correct=correct, now=now)
        return StateChange(p_before, p_after, new_card, due)
    if bkt.is_mastered(p_after) and not bkt.is_mastered(p_before):
        new_card = review.new_review_card(now)  # its first recall is this very answer
        return StateChange(p_before, p_after, new_card, review.due_at(new_card))
    return StateChange(p_before, p_after, None, None)
