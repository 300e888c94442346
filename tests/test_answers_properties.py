"""Property tests of the answer parser: exact round trips, and no input makes it misbehave."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.curriculum.answers import MAX_LENGTH, AnswerFormatError, read_answer
from tutor.curriculum.generators.base import dec

integers = st.integers(min_value=-(10**12), max_value=10**12)
positive = st.integers(min_value=1, max_value=10**6)


def value_of(text: str) -> Fraction:
    parsed = read_answer(text)
    assert parsed.kind == "number", parsed
    assert parsed.value is not None
    return parsed.value


@given(integers)
def test_integers_with_and_without_thousands_separators(n: int) -> None:
    assert value_of(str(n)) == n
    assert value_of(f"{n:,}") == n


@given(integers, positive)
def test_fractions_round_trip(n: int, d: int) -> None:
    assert value_of(f"{n}/{d}") == Fraction(n, d)
    assert value_of(f" {n} / {d} ") == Fraction(n, d)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False))
def test_decimals_round_trip(d: Decimal) -> None:
    assert value_of(format(d, "f")) == Fraction(d)


@given(st.integers(min_value=-(10**6), max_value=10**6), st.integers(1, 10**6))
def test_exact_decimal_display_round_trips(n: int, power: int) -> None:
    value = Fraction(n, 10 ** (power % 12))
    assert value_of(dec(value)) == value


@given(st.integers(1, 10**6), st.integers(1, 10**4), st.integers(2, 10**4), st.booleans())
def test_mixed_numbers_round_trip(whole: int, num: int, den: int, negative: bool) -> None:
    num = num % (den - 1) + 1  # a proper fraction
    value = whole + Fraction(num, den)
    sign = "-" if negative else ""
    assert value_of(f"{sign}{whole} {num}/{den}") == (-value if negative else value)


@given(st.integers(0, 10**6), st.sampled_from(["%", " %", " percent", " per cent"]))
def test_percentages_are_hundredths(n: int, suffix: str) -> None:
    parsed = read_answer(f"{n}{suffix}")
    assert parsed.percent and parsed.value == Fraction(n, 100)


def _reads_or_refuses(text: str) -> None:
    try:
        read_answer(text)
    except AnswerFormatError as error:
        assert error.message


@settings(max_examples=300, deadline=200)
@given(st.text(max_size=MAX_LENGTH + 20))
def test_any_text_is_read_or_refused_quickly(text: str) -> None:
    _reads_or_refuses(text)


@settings(max_examples=500, deadline=200)
@given(st.text(alphabet="0123456789 +-*/^().,%:=xn$", max_size=60))
def test_any_arithmetic_looking_text_is_read_or_refused_quickly(text: str) -> None:
    _reads_or_refuses(text)
