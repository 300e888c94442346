"""Progress in words a child reads: right answers still needed, never a probability.

The count is the larger of what the two halves of mastery need (`tutor.dialogue.mastery`):
right answers for P(known) to reach the threshold under the live BKT update, and unassisted
right answers for the count rule. The panel shows the same skill's percentage; the chat never
shows a probability, so the two never disagree.
"""

from __future__ import annotations

from tutor.learner import bkt
from tutor.learner.params import MIN_UNASSISTED_CORRECT, BktParams

MAX_TO_MASTER = 9  # the count a child reads is capped: "9 or more" is the same advice


def answers_to_master(
    p_known: float, params: BktParams, unassisted_right: int, *, limit: int = MAX_TO_MASTER
) -> int:
    """Right answers still needed for mastery: enough for P(known) to reach the threshold
    under the live update, and at least `MIN_UNASSISTED_CORRECT` unassisted ones in all."""
    needed, p = 0, p_known
    while not bkt.is_mastered(p) and needed < limit:
        p = bkt.update(p, True, params)
        needed += 1
    return min(max(needed, MIN_UNASSISTED_CORRECT - unassisted_right, 0), limit)


def progress_words(skill_name: str, to_go: int, mastered: bool) -> str:
    """Mastery as a child reads it: a count of right answers, never a probability."""
    if mastered:
        return f"You have mastered {skill_name}!"
    if to_go >= MAX_TO_MASTER:
        return f"Keep practising {skill_name}: every right answer counts."
    answers = "answer" if to_go == 1 else "answers"
    return f"{to_go} more right {answers} to master {skill_name}."
