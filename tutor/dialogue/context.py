"""The learner context a prompt is tailored with, built from what the store read.

Only the authenticated student's own rows reach here (the store query took their id), so
nothing of another student can enter a prompt. Mastery lines are the current skill and its
prerequisites: what an explanation should lean on or shore up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from prompts import LearnerContext, Turn
from prompts.context import STYLES

if TYPE_CHECKING:
    from students_db.records import AttemptRecord, MessageRecord
    from tutor.curriculum.model import Exercise
    from tutor.curriculum.pack import Pack

MAX_TURNS = 6
MAX_MISTAKES = 3


def preferred_style(preferences: Mapping[str, Any]) -> str:
    style = preferences.get("style")
    return style if isinstance(style, str) and style in STYLES else "step-by-step"


def grade_level(value: int | None) -> int | None:
    return value if isinstance(value, int) and 0 <= value <= 20 else None


def mastery_lines(
    pack: Pack, skill_key: str | None, p_known: Mapping[str, float]
) -> tuple[tuple[str, float], ...]:
    """(skill name, P(known)) for the current skill, then its prerequisites."""
    if skill_key is None or skill_key not in pack.skills:
        return ()
    skill = pack.skills[skill_key]
    keys = (skill_key, *skill.prerequisites)
    lines = []
    for key in keys:
        if key in pack.skills:
            known = p_known.get(key, pack.skills[key].bkt.p_init)
            lines.append((pack.skills[key].name, round(min(max(known, 0.0), 1.0), 2)))
    return tuple(lines)


def recent_turns(messages: Sequence[MessageRecord], *, limit: int = MAX_TURNS) -> tuple[Turn, ...]:
    """The last few shown messages, oldest first; failed and unfinished replies are left out."""
    turns = [
        Turn(role=m.role, text=m.text)
        for m in messages
        if m.status in ("ok", "fallback") and m.text.strip() and m.role in ("student", "tutor")
    ]
    return tuple(turns[-limit:])


def build_context(
    *,
    grade: int | None,
    preferences: Mapping[str, Any],
    mastery: tuple[tuple[str, float], ...],
    mistakes: Sequence[str] = (),
    misconceptions: Sequence[str] = (),
    messages: Sequence[MessageRecord] = (),
) -> LearnerContext:
    return LearnerContext(
        grade_level=grade_level(grade),
        style=preferred_style(preferences),
        mastery=mastery,
        recent_mistakes=tuple(mistakes)[:MAX_MISTAKES],
        misconceptions=tuple(dict.fromkeys(misconceptions))[:MAX_MISTAKES],
        recent_turns=recent_turns(messages),
    )


def misconception_text(exercise: Exercise, misconception_id: str | None) -> str | None:
    """The student-facing description of a misconception id on this exercise."""
    if not misconception_id:
        return None
    for rule in exercise.misconceptions:
        if rule.id == misconception_id:
            return rule.description
    return None


def misconception_of(pack: Pack, attempt: AttemptRecord) -> str | None:
    """The description of an earlier attempt's misconception (its exercise is rebuilt by seed)."""
    if not attempt.misconception_id:
        return None
    try:
        exercise = pack.exercise_by_id(attempt.exercise_id, attempt.seed)
    except (KeyError, ValueError, LookupError):
        return None
    return misconception_text(exercise, attempt.misconception_id)
