"""Is this a real attempt? The solution gate and gaming detection.

The worked solution reveals the answer, so it is shown only after a *genuine* attempt (and a
hint): two junk answers ("0", "99999", the question's own number typed back, the same wrong
answer again) must not unlock it. Rapid guessing (wrong answers seconds apart, again and
again) is how ASSISTments and the Cognitive Tutor logs spot students gaming the system; the
tutor answers it by asking for a sub-step instead of giving more away.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from students_db.records import AttemptRecord
from tutor.curriculum import Exercise, check_answer, read_answer
from tutor.curriculum.answers import AnswerFormatError
from tutor.curriculum.checker import key_value

RAPID = timedelta(seconds=3)  # a wrong answer this soon after the previous one is a guess
RAPID_RUN = 2  # this many rapid wrong answers in a row on one exercise: flagged
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def is_genuine_attempt(
    answer: str, exercise: Exercise, *, earlier_answers: Sequence[str] = ()
) -> bool:
    """True when `answer` is a real try at `exercise`: readable as an answer, not the
    calculation typed back, not one of the statement's own numbers, not a repeat of an earlier
    answer to this exercise, and of a sensible size. A catalogued misconception's answer is
    always genuine (it is a real method, wrongly applied)."""
    result = check_answer(exercise, answer)
    if result.status == "malformed":
        return False
    if result.correct or result.misconception is not None:
        return True
    value = _value(answer)
    if value is None:  # a ratio or an equation form: judged by repetition only
        return not _repeats(answer, earlier_answers)
    if _repeats(answer, earlier_answers):
        return False
    key = key_value(exercise.answer.value, exercise.answer)
    given = _statement_numbers(exercise.statement)
    if value in given and key not in given:  # typed back; but "which is larger, a or b?"
        return False
    if isinstance(key, Fraction):
        scale = max(abs(key), Fraction(1))
        if abs(value) > 100 * scale + 100:
            return False
        if value in (0, 1) and abs(key) >= 2:  # the first thing typed, not a try
            return False
    return True


def is_rapid_guessing(
    attempts: Sequence[AttemptRecord], *, exercise_id: str, seed: int, started_at: datetime
) -> bool:
    """True when the newest attempts on this exercise end in `RAPID_RUN` wrong answers each
    given within `RAPID` of the one before (the first: of the exercise being shown).

    `attempts` newest first, as the turn state holds them."""
    mine = [a for a in attempts if a.exercise_id == exercise_id and a.seed == seed]
    times = [_aware(a.created_at) for a in reversed(mine)]  # oldest first
    outcomes = [a.correct for a in reversed(mine)]
    run = 0
    previous = _aware(started_at)
    for moment, correct in zip(times, outcomes, strict=True):
        run = run + 1 if (not correct and moment - previous < RAPID) else 0
        previous = moment
    return run >= RAPID_RUN


def _repeats(answer: str, earlier: Sequence[str]) -> bool:
    norm = _normal(answer)
    return any(_normal(e) == norm for e in earlier)


def _normal(text: str) -> str:
    value = _value(text)
    return str(value) if value is not None else " ".join(text.lower().split())


def _value(text: str) -> Fraction | None:
    try:
        parsed = read_answer(text)
    except AnswerFormatError:
        return None
    return parsed.value if parsed.kind == "number" else None


def _statement_numbers(statement: str) -> set[Fraction]:
    return {Fraction(n) for n in _NUMBER.findall(statement.replace(",", ""))}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
