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
