"""Moves as data: every plan the builders make, over every skill of the pack and many seeds,
has a template that passes its own verifier (so the words code writes obey the same rules
as the model's), and the plans that ask for a step's result never contain it."""

from __future__ import annotations

import pytest

from prompts.plan import Learner, MovePlan
from prompts.verify import check_words
from tutor.curriculum import load_default_pack
from tutor.dialogue import moves
from tutor.dialogue.steps import worth_asking
from tutor.verifier_bench import PLANNER_LEARNER, PLANNER_SEEDS, planner_plans

SEEDS = PLANNER_SEEDS
LEARNER: Learner = PLANNER_LEARNER


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return load_default_pack()


def _plans(pack, skill_key: str, seed: int) -> list[MovePlan]:  # type: ignore[no-untyped-def]
    """The planner's plans around one exercise (shared with the verifier benchmark)."""
    return planner_plans(pack, skill_key, seed, LEARNER)


def test_templates_pass_the_model_verifier_on_most_plans(pack) -> None:  # type: ignore[no-untyped-def]
    """Model words equal to a plan's template should pass the verifier that judges model words.

    Templates are shown without this check (they are code's words), so a refusal here costs
    the model's wording of that plan: the adapters learn to word plans like the templates.
    Measured: 83.5% of 3,020 plans passed at first; after issue 11 (verifier misreadings and
    planner wording fixed, 2026-12-01) all 3,020 pass (0 failures). The floor, 1%, leaves
    room for a wording change to be caught here before it spreads, not for a class of them.
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
    assert len(failures) / total <= 0.01, "\n".join(
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


def test_the_other_moves_templates_pass_the_verifier_too(pack) -> None:  # type: ignore[no-untyped-def]
    """locate, the focus rung, a told step and a sub-step's verdict (not in the harvest above):
    all 3,185 of seeds 0-11 pass (measured 2026-12-01, after issue 11)."""
    total, failures = 0, []
    for skill_key in pack.skills:
        for seed in SEEDS:
            exercise = pack.exercise(skill_key, seed)
            current = moves.Current(exercise, pack.skills[skill_key].name, LEARNER)
            plans = []
            for index, step in enumerate(exercise.solution):
                if worth_asking(exercise, index):
                    plans.append(moves.substep(current, step, kind="hint_focus"))
                    plans.append(moves.tell_step(current, step))
                    plans.append(moves.substep_done(current, step, right=True, reply=step.result))
                    plans.append(moves.substep_done(current, step, right=False, reply="1"))
            for rule in exercise.misconceptions:
                for answer, slip in zip(rule.answers, rule.slips, strict=False):
                    if slip is not None:
                        step = exercise.solution[slip.step_index]
                        misconception = slip.student_step or None
                        plans.append(
                            moves.locate(
                                current, step, answer=str(answer), misconception=misconception
                            )
                        )
            for plan in plans:
                if not plan.reveals_answer and moves.leaks(plan.template, exercise):
                    continue
                total += 1
                verdict = check_words(plan.template, plan)
                if not verdict.ok:
                    failures.append((skill_key, seed, plan.move, plan.template, verdict.problems))
    assert total >= 3000
    assert len(failures) / total <= 0.01, failures[:5]


def test_a_told_step_that_names_other_operations_is_held_to_its_sums(pack) -> None:  # type: ignore[no-untyped-def]
    """ "Tens column: 2 × 7 = 14, plus the 6 carried: 14 + 6 = 20" cannot be one operation."""
    exercise = pack.exercise("whole.multiply", 1)
    current = moves.Current(exercise, "skill", LEARNER)
    told = 0
    for index, step in enumerate(exercise.solution):
        if worth_asking(exercise, index):  # the planner never tells the last step (the answer)
            plan = moves.tell_step(current, step)
            assert check_words(plan.template, plan).ok, plan.template
            if "+" in plan.template and "×" in plan.template:
                assert plan.operation is None
                wrong = plan.template.replace(f"= {step.result}", f"= {int(step.result) + 1}")
                assert "maths" in check_words(wrong, plan).checks
                told += 1
    assert told >= 1


def _step(exercise, **wanted: str):  # type: ignore[no-untyped-def]
    return next(s for s in exercise.solution if all(getattr(s, k) == v for k, v in wanted.items()))


def test_a_told_step_does_not_repeat_a_result_its_words_already_give(pack) -> None:  # type: ignore[no-untyped-def]
    """ "−4: 32 ÷ (−8) = −4", "4 9/10: 4 + 9/10 = 4 9/10", "9:8: 54 ÷ 6 : 48 ÷ 6 = 9:8": a
    signed, mixed or ratio result was not found in the step's words and was appended again."""
    for skill_key in ("integers.mul_div", "fractions.mixed_add", "ratio.simplify"):
        for seed in SEEDS:
            for step in pack.exercise(skill_key, seed).solution:
                told = moves.step_sentence(step)
                if step.result and step.result in step.text:
                    assert told.count(step.result) == step.text.count(step.result), told


def test_both_sides_is_not_the_both_sides(pack) -> None:  # type: ignore[no-untyped-def]
    exercise = pack.exercise("equations.one_step_add", 2)
    current = moves.Current(exercise, "skill", LEARNER)
    step = _step(exercise, place="both sides")
    assert (
        "Look at both sides."
        in moves.contrast(current, step, student_step="x", answer="1").template
    )
    assert "on both sides" in moves.locate(current, step, answer="1", misconception=None).template
    assert "the both" not in moves.hint_operation(current, step).template


def test_a_carry_inside_a_product_is_a_multiplication(pack) -> None:  # type: ignore[no-untyped-def]
    """The ones column of 29 × 7 is "9 × 7" with a carry: its words are a product's."""
    for seed in SEEDS:
        exercise = pack.exercise("whole.multiply", seed)
        for step in exercise.solution:
            if (
                step.operation == "carry"
                and step.expression
                and "×" in moves.pretty(step.expression)
            ):
                assert moves.operation_word(step) == "multiply"
    exercise = pack.exercise("whole.add", 1)
    carries = [s for s in exercise.solution if s.operation == "carry"]
    assert all(moves.operation_word(s) == "add" for s in carries)


def test_a_percentage_key_is_guarded_in_every_spelling(pack) -> None:  # type: ignore[no-untyped-def]
    """The key 50% was kept as the form "50", so "The answer is 50%" was no leak."""
    exercise = pack.exercise("percent.from_fraction", 0)
    assert exercise.answer_text.endswith("%")
    assert moves.answer_forms(exercise) == (exercise.answer_text,)
    current = moves.Current(exercise, "skill", LEARNER)
    step = next(s for i, s in enumerate(exercise.solution) if worth_asking(exercise, i))
    plan = moves.substep(current, step)
    value = exercise.answer_text[:-1]
    for said in (f"{value}%", f"{value} percent", f"The answer is {value}"):
        text = plan.template.replace(" What", f" It is {said}. What", 1)
        assert "leak" in check_words(text, plan).checks, said


def test_a_required_number_is_one_the_template_states_as_a_number(pack) -> None:  # type: ignore[no-untyped-def]
    """ "10" was required of "rounded to the nearest 100" ("10" is inside "100")."""
    for skill_key in ("whole.rounding", "fractions.add_unlike"):
        for seed in SEEDS:
            for plan in _plans(pack, skill_key, seed):
                assert check_words(plan.template, plan).ok, plan.template


def test_now_you_names_the_statements_numbers_as_it_writes_them() -> None:
    """ "the same steps with 5 and 11" for "(−5) × (−11)" dropped the signs."""
    assert moves._your_turn("What is (−5) × (−11)?").startswith(
        "Now you: the same steps with −5 and −11."
    )
    assert "with 4 1/2 and 4 3/5." in moves._your_turn("What is 4 1/2 + 4 3/5?")
