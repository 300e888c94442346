"""Diagnosis to the step: a wrong answer is traced to the first step it departs at, in the
student's own numbers."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from tutor.curriculum import load_default_pack
from tutor.curriculum.diagnosis import diagnose
from tutor.curriculum.loader import render
from tutor.curriculum.model import Exercise
from tutor.curriculum.pack import Pack

SEEDS = 60


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_default_pack()


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:\.\d+)?", text))


def _find(pack: Pack, generator: str, statement: str) -> Exercise:
    for seed in range(20_000):
        exercise = pack.exercise_by_id(generator, seed)
        if exercise.statement == statement:
            return exercise
    raise LookupError(statement)


def test_the_borrowing_slip_points_at_the_column_in_the_students_numbers(pack: Pack) -> None:
    exercise = pack.exercise_by_id("gen:whole.subtract", 3)  # 894 − 116 = 778
    assert exercise.statement == "What is 894 − 116?"
    found = diagnose(exercise, "782")
    assert found is not None and found.misconception_id == "smaller_from_larger"
    assert found.place == "ones column" and found.step_index == 0
    assert found.student_step_text == "6 − 4 = 2"
    assert (found.step.expression, found.step.result) == ("14 − 6", "8")
    assert found.step.operation == "borrow"
    assert "14" in found.numbers and "6" in found.numbers


def test_a_borrow_from_the_hundreds_is_the_tens_column() -> None:
    from tutor.curriculum.generators.written import column_subtraction

    trace = column_subtraction(904, 642)  # 4−2=2; tens: 0 < 4, borrow: 10 − 4 = 6; 8 − 6 = 2
    assert [s.expression for s in trace.steps] == ["4 − 2", "10 − 4", "8 − 6", "904 − 642"]
    slip = trace.slips["smaller_from_larger"]
    assert slip.step_index == 1 and slip.student_step == "4 − 0 = 4"
    assert trace.steps[1].place == "tens column"


def test_borrowing_across_a_zero_shows_every_regrouped_digit() -> None:
    from tutor.curriculum.generators.written import column_subtraction

    trace = column_subtraction(503, 278)  # 13 − 8 = 5; 9 − 7 = 2; 4 − 2 = 2
    assert [s.expression for s in trace.steps[:3]] == ["13 − 8", "9 − 7", "4 − 2"]
    assert "nothing to lend" in trace.steps[0].text


def test_a_right_answer_or_an_unreadable_one_has_no_diagnosis(pack: Pack) -> None:
    exercise = pack.exercise_by_id("gen:whole.subtract", 3)
    assert diagnose(exercise, exercise.answer_text) is None
    assert diagnose(exercise, "banana") is None


def test_an_uncatalogued_whole_number_answer_is_compared_column_by_column(pack: Pack) -> None:
    exercise = pack.exercise_by_id("gen:whole.subtract", 3)  # 778
    found = diagnose(exercise, "798")  # the tens digit is off
    assert found is not None and found.misconception_id is None
    assert found.place == "tens column" and "9" in found.student_step_text
    add = pack.exercise_by_id("gen:whole.add", 3)  # 343 + 706 = 1049
    top = diagnose(add, "949")  # only the top column's digits differ
    assert top is not None and top.place == "hundreds column"
    assert "9" in top.student_step_text


def test_the_carry_slip_is_the_column_that_lost_the_carry(pack: Pack) -> None:
    exercise = pack.exercise_by_id("gen:whole.add", 3)  # 343 + 706: only the top carries
    found = diagnose(exercise, "49")
    assert found is not None and found.misconception_id == "forgets_carry"
    assert found.place == "hundreds column"
    assert found.student_step_text.startswith("3 + 7 = 10")


def test_lcm_product_slip_names_the_product_and_the_first_shared_multiple(pack: Pack) -> None:
    exercise = _find(pack, "gen:factors.lcm", "What is the lowest common multiple of 6 and 4?")
    found = diagnose(exercise, "24")
    assert found is not None and found.misconception_id == "gives_product"
    assert found.student_step_text == "6 × 4 = 24"
    assert found.step.result == "12" and found.step.operation == "common_multiple"
    assert "Multiples of 6: 6, 12, 18" in exercise.solution[0].text


def test_fraction_addition_slip_points_at_the_denominator(pack: Pack) -> None:
    exercise = pack.exercise_by_id("gen:fractions.add_unlike", 3)  # 2/5 + 5/7
    found = diagnose(exercise, "7/12")
    assert found is not None and found.misconception_id == "add_denominators"
    assert found.place == "denominator" and "5 + 7 = 12" in found.student_step_text
    assert found.step.result == "35"


def test_a_value_as_well_as_typed_text_is_diagnosed(pack: Pack) -> None:
    exercise = pack.exercise_by_id("gen:fractions.add_unlike", 3)
    by_value = diagnose(exercise, Fraction(7, 12))
    assert by_value is not None and by_value.misconception_id == "add_denominators"
    assert by_value.step_index == diagnose(exercise, "7/12").step_index


def test_an_answer_equal_to_an_earlier_steps_result_stopped_there(pack: Pack) -> None:
    exercise = pack.exercise_by_id("gen:fractions.add_unlike", 3)  # 2/5 + 5/7: lcd 35
    found = diagnose(exercise, "35")
    assert found is not None and found.step_index == 1
    assert "35" in found.student_step_text


def test_every_predicted_wrong_answer_gets_a_step_in_the_students_numbers(pack: Pack) -> None:
    missing = []
    for _, generator in pack.generators():
        for seed in range(SEEDS):
            exercise = pack.exercise_by_id(f"gen:{generator}", seed)
            for rule in exercise.misconceptions:
                for value in rule.answers:
                    typed = render(value, exercise.answer)
                    found = diagnose(exercise, typed)
                    ok = (
                        found is not None
                        and found.misconception_id == rule.id
                        and found.step_index is not None
                        and found.step is exercise.solution[found.step_index]
                        and found.student_step_text
                        and _numbers(found.student_step_text)
                    )
                    if not ok:
                        missing.append((generator, seed, rule.id, typed, found))
    assert not missing, missing[:5]


def test_the_fixed_items_misconceptions_point_at_a_step(pack: Pack) -> None:
    for item in pack.items:
        exercise = pack.exercise_by_id(item.source_id, 0)
        for rule in exercise.misconceptions:
            for value in rule.answers:
                found = diagnose(exercise, value)
                assert found is not None and found.misconception_id == rule.id, item.id
                assert found.step_index is not None and found.student_step_text, item.id


def test_a_decimal_sum_is_compared_column_by_column_in_hundredths(pack: Pack) -> None:
    exercise = pack.exercise_by_id("gen:decimals.add_sub", 1)  # 2.38 + 8.3 = 10.68
    assert exercise.statement == "What is 2.38 + 8.3?"
    found = diagnose(exercise, "10.78")
    assert found is not None and found.misconception_id is None
    assert found.place == "tenths column" and found.student_step_text.startswith("7 ")
    assert (found.step.expression, found.step.result) == ("3 + 3", "6")


def test_an_unsimplified_right_value_points_at_the_simplify_step(pack: Pack) -> None:
    exercise = pack.exercise_by_id("gen:decimals.decimal_to_fraction", 1)  # 0.18 = 9/50
    found = diagnose(exercise, "18/100")
    assert found is not None and found.step.operation == "simplify"
    assert found.step.result == "9/50" and "18/100" in found.student_step_text
    assert diagnose(exercise, "9/50") is None
