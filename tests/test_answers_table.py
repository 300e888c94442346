"""A table of what students type, and what the checker must say about each.

Equivalent forms are accepted, wrong answers are rejected with the misconception they show,
malformed ones get a clear message, and nothing is ever evaluated as code.
"""

from __future__ import annotations

import builtins
import re
import time

import pytest
import sympy

from tutor.curriculum import AnswerKey, Exercise, SolutionStep, check_answer, parse_answer
from tutor.curriculum.answers import AnswerFormatError
from tutor.curriculum.misconceptions import rule

R = sympy.Rational


def _exercise(key: AnswerKey, text: str, *rules) -> Exercise:
    return Exercise(
        id="test:table",
        skill_key="test",
        seed=0,
        statement="(a test exercise)",
        answer=key,
        answer_text=text,
        solution=(SolutionStep("step"),),
        misconceptions=tuple(rules),
    )


FRACTION = _exercise(AnswerKey(R(3, 4)), "3/4", rule("add_denominators", R(3, 8)))
WHOLE = _exercise(AnswerKey(R(1197), style="integer"), "1197", rule("forgets_carry", 197))
MIXED = _exercise(AnswerKey(R(57, 10)), "5 7/10", rule("mixed_parts_separately", R(37, 7)))
PERCENT = _exercise(
    AnswerKey(R(1, 4), kind="percent", style="percent"),
    "25%",
    rule("decimal_for_percent", R(1, 400)),
    rule("fraction_digits_percent", R(14, 100)),
)
RATIO = _exercise(
    AnswerKey(sympy.Tuple(3, 4), kind="ratio", style="ratio", simplest=True),
    "3:4",
    rule("reversed_ratio", sympy.Tuple(4, 3)),
)
EQUATION = _exercise(
    AnswerKey(R(-6), variable="x"), "x = -6", rule("subtracts_coefficient", R(-49))
)
SIMPLEST = _exercise(
    AnswerKey(R(2, 7), simplest=True), "2/7", rule("divides_numerator_only", R(1, 28))
)
DECIMAL = _exercise(
    AnswerKey(R(7, 20), style="decimal"), "0.35", rule("percent_as_decimal", R(7, 2))
)

AS_DECIMAL = Exercise(
    id="test:as-decimal",
    skill_key="test",
    seed=0,
    statement="Write 7/20 as a decimal.",
    answer=AnswerKey(R(7, 20), style="decimal"),
    answer_text="0.35",
    solution=(SolutionStep("step"),),
)
TYPED_BACK = _exercise(AnswerKey(R(168), style="integer"), "168")


def _asked(statement: str, key: AnswerKey, text: str) -> Exercise:
    return Exercise(
        id="test:asked",
        skill_key="test",
        seed=0,
        statement=statement,
        answer=key,
        answer_text=text,
        solution=(SolutionStep("step"),),
    )


AS_FRACTION = _asked(
    "Write 0.58 as a fraction in its simplest form.", AnswerKey(R(29, 50), simplest=True), "29/50"
)
AS_PERCENT_DECIMAL = _asked(
    "Write 99% as a decimal.", AnswerKey(R(99, 100), style="decimal"), "0.99"
)
AS_PERCENTAGE = _asked(
    "Write 1/4 as a percentage.", AnswerKey(R(1, 4), kind="percent", style="percent"), "25%"
)
PERCENT_OF = _exercise(AnswerKey(R(24), style="decimal"), "24")

OK, WRONG, BAD = "correct", "wrong", "malformed"

CASES = [
    # equivalent forms of 3/4
    (FRACTION, "3/4", OK, None),
    (FRACTION, "  3/4  ", OK, None),
    (FRACTION, "3 / 4", OK, None),
    (FRACTION, "0.75", OK, None),
    (FRACTION, ".75", OK, None),
    (FRACTION, "0.750", OK, None),
    (FRACTION, "6/8", OK, None),
    (FRACTION, "75%", OK, None),
    (FRACTION, "75 percent", OK, None),
    (FRACTION, "\u00be", OK, None),  # the single character ¾
    (FRACTION, "3\u00f74", OK, None),  # 3÷4
    (FRACTION, "x = 3/4", OK, None),
    (FRACTION, "(1+2)/4", BAD, None),  # a calculation, not a result
    (FRACTION, "1/4 + 2/4", BAD, None),
    (FRACTION, "3/4 pizza", OK, None),
    (FRACTION, "The answer is 3/4", OK, None),
    (FRACTION, "x - x + 3/4", OK, None),  # an unknown that cancels: the sympy path
    # wrong forms of 3/4
    (FRACTION, "3/8", WRONG, "add_denominators"),
    (FRACTION, "0.375", WRONG, "add_denominators"),
    (FRACTION, "6/16", WRONG, "add_denominators"),
    (FRACTION, "1/2", WRONG, None),
    (FRACTION, "-3/4", WRONG, None),
    (FRACTION, "2x", WRONG, None),
    # whole numbers: separators, currency, units
    (WHOLE, "1197", OK, None),
    (WHOLE, "1,197", OK, None),
    (WHOLE, "1197.0", OK, None),
    (WHOLE, "$1,197", OK, None),
    (WHOLE, "1197 apples", OK, None),
    (WHOLE, "1197.", OK, None),
    (WHOLE, "1197 \u20ac", OK, None),
    (WHOLE, "1000 + 197", BAD, None),  # write the result, not the calculation
    (WHOLE, "2394/2", BAD, None),  # a whole result left as a division
    (WHOLE, "197", WRONG, "forgets_carry"),
    (WHOLE, "1196", WRONG, None),
    (WHOLE, "1,1970", BAD, None),
    (WHOLE, "1 197", BAD, None),
    # mixed numbers
    (MIXED, "5 7/10", OK, None),
    (MIXED, "5.7", OK, None),
    (MIXED, "57/10", OK, None),
    (MIXED, "5 7/10 cups", OK, None),
    (MIXED, "37/7", WRONG, "mixed_parts_separately"),
    (MIXED, "5 3/7", WRONG, None),
    # percentages: a bare number answers "what percentage?"
    (PERCENT, "25%", OK, None),
    (PERCENT, "25", OK, None),
    (PERCENT, "25 %", OK, None),
    (PERCENT, "25 per cent", OK, None),
    (PERCENT, "25.0%", OK, None),
    (PERCENT, "0.25", WRONG, "decimal_for_percent"),
    (PERCENT, "14%", WRONG, "fraction_digits_percent"),
    (PERCENT, "20%", WRONG, None),
    # ratios in simplest form
    (RATIO, "3:4", OK, None),
    (RATIO, "3 : 4", OK, None),
    (RATIO, "4:3", WRONG, "reversed_ratio"),
    (RATIO, "6:8", WRONG, None),
    (RATIO, "0.75", WRONG, None),
    # equations
    (EQUATION, "x = -6", OK, None),
    (EQUATION, "x=-6", OK, None),
    (EQUATION, "-6", OK, None),
    (EQUATION, "\u22126", OK, None),  # the minus sign
    (EQUATION, "-6 = x", OK, None),
    (EQUATION, "x = - 6", OK, None),
    (EQUATION, "-49", WRONG, "subtracts_coefficient"),
    (EQUATION, "x = 6", WRONG, None),
    (EQUATION, "7x = -42", BAD, None),
    # simplest form asked
    (SIMPLEST, "2/7", OK, None),
    (SIMPLEST, "4/14", WRONG, None),
    (SIMPLEST, "1/28", WRONG, "divides_numerator_only"),
    # decimals
    (DECIMAL, "0.35", OK, None),
    (DECIMAL, "7/20", OK, None),
    (DECIMAL, "35/100", OK, None),
    (DECIMAL, "3.5", WRONG, "percent_as_decimal"),
    # LaTeX, as the chat renders it, and Unicode fractions
    (FRACTION, "$\\frac{3}{4}$", OK, None),
    (FRACTION, "\\frac{3}{4}", OK, None),
    (FRACTION, "\\dfrac{3}{4}", OK, None),
    (FRACTION, "\\(\\tfrac{3}{4}\\)", OK, None),
    (FRACTION, "$\\frac{3}{8}$", WRONG, "add_denominators"),
    (FRACTION, "$\\frac{1}{4} + \\frac{2}{4}$", BAD, None),
    (MIXED, "$5\\frac{7}{10}$", OK, None),
    (MIXED, "5 \\frac{7}{10}", OK, None),
    (EQUATION, "$x = -6$", OK, None),
    (PERCENT, "$25\\%$", OK, None),
    (FRACTION, "\u00be", OK, None),
    (_exercise(AnswerKey(R(13, 4)), "3 1/4"), "3\u00bc", OK, None),  # 3¼ is not 31/4
    (_exercise(AnswerKey(R(13, 4)), "3 1/4"), "3 \u00bc", OK, None),
    (_exercise(AnswerKey(R(1, 2)), "1/2"), "\u00bd", OK, None),
    # "as a decimal" wants a decimal; the question typed back is not an answer
    (AS_DECIMAL, "0.35", OK, None),
    (AS_DECIMAL, "7/20", BAD, None),
    (AS_DECIMAL, "$\\frac{7}{20}$", BAD, None),
    (TYPED_BACK, "168", OK, None),
    (TYPED_BACK, "881 \u2212 713", BAD, None),
    (TYPED_BACK, "881-713", BAD, None),
    (TYPED_BACK, "881 - 713 = 168", BAD, None),
    (AS_FRACTION, "29/50", OK, None),
    (AS_FRACTION, "0.58", BAD, None),  # the question typed back
    (AS_PERCENT_DECIMAL, "0.99", OK, None),
    (AS_PERCENT_DECIMAL, "99%", BAD, None),
    (AS_PERCENTAGE, "25%", OK, None),
    (AS_PERCENTAGE, "25", OK, None),
    (AS_PERCENTAGE, "1/4", BAD, None),
    (PERCENT_OF, "24", OK, None),
    (PERCENT_OF, "40/100*60", BAD, None),
    (PERCENT_OF, "0.4 \u00d7 60", BAD, None),
    # malformed: a clear message, nothing evaluated
    (FRACTION, "", BAD, None),
    (FRACTION, "   ", BAD, None),
    (FRACTION, "abc", BAD, None),
    (FRACTION, "3/0", BAD, None),
    (FRACTION, "1,5", BAD, None),
    (FRACTION, "9^9^9", BAD, None),
    (FRACTION, "2^0.5", BAD, None),
    (FRACTION, "((3/4", BAD, None),
    (FRACTION, ")3/4(", BAD, None),
    (FRACTION, "3 4", BAD, None),
    (FRACTION, "3 = 4 = 5", BAD, None),
    (FRACTION, "1e999", BAD, None),
    (FRACTION, "(" * 30 + "1" + ")" * 30, BAD, None),
    (FRACTION, "\u202e4/3", BAD, None),  # a bidi override
    (FRACTION, "__import__('os').system('touch /tmp/pwned')", BAD, None),
    (FRACTION, "lambda: 3/4", BAD, None),
    (FRACTION, "().__class__.__bases__[0]", BAD, None),
    (FRACTION, "3/4; import os", BAD, None),
    (FRACTION, "x = y", BAD, None),
]


@pytest.fixture
def no_eval(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every road to Python evaluation explode, so a test fails if one is taken."""

    real_sympify = sympy.sympify

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("student input reached eval or sympy's string parser")

    def sympify_no_strings(value: object, *args: object, **kwargs: object) -> object:
        if isinstance(value, str):
            refuse()
        return real_sympify(value, *args, **kwargs)

    # `exec` stays: the import system runs module code with it. Strings reach Python code
    # only through eval or sympy's parser (which itself calls eval).
    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(sympy, "sympify", sympify_no_strings)
    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", refuse)


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(("exercise", "text", "status", "misconception"), CASES)
def test_answer(no_eval: None, exercise: Exercise, text: str, status: str, misconception) -> None:
    result = check_answer(exercise, text)
    assert result.status == status, (text, result)
    assert (result.misconception.id if result.misconception else None) == misconception
    assert result.message
    if status == BAD:
        assert len(result.message) > 15 and "Traceback" not in result.message
    if misconception:
        assert result.misconception.description in result.message


def test_not_simplest_says_so() -> None:
    result = check_answer(SIMPLEST, "4/14")
    assert "simplest" in result.message


def test_ten_thousand_characters_are_refused_at_once() -> None:
    text = "1+" * 5000
    started = time.perf_counter()
    result = check_answer(FRACTION, text)
    elapsed = time.perf_counter() - started
    assert result.status == BAD
    assert "too long" in result.message and "10000" in result.message
    assert elapsed < 0.01


def test_huge_powers_fail_fast_instead_of_hanging() -> None:
    for text in ("9^9^9", "2^99999", "(10^200)^200", "9**9**9"):
        started = time.perf_counter()
        with pytest.raises(AnswerFormatError, match="too large"):
            parse_answer(text)
        assert time.perf_counter() - started < 0.05


def test_parse_answer_returns_sympy_objects() -> None:
    assert parse_answer("1 1/2") == R(3, 2)
    assert parse_answer("x = 3") == sympy.Eq(sympy.Symbol("x"), 3)
    assert parse_answer("3:4") == sympy.Tuple(3, 4)
    assert parse_answer("2x + 1") == 2 * sympy.Symbol("x") + 1


def test_every_generator_takes_its_key_and_refuses_its_question_typed_back() -> None:
    """Over the shipped pack: the displayed key is an answer; "What is A − B?" typed back as
    "A − B", the key as a sum ("k + 1 − 1"), or "0.58" for "Write 0.58 as a fraction" is not
    an answer."""
    from tutor.curriculum import load_default_pack

    pack = load_default_pack()
    typed_back = 0
    for skill in pack.skills:
        for seed in range(10):
            exercise = pack.exercise(skill, seed)
            assert check_answer(exercise, exercise.answer_text).correct, exercise
            question = exercise.statement.removeprefix("What is ").removesuffix("?")
            if question != exercise.statement and " of " not in question:
                typed_back += 1
                assert check_answer(exercise, question).status == BAD, exercise.statement
            asked = re.match(
                r"^Write (\S+) as an? (decimal|fraction|percentage)", exercise.statement
            )
            if asked:  # the number to convert, typed back as given
                assert check_answer(exercise, asked.group(1)).status == BAD, exercise.statement
            if exercise.answer.kind == "number" and not exercise.answer.variable:
                sum_form = f"{exercise.answer_text} + 1 - 1"
                assert check_answer(exercise, sum_form).status == BAD, sum_form
    assert typed_back > 100
