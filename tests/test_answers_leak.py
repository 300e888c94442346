"""The leak guard: a hint may not state the answer in any form; and wordings keep numbers."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from tutor.curriculum import (
    AnswerKey,
    Exercise,
    SolutionStep,
    answer_mentions,
    load_default_pack,
    reveals_answer,
    spec_numbers,
    wording_matches_spec,
)


def _exercise(key: AnswerKey, text: str) -> Exercise:
    return Exercise("test:leak", "test", 0, "(test)", key, text, (SolutionStep("s"),))


QUARTERS = _exercise(AnswerKey(sympy.Rational(3, 4)), "3/4")
HALVES = _exercise(AnswerKey(sympy.Rational(3, 2)), "3/2")
NEGATIVE = _exercise(AnswerKey(sympy.Integer(-3), variable="x"), "x = -3")
PERCENT = _exercise(AnswerKey(sympy.Rational(1, 4), kind="percent", style="percent"), "25%")
RATIO = _exercise(AnswerKey(sympy.Tuple(3, 4), kind="ratio", style="ratio"), "3:4")
BIG = _exercise(AnswerKey(sympy.Integer(1250)), "1250")

LEAKS = [
    (QUARTERS, "The answer is 3/4."),
    (QUARTERS, "You should get 0.75"),
    (QUARTERS, "so x=0.75"),
    (QUARTERS, "That makes 75%"),
    (QUARTERS, "seventy-five percent of the pizza"),
    (QUARTERS, "three quarters"),
    (QUARTERS, "Three-quarters is right"),
    (QUARTERS, "three fourths"),
    (QUARTERS, "It is 6/8 when you add them"),
    (QUARTERS, "3 out of 4"),
    (QUARTERS, "The answer is 3 out of 4."),
    (QUARTERS, "It is 3 over 4."),
    (QUARTERS, "three divided by four."),
    (QUARTERS, "three over four"),
    (QUARTERS, "3 divided by 4"),
    (QUARTERS, "3\u00f74"),
    (QUARTERS, "0,75"),
    (QUARTERS, "So it is 0,75, easy!"),
    (QUARTERS, "3 quarters"),
    (QUARTERS, "\u00be"),
    (QUARTERS, "zero point seven five"),
    (QUARTERS, ".75"),
    (QUARTERS, "0.750"),
    (HALVES, "one and a half"),
    (HALVES, "1 1/2"),
    (HALVES, "1.5 cups"),
    (HALVES, "three halves"),
    (NEGATIVE, "x = -3"),
    (NEGATIVE, "x = \u22123"),
    (NEGATIVE, "negative three"),
    (NEGATIVE, "minus 3"),
    (PERCENT, "25%"),
    (PERCENT, "twenty-five percent"),
    (PERCENT, "a quarter"),
    (PERCENT, "0.25"),
    (PERCENT, "the answer is 25"),
    (RATIO, "3:4"),
    (RATIO, "3 to 4"),
    (RATIO, "divide both by 2 to get 3 and 4"),
    (BIG, "1,250"),
    (BIG, "one thousand two hundred and fifty"),
    (BIG, "$1,250.00"),
]

SAFE = [
    (QUARTERS, "Think about what the denominators tell you."),
    (QUARTERS, "What is 1/4 + 2/4? Add the numerators."),
    (QUARTERS, "Two quarters plus one quarter: count the quarters."),
    (QUARTERS, "The denominator stays 4."),
    (QUARTERS, "Take 3 out of 4.5 litres."),  # 3/4.5 is not 3/4
    (HALVES, "Half of the pieces are red."),  # 1/2, not 3/2
    (NEGATIVE, "Subtract 5 from both sides: x + 5 = 2."),
    (NEGATIVE, "x is three less than zero? Think again about 3."),
    (PERCENT, "Per cent means out of 100."),
    (RATIO, "Divide both parts by their common factor."),
    (BIG, "Add the thousands first: 1000 and 200."),
]


@pytest.mark.parametrize(("exercise", "text"), LEAKS)
def test_leaks_are_caught(exercise: Exercise, text: str) -> None:
    assert reveals_answer(text, exercise), answer_mentions(text)


@pytest.mark.parametrize(("exercise", "text"), SAFE)
def test_hints_without_the_answer_pass(exercise: Exercise, text: str) -> None:
    assert not reveals_answer(text, exercise), answer_mentions(text)


def test_every_generated_answer_text_is_caught_in_a_sentence() -> None:
    pack = load_default_pack()
    for skill in pack.skills:
        for seed in range(20):
            exercise = pack.exercise(skill, seed)
            assert reveals_answer(f"Nearly there: it is {exercise.answer_text}.", exercise)


def test_spec_numbers_and_wordings() -> None:
    spec = {"operation": "add_fractions", "a": "1/4", "b": "2/4"}
    assert spec_numbers(spec) == {Fraction(1, 4), Fraction(1, 2)}
    assert wording_matches_spec("Ana eats 1/4 of a cake, then 2/4 more. How much?", spec)
    assert not wording_matches_spec("Ana eats 1/4 of a cake, then 3/4 more.", spec)
    assert not wording_matches_spec("Ana eats 1/4 of a cake, then 2/4 more, and 5 pies.", spec)
    assert not wording_matches_spec("Ana eats some cake.", spec)
    big = {"operation": "add", "a": "1250", "b": "3"}
    assert wording_matches_spec("A farm has 1,250 hens and buys 3 more.", big)
    percent = {"operation": "percent_of", "percent": "15%", "of": "80"}
    assert wording_matches_spec(
        "A shop takes 15 percent off a $80 coat. How much is that?", percent
    )


def test_template_statements_match_their_own_spec() -> None:
    pack = load_default_pack()
    for skill in pack.skills:
        for seed in range(10):
            exercise = pack.exercise(skill, seed)
            assert wording_matches_spec(exercise.statement, exercise.spec), exercise


def test_reading_numbers_stays_linear_on_a_long_text() -> None:
    """Every word used to rebuild the text's word list (quadratic): a 4,000-word message took
    seconds of the server's CPU. Now it is one pass."""
    import time

    from tutor.curriculum.mentions import answer_mentions

    text = "three quarters and 12 and one and a half of the " * 400  # 4,400 words
    started = time.perf_counter()
    found = answer_mentions(text)
    assert len(found) == 1200
    assert time.perf_counter() - started < 0.5
