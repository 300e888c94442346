"""Worked solutions as checked traces: proper notation read exactly, every step's sum right,
the last step the key, and the teacher's method visible (columns, lists, routes)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from tutor.curriculum import load_default_pack
from tutor.curriculum.generators.written import column_addition, lcm_steps, unlike_fractions
from tutor.curriculum.model import STEP_OPERATIONS, SolutionStep
from tutor.curriculum.notation import NotationError, code_notation, evaluate, read_value
from tutor.curriculum.pack import Pack
from tutor.curriculum.packcheck import trace_problems

SEEDS = 30


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_default_pack()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12 − 4", 8),
        ("3/4 + 1/6", Fraction(11, 12)),
        ("3/4 ÷ 2/3", Fraction(9, 8)),  # a/b binds tighter than ÷, as on paper
        ("3/4 × 2/3", Fraction(1, 2)),
        ("2 3/4", Fraction(11, 4)),
        ("8 + 1 1/10", Fraction(91, 10)),
        ("5³", 125),
        ("5^2 × 2", 50),
        ("(−4) × 11", -44),
        ("−21 + 19", -2),
        ("13 + (−14)", -1),
        ("(15 + 8) × 8 − 2", 182),
        ("0.8 × 9.9", Fraction(792, 100)),
        ("1 × 40 + 20", 60),
        ("2 − 3 − 4", -5),  # left to right
        ("24 ÷ 4 ÷ 2", 3),
    ],
)
def test_proper_notation_is_read_exactly(text: str, value: Fraction | int) -> None:
    assert evaluate(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("25%", Fraction(1, 4)), ("x = −3", -3), ("3:4", (3, 4)), ("14 ÷ 2 : 18 ÷ 2", (7, 9))],
)
def test_results_may_be_percentages_ratios_or_solutions(text: str, value: object) -> None:
    assert read_value(text) == value


@pytest.mark.parametrize("text", ["4 * 1000", "lcm(7, 2)", "12 / 4", "3 +", "2 ^ 99", "1 ÷ 0", "x"])
def test_code_notation_and_nonsense_are_not_read(text: str) -> None:
    with pytest.raises(NotationError):
        evaluate(text)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("4 * 1000", True),
        ("lcm(7, 2) = 14", True),
        ("round(3.5)", True),
        ("Multiply them::", True),
        ("26 - 10", True),
        ("128 / 8", True),
        ("26 − 10 = 16, and 3/4 of 12 is 9", False),
        ("Place-value chart of 52,318: 5 ten thousands", False),
        ("(−4) × 11 = −44", False),
    ],
)
def test_code_notation_is_flagged_in_text(text: str, flagged: bool) -> None:
    assert bool(code_notation(text)) is flagged


def test_every_generators_trace_checks(pack: Pack) -> None:
    bad = []
    for _, generator in pack.generators():
        for seed in range(SEEDS):
            exercise = pack.exercise_by_id(f"gen:{generator}", seed)
            if problems := trace_problems(exercise):
                bad.append((generator, seed, problems))
    for item in pack.items:
        if problems := trace_problems(pack.exercise_by_id(item.source_id, 0)):
            bad.append((item.id, 0, problems))
    assert not bad, bad[:3]


def test_every_step_names_a_known_operation_and_most_steps_can_be_asked(pack: Pack) -> None:
    asked = total = 0
    for _, generator in pack.generators():
        exercise = pack.exercise_by_id(f"gen:{generator}", 5)
        assert any(s.question for s in exercise.solution), generator  # a sub-step to ask
        for step in exercise.solution:
            assert step.operation in STEP_OPERATIONS, (generator, step)
            total += 1
            asked += step.question is not None
    assert asked / total > 0.6


def test_a_wrong_step_is_caught(pack: Pack) -> None:
    exercise = pack.exercise_by_id("gen:whole.subtract", 3)
    steps = list(exercise.solution)
    steps[1] = replace(steps[1], result="9")  # the tens column: 8 − 1 is not 9
    assert any("is not 9" in p for p in trace_problems(replace(exercise, solution=tuple(steps))))


def test_a_last_step_that_is_not_the_key_is_caught(pack: Pack) -> None:
    exercise = pack.exercise_by_id("gen:fractions.add_unlike", 3)
    cut = replace(exercise, solution=exercise.solution[:-1])
    assert any("is not the key" in p for p in trace_problems(cut))


def test_code_notation_and_an_unanswered_question_are_caught(pack: Pack) -> None:
    exercise = pack.exercise_by_id("gen:whole.divide", 3)
    bad = (
        SolutionStep("Multiply them:: 4 * 5", "4 * 5", "20"),
        SolutionStep("What is left?", question="What is left?"),
        *exercise.solution,
    )
    problems = trace_problems(replace(exercise, solution=bad))
    assert any("code notation" in p for p in problems)
    assert any("has no result" in p for p in problems)


def test_column_addition_shows_every_carry() -> None:
    trace = column_addition(458, 367)
    assert [s.expression for s in trace.steps] == ["8 + 7", "5 + 6 + 1", "4 + 3 + 1", "458 + 367"]
    assert [s.operation for s in trace.steps[:3]] == ["carry", "carry", "add"]
    assert "carry 1 ten to the tens column" in trace.steps[0].text
    assert trace.steps[1].question == "What is 5 + 6 + 1 in the tens column?"
    assert trace.slips["forgets_carry"].student_step == "5 + 6 = 11"


def test_lcm_lists_multiples_up_to_the_first_shared_one() -> None:
    trace = lcm_steps(6, 4)
    assert trace.steps[0].text == "Multiples of 6: 6, 12, 18 and so on."
    assert trace.steps[1].text == "Multiples of 4: 4, 8, 12, 16 and so on."
    assert (trace.steps[2].expression, trace.steps[2].result) == ("6 × 2", "12")


def test_unlike_fractions_name_the_common_denominator_and_each_rewrite() -> None:
    trace = unlike_fractions(1, 4, 1, 6, "+")
    texts = [s.text for s in trace.steps]
    assert texts[0].startswith("Find a common denominator of 4 and 6")
    assert "1/4 = 3/12" in texts[1] and "1/6 = 2/12" in texts[2]
    assert trace.steps[-1].result == "5/12"


def test_percent_of_goes_through_ten_percent(pack: Pack) -> None:
    for seed in range(40):
        exercise = pack.exercise_by_id("gen:percent.of_quantity", seed)
        assert exercise.solution[0].text.startswith("Find 10% first")


def test_solution_steps_never_show_code_notation_to_a_student(pack: Pack) -> None:
    for _, generator in pack.generators():
        exercise = pack.exercise_by_id(f"gen:{generator}", 9)
        for step in exercise.solution:
            for text in (step.text, step.expression, step.result, step.question):
                assert not (text and code_notation(text)), (generator, text)
