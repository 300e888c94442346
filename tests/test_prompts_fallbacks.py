"""Template fallbacks: one per task, from the same fields, never holding what is not in them."""

from __future__ import annotations

import pytest

from prompts import TASKS, LearnerContext, MissingFieldError, fallback
from tests.test_prompts_builder import SAMPLES


@pytest.mark.parametrize("task", TASKS)
def test_every_task_has_a_fallback(task: str) -> None:
    text = fallback(task, SAMPLES[task])
    assert text.strip() and "###" not in text and "<student>" not in text


@pytest.mark.parametrize("task", TASKS)
def test_fallbacks_raise_on_a_missing_field_like_prompts(task: str) -> None:
    with pytest.raises(MissingFieldError):
        fallback(task, {})


def test_explain_follows_the_style() -> None:
    fields = SAMPLES["explain"]
    stepwise = fallback("explain", fields, LearnerContext(style="step-by-step"))
    short = fallback("explain", fields, LearnerContext(style="short"))
    example = fallback("explain", fields, LearnerContext(style="example"))
    assert "1. The denominators are equal.\n2. Add the numerators: 1 + 2 = 3." in stepwise
    assert "\n" not in short and short.endswith("So the answer is 3/4.")
    assert "example" in example and "3/4" in example
    assert all("the denominator" in t for t in (stepwise, short, example))  # the focus


def test_hint_levels() -> None:
    base = {"skill_name": "adding fractions", "statement": "What is 1/4 + 2/4?"}
    one = fallback("hint", {**base, "level": 1, "student_answer": "3/8"})
    two = fallback(
        "hint",
        {**base, "level": 2, "student_answer": "3/8", "misconception": "adds the denominators"},
    )
    three = fallback("hint", {**base, "level": 3, "similar_example": "1/5 + 1/5 = 2/5."})
    three_without_example = fallback("hint", {**base, "level": 3, "misconception": "adds tops"})
    assert one.startswith("This exercise is about adding fractions. Look at what the question asks")
    assert "3/8" not in one
    assert "You answered 3/8" in two and "adds the denominators" in two
    assert "1/5 + 1/5 = 2/5." in three
    assert "adds tops" in three_without_example  # falls back to the level-2 text
    assert "This exercise is about" in fallback("hint", {**base, "level": 2})


def test_a_hint_fallback_cannot_leak_the_answer() -> None:
    # The answer is not a hint field, so no hint text can contain it unless a field does.
    for level in (1, 2, 3):
        text = fallback("hint", {**SAMPLES["hint"], "level": level})
        assert "3/4" not in text


def test_feedback_names_the_misconception() -> None:
    text = fallback("feedback", SAMPLES["feedback"])
    assert "3/8" in text and "adds the denominators" in text


def test_exercise_answer_and_summary_texts() -> None:
    assert fallback("exercise", SAMPLES["exercise"]) == (
        "Exercise on multiplication. Work with these values: a: 4; b: 3; object: apples."
    )
    answer = fallback("answer", {"question": "What is pi?"})
    assert "ask your teacher" in answer and "What is pi" not in answer
    assert fallback("summary", SAMPLES["summary"]) == (
        "Ada practised adding fractions, decimals for 12.5 min; accuracy 75%; "
        "hints used: 3; misconceptions seen: adds the denominators."
    )
    none_seen = fallback("summary", {**SAMPLES["summary"], "misconceptions": [], "accuracy": "n/a"})
    assert "misconceptions seen: none" in none_seen and "accuracy n/a" in none_seen
