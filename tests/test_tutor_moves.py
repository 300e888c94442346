"""Moves as data: every plan the builders make, over every skill of the pack and many seeds,
has a template that passes its own verifier (so the words code writes obey the same rules
as the model's), and the plans that ask for a step's result never contain it."""

from __future__ import annotations

from random import Random

import pytest

from prompts.plan import Learner, MovePlan
from prompts.verify import check_words
from tutor.curriculum import load_default_pack
from tutor.curriculum.examples import similar_for_slip
from tutor.dialogue import moves
from tutor.dialogue.moves import leaks
from tutor.dialogue.steps import worth_asking

SEEDS = range(12)
LEARNER = Learner(name="Sam", grade=5)


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return load_default_pack()


def _plans(pack, skill_key: str, seed: int) -> list[MovePlan]:  # type: ignore[no-untyped-def]
    exercise = pack.exercise(skill_key, seed)
    current = moves.Current(exercise, pack.skills[skill_key].name, LEARNER)
    plans = [moves.solution(current)]
    for index, step in enumerate(exercise.solution):
        if worth_asking(exercise, index):
            plans.append(moves.substep(current, step))
            plans.append(moves.hint_operation(current, step))
    for rule in exercise.misconceptions:
        for answer, slip in zip(rule.answers, rule.slips, strict=False):
            if slip is not None and slip.student_step:
                step = exercise.solution[slip.step_index]
                plans.append(
                    moves.contrast(
                        current, step, student_step=slip.student_step, answer=str(answer)
                    )
                )
    similar = similar_for_slip(pack, exercise, None, Random(seed))
    if similar is not None:
        plans.append(moves.worked_example(current, similar))
    return [p for p in plans if p.reveals_answer or not leaks(p.template, exercise)]


def test_templates_pass_the_model_verifier_on_most_plans(pack) -> None:  # type: ignore[no-untyped-def]
    """Model words equal to a plan's template should pass the verifier that judges model words.

    Templates are shown without this check (they are code's words), so a refusal here only
    costs the model's wording of that plan. Measured on merge: 83.5% of 3,020 plans pass; the
    rest are verifier readings still to fix (lists of multiples read as sums, the statement's
    own numbers in a contrast, long worked examples). The floor keeps it from sliding back.
    """
    total, failures = 0, []
    for skill_key in pack.skills:
        for seed in SEEDS:
            for plan in _plans(pack, skill_key, seed):
                total += 1
                verdict = check_words(plan.template, plan)
                if not verdict.ok:
                    failures.append((skill_key, seed, plan.move, plan.template, verdict.problems))
    assert total >= 1000
    assert len(failures) / total <= 0.18, "\n".join(
        f"{f[0]} {f[1]} {f[2]}: {f[4]} <- {f[3]!r}" for f in failures[:6]
    )


def test_a_sub_step_plan_withholds_its_result_and_code_keeps_it(pack) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for skill_key in pack.skills:
        exercise = pack.exercise(skill_key, 1)
        current = moves.Current(exercise, "skill", LEARNER)
        for index, step in enumerate(exercise.solution):
            if not worth_asking(exercise, index):
                continue
            plan = moves.substep(current, step)
            assert plan.expected == step.result and plan.question in plan.template
            # words that go on to give the sub-step's result are refused (they no longer end
            # on the plan's question, and the result is not a number the plan allows)
            assert not check_words(f"{plan.template} It is {step.result}.", plan).ok
            checked += 1
    assert checked >= 20


def test_plans_render_as_the_prompts_the_adapters_were_trained_on(pack) -> None:  # type: ignore[no-untyped-def]
    from prompts.formats import FORMATS
    from prompts.planprompt import build_plan_request, plan_training_example

    rendered = 0
    for plan in _plans(pack, "whole.subtract", 3):
        if plan.task not in FORMATS:
            continue
        request = build_plan_request(plan).request
        example = plan_training_example(plan, plan.template)
        assert request.prompt == example.prompt, plan.move  # one renderer for both
        assert request.adapter == FORMATS[plan.task].adapter
        assert all(fact.split()[0] in request.prompt for fact in plan.facts)
        rendered += 1
    assert rendered >= 5
