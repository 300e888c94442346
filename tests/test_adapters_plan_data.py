"""The repository's own training data: plans from the shipped pack, worded by authored phrasings."""

from __future__ import annotations

from collections import Counter

import pytest

from prompts import END_MARKER
from prompts.formats import MOVE_TASKS
from prompts.verify import check_words
from tutor import training_data as td

TASKS = ("hint", "feedback", "explain", "answer", "exercise")


@pytest.fixture(scope="module")
def examples() -> list[td.PlanExample]:
    return td.build_plan_examples(seeds=range(2))


def test_every_reference_passes_the_verifier_against_its_own_plan(
    examples: list[td.PlanExample],
) -> None:
    assert len(examples) > 300
    failing = [
        (e.plan.move, e.reference) for e in examples if not check_words(e.reference, e.plan).ok
    ]
    assert not failing


def test_every_task_and_move_kind_is_covered(examples: list[td.PlanExample]) -> None:
    moves = Counter(e.plan.move for e in examples)
    assert set(moves) == set(td.MOVES)
    assert {MOVE_TASKS[m] for m in moves} == set(TASKS)


def test_references_vary_within_a_move_kind(examples: list[td.PlanExample]) -> None:
    for phrasings in (td.HINT_FOCUS, td.HINT_OPERATION, td.LOCATE, td.CONTRAST, td.ENCOURAGE):
        assert len(phrasings) >= 3
    openings = Counter(
        e.reference.split(",")[0].split(".")[0] for e in examples if e.plan.move == "locate"
    )
    assert len(openings) >= 4


def test_held_out_skills_never_reach_training_or_validation(examples: list[td.PlanExample]) -> None:
    assert not {e.skill_key for e in examples} & set(td.HELD_OUT_SKILLS)
    held_out = td.build_plan_examples(split="heldout_skills", seeds=range(1))
    assert {e.skill_key for e in held_out} <= set(td.HELD_OUT_SKILLS)
    assert set(td.TRAIN_SEEDS).isdisjoint(td.EVAL_SEEDS)


def test_the_dataset_is_balanced_reproducible_and_needs_no_outside_files() -> None:
    def build() -> td.PlanDataset:
        return td.build_dataset(
            TASKS, train_per_task=6, validation_per_task=2, train_seeds=range(2),
            validation_seeds=range(100_000, 100_001),
        )  # fmt: skip

    one, two = build(), build()
    assert one.data_hash == two.data_hash and one.train == two.train
    assert Counter(e.task for e in one.train) == {t: 6 for t in TASKS}
    assert all(e.completion.endswith(END_MARKER) for e in one.train + one.validation)
    train_prompts = {e.prompt for e in one.train}
    assert not train_prompts & {e.prompt for e in one.validation}
