"""Worked examples that teach the slip instead of hiding it.

After a diagnosed slip, a worked example on other numbers should make the slipped step
visible: after "you multiplied 6 × 4 for the lowest common multiple", two coprime numbers
(LCM = product) would show the student's own rule giving the right answer. So an example is
drawn from the same generator and the same operation (decimal subtraction stays
subtraction), and kept only when the same misconception would give a wrong answer on it,
preferably at the same place (a borrow in the tens column for a tens-column borrowing slip).
Its numbers differ from the exercise's answer so it cannot hand that answer over.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from tutor.curriculum.checker import key_value
from tutor.curriculum.mentions import reveals_answer
from tutor.curriculum.model import Exercise, FixedItem, GeneratorSource, StepSlip
from tutor.curriculum.pack import Pack

TRIES = 60  # candidates drawn before settling for the best one seen


def similar_for_slip(
    pack: Pack,
    exercise: Exercise,
    misconception_id: str | None,
    rng: random.Random,
    *,
    tries: int = TRIES,
) -> Exercise | None:
    """Another exercise of the same operation whose solution shows the step the slip gets
    wrong; None when the pack has none (then no worked example is better than a misleading
    one). With `misconception_id` None, any same-operation exercise with other numbers."""
    wanted = _slip_of(exercise, misconception_id)
    fallback: Exercise | None = None
    for candidate in _candidates(pack, exercise, rng, tries):
        if not _usable(candidate, exercise):
            continue
        if misconception_id is None:
            return candidate
        slip = _slip_of(candidate, misconception_id)
        if slip is None and not _predicts(candidate, misconception_id):
            continue
        if wanted is None or slip is None or _place(candidate, slip) == _place(exercise, wanted):
            return candidate
        fallback = fallback or candidate
    return fallback


def _candidates(
    pack: Pack, exercise: Exercise, rng: random.Random, tries: int
) -> Iterator[Exercise]:
    """Exercises that could stand beside this one: its generator with other seeds, or for a
    fixed item, the skill's generators and other items."""
    if exercise.id.startswith("gen:"):
        for _ in range(tries):
            yield pack.exercise_by_id(exercise.id, rng.randrange(2**31))
        return
    sources = [s for s in pack.sources_for(exercise.skill_key) if _source_id(s) != exercise.id]
    if not sources:
        return
    for _ in range(tries):
        source = rng.choice(sources)
        if isinstance(source, FixedItem):
            yield pack.exercise_by_id(source.source_id, 0)
        else:
            yield pack.exercise_by_id(source.source_id, rng.randrange(2**31))


def _source_id(source: GeneratorSource | FixedItem) -> str:
    return source.source_id


def _usable(candidate: Exercise, exercise: Exercise) -> bool:
    """Same operation, other numbers, and nothing in it states the exercise's answer."""
    if candidate.statement == exercise.statement:
        return False
    if exercise.id.startswith("gen:") and candidate.spec.get("operation") != exercise.spec.get(
        "operation"
    ):
        return False
    if candidate.answer.kind == exercise.answer.kind and key_value(
        candidate.answer.value, candidate.answer
    ) == key_value(exercise.answer.value, exercise.answer):
        return False
    shown = " ".join(
        [candidate.statement, candidate.answer_text]
        + [s.text for s in candidate.solution]
        + [s.result or "" for s in candidate.solution]
    )
    return not reveals_answer(shown, exercise)


def _predicts(exercise: Exercise, misconception_id: str) -> bool:
    return any(r.id == misconception_id for r in exercise.misconceptions)


def _slip_of(exercise: Exercise, misconception_id: str | None) -> StepSlip | None:
    for rule in exercise.misconceptions:
        if rule.id == misconception_id:
            return next((s for s in rule.slips if s is not None), None)
    return None


def _place(exercise: Exercise, slip: StepSlip) -> tuple[str | None, str | None]:
    step = exercise.solution[slip.step_index]
    return step.place, step.operation
