"""The hint ladder: a nudge, then a hint pointed at the student's error, then a worked example
of a similar exercise with other numbers.

The answer of the current exercise is not a field of the hint format, so neither the prompt
nor the template can carry it; the similar example is chosen so that its own answer does not
equal this one (two fraction sums can share a result), and the output guard checks every
generated hint anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random
from typing import Any

TOP_LEVEL = 3
SIMILAR_TRIES = 12


def level_for(hints_used: int) -> int:
    """The rung to show next, given the hints already shown on this exercise."""
    return min(max(hints_used, 0) + 1, TOP_LEVEL)


def step_line(step: Any) -> str:
    """A solution step in words with its sum: "Add the numerators: 2 + 4 = 6"."""
    if step.expression and step.expression in step.text:  # a trace step already shows its sum
        return step.text
    text = step.text.rstrip(".")
    if step.expression and step.result and step.expression != step.result:
        return f"{text}: {step.expression} = {step.result}"
    if step.expression:
        return f"{text}: {step.expression}"
    return f"{text}."


def step_lines(exercise: Any) -> list[str]:
    return [step_line(step) for step in exercise.solution]


def worked_example(similar: Any) -> str:
    """A similar exercise written out with its steps and its (different) answer."""
    steps = "\n".join(f"{i}. {line}" for i, line in enumerate(step_lines(similar), start=1))
    return f"{similar.statement}\n{steps}\nAnswer: {similar.answer_text}"


def pick_similar(
    pack: Any, exercise: Any, *, leaks: Callable[[str], bool], rng: Random
) -> Any | None:
    """Another exercise of the same family whose worked example does not state our answer."""
    for _ in range(SIMILAR_TRIES):
        try:
            similar = pack.similar_exercise(exercise, rng.randrange(2**31))
        except (KeyError, ValueError, LookupError):
            return None
        if similar.statement != exercise.statement and not leaks(worked_example(similar)):
            return similar
    return None


def hint_fields(
    *,
    skill_name: str,
    statement: str,
    level: int,
    student_answer: str | None = None,
    misconception: str | None = None,
    similar_example: str | None = None,
) -> dict[str, object]:
    """The `hint` format's fields for one rung; optional fields only when there is something."""
    fields: dict[str, object] = {"skill_name": skill_name, "statement": statement, "level": level}
    if level >= 2 and student_answer:
        fields["student_answer"] = student_answer
    if level >= 2 and misconception:
        fields["misconception"] = misconception
    if level >= 3 and similar_example:
        fields["similar_example"] = similar_example
    return fields
