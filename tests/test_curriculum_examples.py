"""Worked examples for a diagnosed slip: same operation, and the slip shows on them."""

from __future__ import annotations

import math
import random

import pytest

from tutor.curriculum import load_default_pack
from tutor.curriculum.checker import key_value
from tutor.curriculum.examples import similar_for_slip
from tutor.curriculum.model import Exercise
from tutor.curriculum.pack import Pack


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_default_pack()


def _first(pack: Pack, generator: str, accept) -> Exercise:
    for seed in range(5000):
        exercise = pack.exercise_by_id(generator, seed)
        if accept(exercise):
            return exercise
    raise LookupError(generator)


def test_an_lcm_example_after_the_product_slip_is_never_two_coprime_numbers(pack: Pack) -> None:
    exercise = _first(
        pack, "gen:factors.lcm", lambda e: e.spec == {"operation": "lcm", "a": "6", "b": "4"}
    )
    rng = random.Random(0)
    for _ in range(30):
        example = similar_for_slip(pack, exercise, "gives_product", rng)
        assert example is not None and example.statement != exercise.statement
        a, b = int(example.spec["a"]), int(example.spec["b"])
        assert math.gcd(a, b) > 1  # the product is not the LCM, so the slip would show


def test_a_decimal_subtraction_example_stays_a_subtraction(pack: Pack) -> None:
    exercise = _first(pack, "gen:decimals.add_sub", lambda e: e.spec["operation"] == "subtract")
    rng = random.Random(1)
    for _ in range(20):
        example = similar_for_slip(pack, exercise, None, rng)
        assert example is not None and example.spec["operation"] == "subtract"
        assert "−" in example.statement
    assert pack.similar_exercise(exercise, 7).spec["operation"] == "subtract"


def test_a_borrowing_example_borrows_in_the_same_column(pack: Pack) -> None:
    exercise = pack.exercise_by_id("gen:whole.subtract", 3)  # 894 − 116: borrow in the ones
    rng = random.Random(2)
    example = similar_for_slip(pack, exercise, "smaller_from_larger", rng)
    assert example is not None
    slip = next(r for r in example.misconceptions if r.id == "smaller_from_larger").slips[0]
    step = example.solution[slip.step_index]
    assert step.operation == "borrow" and step.place == "ones column"


def test_an_example_never_has_the_exercises_answer(pack: Pack) -> None:
    rng = random.Random(3)
    for _, generator in pack.generators():
        exercise = pack.exercise_by_id(f"gen:{generator}", 11)
        rule = exercise.misconceptions[0].id if exercise.misconceptions else None
        example = similar_for_slip(pack, exercise, rule, rng)
        assert example is not None, generator
        assert key_value(example.answer.value, example.answer) != key_value(
            exercise.answer.value, exercise.answer
        )
        if rule is not None:
            assert any(r.id == rule for r in example.misconceptions), generator


def test_a_fixed_item_finds_an_example_from_its_skill_with_the_same_slip(pack: Pack) -> None:
    item = pack.exercise_by_id("item:sweets-share", 0)
    example = similar_for_slip(pack, item, "shares_equally", random.Random(4))
    assert example is not None and example.skill_key == item.skill_key
    assert any(r.id == "shares_equally" for r in example.misconceptions)
