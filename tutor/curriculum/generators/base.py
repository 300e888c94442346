"""What a generator family returns, and the helpers every family shares.

A family is a plain function `(rng: random.Random) -> Draft`: all its numbers come from
`rng`, so one seed gives one exercise. The pack wraps a draft into an `Exercise` with its id,
skill and seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

import sympy

from tutor.curriculum.model import AnswerKey, MisconceptionRule, SolutionStep

Num = Fraction | int


@dataclass(frozen=True)
class Draft:
    """An exercise before it knows its id, skill and seed."""

    statement: str
    spec: Mapping[str, object]
    answer: AnswerKey
    answer_text: str
    solution: tuple[SolutionStep, ...]
    misconceptions: tuple[MisconceptionRule, ...]


Family = Callable[[random.Random], Draft]


def exact(value: Num | tuple[Num, ...]) -> sympy.Basic:
    """A Fraction, int or tuple of them as sympy (Rational, or Tuple for a ratio)."""
    if isinstance(value, tuple):
        return sympy.Tuple(*(exact(v) for v in value))
    value = Fraction(value)
    return sympy.Rational(value.numerator, value.denominator)


def frac(value: Num) -> str:
    """'3/4', '-3/4' or '5': the fraction form of an exact number."""
    value = Fraction(value)
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def dec(value: Num) -> str:
    """The exact decimal form of a terminating number ('0.35', '-2.5', '7')."""
    value = Fraction(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    places = 0
    while (value * 10**places).denominator != 1:
        places += 1
        if places > 30:
            raise ValueError(f"{value} does not terminate")
    scaled = value.numerator * 10**places // value.denominator
    if places == 0:
        return f"{sign}{scaled}"
    digits = str(scaled).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def mixed(value: Num) -> str:
    """'2 3/4' for 11/4; a whole number or proper fraction stays as it is."""
    value = Fraction(value)
    whole, rest = divmod(abs(value.numerator), value.denominator)
    sign = "-" if value < 0 else ""
    if rest == 0 or whole == 0:
        return frac(value)
    return f"{sign}{whole} {rest}/{value.denominator}"


def signed(value: Num) -> str:
    """A number in brackets when negative: '(-3)', so '5 - (-3)' reads clearly."""
    text = frac(value)
    return f"({text})" if Fraction(value) < 0 else text


def step(
    text: str,
    expression: str | None = None,
    result: str | None = None,
    *,
    operation: str | None = None,
    operands: tuple[str, ...] = (),
    place: str | None = None,
    question: str | None = None,
) -> SolutionStep:
    return SolutionStep(text, expression, result, operation, operands, place, question)


def number_key(
    value: Num, *, style: str = "fraction", simplest: bool = False, variable: str | None = None
) -> tuple[AnswerKey, str]:
    """The key of a numeric answer and its display text."""
    value = Fraction(value)
    if style == "fraction" and value.denominator == 1:
        style = "integer"
    text = dec(value) if style == "decimal" else frac(value)
    key = AnswerKey(exact(value), "number", style, simplest, variable)  # type: ignore[arg-type]
    return key, (f"{variable} = {text}" if variable else text)


def percent_key(value: Num) -> tuple[AnswerKey, str]:
    """The key of a percentage answer: `value` is the fraction (1/4 for 25%)."""
    value = Fraction(value)
    return AnswerKey(exact(value), "percent", "percent"), f"{dec(value * 100)}%"


def ratio_key(parts: tuple[int, ...], *, simplest: bool = True) -> tuple[AnswerKey, str]:
    return AnswerKey(exact(parts), "ratio", "ratio", simplest), ":".join(str(p) for p in parts)


def draft(
    statement: str,
    spec: Mapping[str, object],
    key: tuple[AnswerKey, str],
    solution: list[SolutionStep],
    rules: list[MisconceptionRule],
) -> Draft:
    """Assemble a draft, dropping predicted wrong answers that happen to equal the key or an
    earlier rule's: a rule must never reject a right answer, and one answer gets one name."""
    answer, answer_text = key
    seen = {_norm(answer.value, answer)}
    kept: list[MisconceptionRule] = []
    for r in rules:
        answers, slips = [], []
        for i, a in enumerate(r.answers):
            n = _norm(a, answer)
            if n is None or n in seen:
                continue
            seen.add(n)
            answers.append(a)
            slips.append(r.slips[i] if r.slips else None)
        if answers:
            kept.append(
                MisconceptionRule(
                    r.id, r.name, r.description, tuple(answers), tuple(slips) if r.slips else ()
                )
            )
    return Draft(statement, dict(spec), answer, answer_text, tuple(solution), tuple(kept))


def _norm(value: sympy.Basic, key: AnswerKey) -> object:
    """The value the checker will compare, or None for a prediction it could never match."""
    if key.kind == "ratio":
        parts = tuple(Fraction(int(p.p), int(p.q)) for p in value)
        first = next((p for p in parts if p != 0), None)
        return None if first is None else tuple(p / first for p in parts)
    if not value.is_Rational:
        return None
    return Fraction(int(value.p), int(value.q))


def pick(rng: random.Random, lo: int, hi: int, *, exclude: tuple[int, ...] = ()) -> int:
    """An integer in [lo, hi] not in `exclude` (deterministic for a given rng state)."""
    choices = [v for v in range(lo, hi + 1) if v not in exclude]
    return rng.choice(choices)
