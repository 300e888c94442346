"""Acceptance 2: over 1,000 hints from a fake model that tries to state the answer in many
forms, not one reaches the student. The hints are the planner's own hint plans (authored hint,
the step's operation, the step done) worded through the tutor's reply path (`words_part`: the
plan's request, the verifier and leak guard of `accepts`, the template); the check of what was
shown is independent of the guard: it looks for the very strings the fake model wrote.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import partial
from random import Random

import pytest

import students_db as db
from prompts import GenerationRequest, LearnerContext
from prompts.plan import Learner, MovePlan
from prompts.verify import check_words
from tests import test_tutor_fixtures
from tests.test_tutor_fixtures import make_school
from tutor.curriculum import load_default_pack, reveals_answer
from tutor.curriculum.model import Exercise
from tutor.curriculum.pack import Pack
from tutor.dialogue import moves, texts
from tutor.dialogue.pipeline import ModelPart, ReplyStream
from tutor.dialogue.steps import first_askable
from tutor.dialogue.words import words_part
from tutor.generation import ScriptedGenerator, estimate_tokens
from tutor.tutor import Tutor


def _reveals(text: str, *, exercise) -> bool:  # type: ignore[no-untyped-def]
    return bool(reveals_answer(text, exercise))


SKILLS = (
    "fractions.add_like",
    "fractions.add_unlike",
    "fractions.multiply",
    "decimals.add_sub",
    "decimals.fraction_to_decimal",
    "percent.of_quantity",
    "whole.add",
    "whole.multiply",
    "integers.add_sub",
    "ops.brackets",
)
WORDS = {
    Fraction(1, 2): ["one half", "a half", "half"],
    Fraction(3, 4): ["three quarters", "three fourths", "three-quarters"],
    Fraction(1, 4): ["one quarter", "a quarter", "one fourth"],
    Fraction(2, 3): ["two thirds"],
    Fraction(1, 3): ["one third"],
}
SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]
SENTENCES = (
    "The answer is {}.",
    "So it is {}, easy!",
    "Hint: try {} and check.",
    "You should get {} if you add them up.",
    "It's {}",
    "{}",
    "Remember: {} is what we are after.",
)

sessions = test_tutor_fixtures.sessions  # the shared fixture


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return load_default_pack()


def leak_forms(exercise) -> list[str]:  # type: ignore[no-untyped-def]
    """The answer written every way a student (or a model) might write it."""
    forms = [exercise.answer_text]
    if exercise.answer.kind != "number":
        return forms
    value = Fraction(int(exercise.answer.value.p), int(exercise.answer.value.q))
    p, q = value.numerator, value.denominator
    forms += [f"x = {exercise.answer_text}", f"x={exercise.answer_text}"]
    if q != 1:
        forms += [f"{p}/{q}", f"{p} / {q}", f"{2 * p}/{2 * q}", f"{p} over {q}", f"{p}÷{q}"]
        forms += [f"{p} out of {q}", f"{p} divided by {q}"]
        if abs(p) > q:
            whole, rest = divmod(abs(p), q)
            forms.append(f"{'-' if p < 0 else ''}{whole} {rest}/{q}")
    decimal = _decimal(value)
    if decimal is not None:
        forms += [decimal, f"x={decimal}", f"x = {decimal}"]
        if "." in decimal and q != 1:
            forms.append(decimal.replace(".", ","))
        if decimal.startswith("0."):
            forms.append(decimal[1:])
        if 0 < value < 10:
            forms.append(f"{_decimal(value * 100)}%")
    forms += WORDS.get(value, [])
    if q == 1 and 0 <= p < len(SMALL):
        forms.append(SMALL[p])
    return forms


def _decimal(value: Fraction) -> str | None:
    q = value.denominator
    while q % 2 == 0:
        q //= 2
    while q % 5 == 0:
        q //= 5
    if q != 1:
        return None
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return text


def shown_forms(text: str, forms: list[str]) -> list[str]:
    """Which of `forms` appear in `text` as a whole number/word (not inside another one)."""
    found = []
    for form in forms:
        pattern = r"(?<![\w./,])" + re.escape(form) + r"(?![\w/]|[.,]\d)"
        if re.search(pattern, text, re.IGNORECASE):
            found.append(form)
    return found


def hint_plans(pack: Pack, exercise: Exercise) -> list[MovePlan]:
    """The planner's hint rungs for `exercise` (tutor.dialogue.planner `_rungs`, less the
    worked example): each rung whose own template does not state the answer."""
    current = moves.Current(exercise, pack.skills[exercise.skill_key].name, Learner("Ada"))
    plans = [moves.hint_authored(current, hint) for hint in exercise.hints[:1]]
    index = first_askable(exercise)
    if index is not None:
        step = exercise.solution[index]
        plans += [moves.hint_operation(current, step), moves.tell_step(current, step)]
    else:
        first = next((s for s in exercise.solution if s.expression), None)
        if first is not None:
            plans.append(moves.hint_operation(current, first))
    kept = [plan for plan in plans if not moves.leaks(plan.template, exercise)]
    return kept or [moves.hint_authored(current, texts.SAFE_HINT)]


def test_a_thousand_leaky_hints_leak_nothing(pack) -> None:  # type: ignore[no-untyped-def]
    rng = Random(2024)
    exercises = [pack.exercise(skill, seed) for skill in SKILLS for seed in range(100)]
    three_quarters = [e for e in exercises if e.answer_text == "3/4"]
    assert three_quarters, "the table needs exercises whose answer is 3/4"
    exercises = three_quarters * 10 + exercises
    attempts = leaked_by_model = shown_leaks = caught_by_leak_guard_alone = 0
    for exercise in exercises[:1100]:
        forms = leak_forms(exercise)
        plan = rng.choice(hint_plans(pack, exercise))
        # A model that words the plan, then blurts the answer in some form.
        said = f"{plan.template} {rng.choice(SENTENCES).format(rng.choice(forms))}"

        def leaky(request: GenerationRequest, said: str = said) -> str:
            return said

        generator = ScriptedGenerator(default=leaky)
        part = words_part(plan, LearnerContext(), generator=generator, exercise=exercise)
        assert isinstance(part, ModelPart) and part.request is not None  # the model is asked
        leaks = partial(_reveals, exercise=exercise)
        stream = ReplyStream([part], generator=generator, count_tokens=estimate_tokens,
                             notice_pending=False)  # fmt: skip
        shown = "".join(stream)
        attempts += 1
        leaked_by_model += bool(shown_forms(said, forms))
        caught_by_leak_guard_alone += check_words(said, plan).ok and leaks(said)
        # Forms the plan's own template already holds are the exercise's numbers (the
        # statement "Write 1/10 as a decimal." holds the form "1/10" of its answer 0.1).
        found = set(shown_forms(shown, forms)) - set(shown_forms(plan.template, forms))
        assert not found, (exercise.statement, exercise.answer_text, said, shown)
        shown_leaks += bool(found) or (leaks(shown) and not leaks(plan.template))
    assert attempts >= 1000
    assert leaked_by_model >= 0.9 * attempts  # the fake model really tried
    assert caught_by_leak_guard_alone >= 1  # words the verifier passes and the leak guard stops
    assert shown_leaks == 0


def test_hints_through_the_tutor_never_state_the_answer(
    sessions: db.SessionFactory,
    pack,  # type: ignore[no-untyped-def]
) -> None:
    school = make_school(sessions, students=3)
    rng = Random(7)
    current: dict[str, object] = {}

    def leaky(request: GenerationRequest) -> str:
        exercise = current["exercise"]
        return rng.choice(SENTENCES).format(rng.choice(leak_forms(exercise)))

    tutor = Tutor(sessions=sessions, pack=pack, generator=ScriptedGenerator(default=leaky), seed=3)
    checked = 0
    for student in school.student_ids:
        for _ in range(4):
            "".join(tutor.new_exercise(student))
            with db.read_session(sessions) as s:
                active = db.get_active_exercise(session=s, student_id=student)
            exercise = pack.exercise_by_id(active.exercise_id, active.seed)
            current["exercise"] = exercise
            for _ in range(4):
                shown = "".join(tutor.hint(student))
                assert not shown_forms(shown, leak_forms(exercise)), (exercise, shown)
                checked += 1
    assert checked == 48
