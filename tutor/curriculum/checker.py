"""Decide whether a student's answer is right, and name the misconception when it is not.

The fast path compares exact rationals (most answers are numbers); only an answer that still
has an unknown in it (`x - x + 3`) is compared by exact evaluation at random points, with a
total-degree cap (symbolic.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import sympy

from tutor.curriculum import symbolic
from tutor.curriculum.answers import (
    AnswerFormatError,
    ParsedAnswer,
    read_answer,
    result_form_problem,
)
from tutor.curriculum.model import AnswerKey, Exercise, MisconceptionRule

Status = Literal["correct", "wrong", "malformed"]
Comparable = Fraction | tuple[Fraction, ...]


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer. `message` is student-facing; `parsed` is what we read."""

    status: Status
    misconception: MisconceptionRule | None
    message: str
    parsed: str | None

    @property
    def correct(self) -> bool:
        return self.status == "correct"


def check_answer(exercise: Exercise, text: str, *, time_limit_s: float = 1.0) -> CheckResult:
    """Check `text` against the exercise's key and misconception rules. Never raises on input."""
    try:
        parsed = read_answer(text)
    except AnswerFormatError as error:
        return CheckResult("malformed", None, error.message, None)
    shown = str(parsed.to_sympy())
    not_a_result = result_form_problem(parsed, exercise.answer, exercise.statement)
    if not_a_result is not None:  # "881 − 713" typed back: not an answer, nothing recorded
        return CheckResult("malformed", None, not_a_result, shown)
    key = exercise.answer
    target = key_value(key.value, key)
    got, problem = _comparable(parsed, key, target, time_limit_s)
    if problem is not None:
        return CheckResult("malformed", None, problem, shown)
    if got is not None and got == target:
        if key.simplest and not _in_simplest_form(parsed, key):
            return CheckResult(
                "wrong",
                None,
                "That is equal to the answer, but not in simplest form: divide by a common "
                "factor until none is left.",
                shown,
            )
        return CheckResult("correct", None, "Correct!", shown)
    if got is not None:
        for rule in exercise.misconceptions:
            if any(key_value(a, key) == got for a in rule.answers):
                return CheckResult(
                    "wrong", rule, f"Not quite: it looks like you {rule.description}.", shown
                )
    return CheckResult("wrong", None, "Not quite.", shown)


def key_value(value: sympy.Basic, key: AnswerKey) -> Comparable:
    """A key or predicted answer as a plain comparable value (a ratio scaled canonically)."""
    if key.kind == "ratio":
        return _ratio_form(tuple(_fraction(p) for p in value))
    return _fraction(value)


def _fraction(value: sympy.Basic) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    rational = sympy.Rational(value)
    return Fraction(int(rational.p), int(rational.q))


def _ratio_form(parts: tuple[Fraction, ...]) -> tuple[Fraction, ...]:
    first = next((p for p in parts if p != 0), None)
    return parts if first is None else tuple(p / first for p in parts)


def _comparable(
    parsed: ParsedAnswer, key: AnswerKey, target: Comparable, time_limit_s: float
) -> tuple[Comparable | None, str | None]:
    """(value in the key's domain, None), or (None, a message saying why it can't be read)."""
    if key.kind == "ratio":
        if parsed.kind != "ratio":
            return None, None  # a plain number where a ratio is asked: simply wrong
        if len(parsed.parts) != len(target):  # type: ignore[arg-type]
            return None, None
        return _ratio_form(parsed.parts), None
    if parsed.kind == "ratio":
        return None, None
    if parsed.kind == "equation":
        return None, "Please finish solving: write your answer as x = a number."
    if parsed.kind == "expression":
        assert parsed.expr is not None and isinstance(target, Fraction)
        verdict = equivalent_within(
            parsed.expr, sympy.Rational(target.numerator, target.denominator), time_limit_s
        )
        if verdict is None:
            return None, "That answer is too complicated to check; please simplify it."
        return (target if verdict else None), None
    assert parsed.value is not None
    if key.kind == "percent" and not parsed.percent:
        return parsed.value / 100, None  # "25" answers "what percentage?" as 25%
    return parsed.value, None


def _in_simplest_form(parsed: ParsedAnswer, key: AnswerKey) -> bool:
    if key.kind == "ratio":
        return all(p.denominator == 1 for p in parsed.parts) and not parsed.unsimplified
    return not parsed.unsimplified


def equivalent_within(a: sympy.Basic, b: sympy.Basic, time_limit_s: float) -> bool | None:
    """Whether `a` equals `b` as a function of the unknowns; None when it is beyond the caps.

    Decided by exact evaluation at random points with a total-degree cap (symbolic.py): the
    work is bounded up front, so there is no thread to abandon. `time_limit_s` is kept for
    callers; the check takes milliseconds at most.
    """
    del time_limit_s
    return symbolic.equivalent(a, b)
