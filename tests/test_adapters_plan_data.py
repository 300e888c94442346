"""The repository's own training data: the real planner's plans, worded by authored phrasings."""

from __future__ import annotations

from collections import Counter

import pytest

from prompts import END_MARKER
from prompts.formats import MOVE_TASKS
from prompts.verify import check_words
from tests import test_tutor_fixtures
from tutor import training_data as td
from tutor.curriculum import load_default_pack

sessions = test_tutor_fixtures.sessions  # the shared fixture


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return load_default_pack()


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
    assert set(moves) >= set(td.PLANNER_MOVES) - {"hint_authored", "locate"}  # rare in 2 seeds
    assert {MOVE_TASKS[m] for m in moves} == set(TASKS)


def test_references_vary_within_a_move_kind(examples: list[td.PlanExample]) -> None:
    for move in ("contrast", "locate", "substep", "hint_operation", "solution", "concept"):
        assert len(td.OPENERS[move]) >= 3
    for move in ("contrast", "hint_operation", "solution"):
        starts = Counter(e.reference[:14] for e in examples if e.plan.move == move)
        assert len(starts) >= 4, (move, starts)


def test_the_tutor_sends_the_plans_training_wrote(sessions, pack) -> None:  # type: ignore[no-untyped-def]
    """The prompts the tutor sends carry the same plan blocks as the training examples for
    that exercise: the adapters learn on the planner's own plans, not on look-alikes."""
    import random

    from prompts import GenerationRequest
    from prompts.planprompt import plan_block
    from tests.test_tutor_fixtures import make_school
    from tests.test_tutor_teaching import _open, _say, borrowing_exercise
    from tutor.generation import ScriptedGenerator
    from tutor.tutor import Tutor

    def decline(request: GenerationRequest) -> str:
        return ""  # empty words fail the verifier: the template is shown

    (student,) = make_school(sessions, students=1).student_ids
    exercise, wrong, step_result = borrowing_exercise(pack)
    _open(sessions, student, exercise)
    generator = ScriptedGenerator(default=decline)
    tutor = Tutor(sessions=sessions, pack=pack, generator=generator, seed=3)
    for turn in (wrong, step_result, "hint", "hint", "hint", "I hate this", "solution"):
        _say(tutor.respond(student, turn))
    sent = {
        r.prompt.split("### Plan\n", 1)[1].split("\n### Response", 1)[0]
        for r in generator.requests
        if "### Plan" in r.prompt
    }
    learner = td.Learner(name="Sam")
    trained = {
        plan_block(p).split("\n", 1)[1]
        for p in td.planner_plans(pack, exercise, learner, random.Random(0))
    }
    deterministic = [b for b in sent if b.split("\n", 1)[0].split(": ")[1] in td.FIXED_MOVES]
    assert len(deterministic) >= 4, sent
    assert [b for b in deterministic if b not in trained] == []


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
