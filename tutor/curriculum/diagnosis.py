"""Diagnosis to the step: where a wrong answer leaves the worked solution, in the student's
numbers, so feedback can point at the column, the denominator, the step.

    wrong answer ──► a catalogued misconception predicts it? ──yes──► its replayed StepSlip
                          │ no                                        (generator, same numbers)
                          ▼
     column + − × (whole numbers, decimals): the first column whose digit differs
                          │ no
                          ▼
            equal to an earlier step's result: stopped there, the next step is missing
                          │ no
                          ▼
                 Diagnosis with step_index None (only "not quite")

A generator replays each wrong rule on its own trace when it builds the exercise
(`MisconceptionRule.slips`), so this module only looks the answer up; the fallbacks read the
trace's `place` and `result` fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy

from tutor.curriculum.answers import AnswerFormatError, read_answer
from tutor.curriculum.checker import key_value
from tutor.curriculum.model import Exercise, SolutionStep
from tutor.curriculum.notation import NotationError, read_value

StudentValue = Fraction | tuple[Fraction, ...]
COLUMN_OPERATIONS = ("add", "subtract", "multiply")  # spec operations checked column by column
COLUMN_SCALES = {"whole": 1, "decimals": 100}  # generator groups written in columns: the
# answer times this is the whole number whose digits the column steps write


@dataclass(frozen=True)
class Diagnosis:
    """Where a wrong answer departs from the trace.

    - `misconception_id`: the catalogued wrong idea that predicts the answer, or None.
    - `step_index`: index in `exercise.solution` of the first step the answer departs at, or
      None when no step can be named (then only "not quite" can be said).
    - `step`: that step, done right (its `expression`, `result`, `place`, `question`).
    - `student_step_text`: the student's version of the step in their numbers ("4 − 0 = 4",
      "3 in the tens column"), or None.
    - `place`: where the step happens ("tens column", "denominator"), or None.
    - `numbers`: the numbers involved, the student's and the right step's, as displayed.
    - `student_answer`: the answer as we read it, displayed ("342", "5/7").
    """

    misconception_id: str | None
    step_index: int | None
    step: SolutionStep | None
    student_step_text: str | None
    place: str | None
    numbers: tuple[str, ...]
    student_answer: str

    @property
    def summary(self) -> str | None:
        """One plain sentence contrasting the two versions of the step (template wording)."""
        if self.step is None or self.student_step_text is None:
            return None
        where = f"{self.place[0].upper()}{self.place[1:]}: " if self.place else ""
        right = (
            f"{self.step.expression} = {self.step.result}"
            if self.step.expression and self.step.result
            else self.step.text.rstrip(".")
        )
        return f"{where}your step: {self.student_step_text}; the right step: {right}."


def diagnose(
    exercise: Exercise, answer: str | StudentValue | int | sympy.Basic
) -> Diagnosis | None:
    """The first step a wrong answer departs at; None when it is right or cannot be read.
    (A right value typed unsimplified where lowest terms are asked points at the simplify
    step.)

    `answer` is what the student typed (read like the checker reads it) or a value in the
    key's domain (a Fraction, a percentage as its fraction, a tuple of ratio parts).
    """
    value = _student_value(exercise, answer)
    if value is None:
        return None
    shown = answer.strip() if isinstance(answer, str) else _display(value, exercise)
    if value == key_value(exercise.answer.value, exercise.answer):
        return _not_simplified(exercise, answer, shown)
    for rule in exercise.misconceptions:
        for i, predicted in enumerate(rule.answers):
            if key_value(predicted, exercise.answer) != value:
                continue
            slip = rule.slips[i] if i < len(rule.slips) else None
            if slip is None:
                return Diagnosis(rule.id, None, None, None, None, (), shown)
            step = exercise.solution[slip.step_index]
            return Diagnosis(
                rule.id, slip.step_index, step, slip.student_step, step.place, slip.numbers, shown
            )
    return (
        _first_differing_column(exercise, value, shown)
        or _stopped_early(exercise, value, shown)
        or Diagnosis(None, None, None, None, None, (), shown)
    )


def _student_value(
    exercise: Exercise, answer: str | StudentValue | int | sympy.Basic
) -> StudentValue | None:
    key = exercise.answer
    if isinstance(answer, str):
        try:
            parsed = read_answer(answer)
        except AnswerFormatError:
            return None
        if key.kind == "ratio":
            return key_value(sympy.Tuple(*parsed.parts), key) if parsed.kind == "ratio" else None
        if parsed.kind != "number" or parsed.value is None:
            return None
        if key.kind == "percent" and not parsed.percent:
            return parsed.value / 100
        return parsed.value
    if isinstance(answer, tuple):
        return key_value(sympy.Tuple(*answer), key) if key.kind == "ratio" else None
    if key.kind == "ratio" and not isinstance(answer, sympy.Tuple):
        return None
    return key_value(answer, key)


def _display(value: StudentValue, exercise: Exercise) -> str:
    if isinstance(value, tuple):
        return ":".join(str(p) for p in value)
    if exercise.answer.kind == "percent":
        return f"{value * 100}%"
    return str(value)


def _first_differing_column(
    exercise: Exercise, value: StudentValue, shown: str
) -> Diagnosis | None:
    """Column +, − and × (whole numbers; decimals in hundredths): the lowest column where the
    student's digit is not the key's."""
    scale = COLUMN_SCALES.get(exercise.id.removeprefix("gen:").split(".")[0])
    if (
        scale is None
        or exercise.spec.get("operation") not in COLUMN_OPERATIONS
        or not isinstance(value, Fraction)
        or (value * scale).denominator != 1
        or value < 0
    ):
        return None
    key = key_value(exercise.answer.value, exercise.answer)
    if not isinstance(key, Fraction):  # a ratio key has no columns
        return None
    right = str(int(key * scale))[::-1]
    theirs = str(int(value * scale))[::-1]
    columns = [
        (i, s) for i, s in enumerate(exercise.solution) if s.place and s.place.endswith("column")
    ]
    if not columns:
        return None
    for place in range(max(len(right), len(theirs))):
        want = right[place] if place < len(right) else ""
        got = theirs[place] if place < len(theirs) else ""
        if want == got:
            continue
        index, step = columns[min(place, len(columns) - 1)]
        if place >= len(columns) - 1:  # the top column writes all its digits
            got, want = theirs[len(columns) - 1 :][::-1], right[len(columns) - 1 :][::-1]
        text = f"{got or 'nothing'} written in the {step.place}"
        return Diagnosis(
            None, index, step, text, step.place, tuple(n for n in (got, want) if n), shown
        )
    return None


def _not_simplified(
    exercise: Exercise, answer: str | StudentValue | int | sympy.Basic, shown: str
) -> Diagnosis | None:
    """The right value where lowest terms are asked, typed unsimplified: the simplify step."""
    if not (exercise.answer.simplest and isinstance(answer, str)):
        return None
    try:
        if not read_answer(answer).unsimplified:
            return None
    except AnswerFormatError:
        return None
    index = next(
        (
            i
            for i in reversed(range(len(exercise.solution)))
            if exercise.solution[i].operation == "simplify"
        ),
        None,
    )
    if index is None:
        return None
    step = exercise.solution[index]
    return Diagnosis(
        None, index, step, f"{shown}, not yet in its simplest form", step.place, (shown,), shown
    )


def _stopped_early(exercise: Exercise, value: StudentValue, shown: str) -> Diagnosis | None:
    """The answer is an earlier step's result: the student stopped there."""
    for i, step in enumerate(exercise.solution[:-1]):
        if step.result is None:
            continue
        try:
            if read_value(step.result) != value:
                continue
        except NotationError:
            continue
        following = exercise.solution[i + 1]
        return Diagnosis(
            None,
            i + 1,
            following,
            f"{step.result}, the result of an earlier step, and stopped there",
            following.place,
            (step.result,),
            shown,
        )
    return None
