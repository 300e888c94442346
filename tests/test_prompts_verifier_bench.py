"""The verifier benchmark on a slice of held-out plans: bad outputs caught, good ones kept."""

from __future__ import annotations

from tutor import training_data as td
from tutor.verifier_bench import answer_spellings, build_cases, run_benchmark

TASKS = ("hint", "feedback", "explain", "answer", "exercise")


def test_every_kind_of_bad_output_is_caught_and_good_paraphrases_are_kept() -> None:
    examples = td.evaluation_plans(TASKS, per_task=4, split="validation")
    examples += td.evaluation_plans(TASKS, per_task=2, split="heldout_skills")
    result = run_benchmark(examples)
    assert sum(result.total.values()) >= 100
    assert set(result.total) >= {"wrong_maths", "leak", "misconception", "stray_number"}
    assert result.caught_share >= 0.99, [(c.kind, c.text) for c in result.missed]
    assert result.kept_share >= 0.98, [(c.text, p) for c, p in result.dropped]


def test_the_answer_is_spelled_many_ways_for_the_leak_cases() -> None:
    plan = td.evaluation_plans(("hint",), per_task=1)[0].plan
    fraction = plan.__class__(**{**plan.__dict__, "answer_forms": ("3/4",)})
    spellings = answer_spellings(fraction)
    for form in ("3/4", "6/8", r"\frac{3}{4}", "0.75", "0,75", "three quarters", "x = 3/4"):
        assert form in spellings
    good, bad = build_cases(td.evaluation_plans(("hint",), per_task=2))
    assert all(case.kind == "good" for case in good) and len(bad) > len(good)


def test_the_real_planners_templates_are_good_outputs_and_kept() -> None:
    """The adapters learn to word plans like the planner's templates: a template the verifier
    refuses is a plan the model can never get through (issue 11: 16.5% were refused)."""
    from tutor.curriculum import load_default_pack
    from tutor.verifier_bench import AUTHORED, PLANNER, planner_harvest

    pack = load_default_pack()
    plans = planner_harvest(pack, seeds=(0, 7))
    assert {p.move for p in plans} >= {"solution", "substep", "contrast", "worked_example"}
    examples = td.evaluation_plans(("hint",), per_task=2, split="validation")
    result = run_benchmark(examples, planner=plans)
    assert result.good_by_source[PLANNER] == len(plans) >= 150
    assert result.good_by_source[AUTHORED] >= 2
    assert result.bad_by_source[PLANNER] >= 500  # every third template, corrupted
    assert result.caught_share_of(PLANNER) >= 0.99, [(c.kind, c.text) for c in result.missed]
    assert result.kept_share_of(PLANNER) >= 0.98, [
        (c.plan.move, c.text, p) for c, p in result.dropped if c.source == PLANNER
    ][:5]
