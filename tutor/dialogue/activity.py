"""Choosing what the student does next: the learner model's policy over the pack's skills."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tutor.learner import policy


def next_activity(
    pack: Any,
    *,
    p_known: Mapping[str, float],
    due_reviews: Sequence[str],
    assigned: Sequence[tuple[str, datetime | None]],
    now: datetime,
) -> Any:
    """The policy's `Activity(skill_key, kind, reason)`; unknown skills are at their prior.
    `assigned`: (skill key, due date or None) in the teacher's order."""
    skills = list(pack.skills.values())
    known = {s.key: p_known.get(s.key, s.bkt.p_init) for s in skills}
    due = [key for key in due_reviews if key in pack.skills]
    wanted = [policy.Assignment(key, due) for key, due in assigned if key in pack.skills]
    return policy.next_activity(
        skills=skills, p_known=known, due_reviews=due, assigned=wanted, now=now
    )
