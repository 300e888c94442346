"""Steps of the trace the dialogue points at: where a wrong answer departs, which steps are
worth asking as a sub-step, and whether a reply equals a step's result.

Everything here reads the exercise's trace (`Exercise.solution`) and the curriculum's own
readers (`curriculum.diagnosis`, the answer parser), never the store, so the planner can call
it inside the turn's transaction: none of it runs the equivalence checker.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from tutor.curriculum import AnswerFormatError, parse_answer
from tutor.curriculum.diagnosis import diagnose
from tutor.curriculum.model import Exercise
from tutor.dialogue import moves
from tutor.dialogue.moves import leaks


@dataclass(frozen=True)
class Slip:
    """Where a wrong answer departs from the trace: the step, and the student's version."""

    step_index: int
    student_step: str | None
    misconception: str | None


def slip_of(exercise: Exercise, answer: str) -> Slip | None:
    """The step a wrong answer departs at (`curriculum.diagnosis`: a catalogued slip replayed
    on the trace, else the first column that differs, else a step it stopped at), or None
    when no step can be named. Reads the answer with the parser only (no equivalence check),
    so it is cheap enough for the turn's transaction."""
    found = diagnose(exercise, answer)
    if found is None or found.step_index is None:
        return None
    if not 0 <= found.step_index < len(exercise.solution):
        return None
    rule = next((r for r in exercise.misconceptions if r.id == found.misconception_id), None)
    return Slip(
        found.step_index, found.student_step_text, rule.description if rule is not None else None
    )


def first_askable(exercise: Exercise, start: int = 0) -> int | None:
    """The first step from `start` worth asking as a sub-step, if any."""
    for index in range(start, len(exercise.solution)):
        if worth_asking(exercise, index):
            return index
    return None


def worth_asking(exercise: Exercise, index: int) -> bool:
    """A step to ask as a sub-step: it has a question and a result, and its result is not
    the exercise's answer (asking that would be asking the exercise again)."""
    step = exercise.solution[index]
    if not moves.askable(step) or step.result is None:
        return False
    if same_value(step.result, exercise.answer_text):
        return False
    return not leaks(moves.step_question(step) or "", exercise)


def same_value(reply: str, expected: str) -> bool | None:
    """Whether a sub-step reply equals the step's result (None: not readable as a number)."""
    try:
        got = parse_answer(reply)
        want = parse_answer(expected.split("=")[-1])
    except (AnswerFormatError, ValueError, TypeError):
        return None
    try:
        return bool(got == want) or Fraction(str(got)) == Fraction(str(want))
    except (ValueError, TypeError, ZeroDivisionError):
        return bool(got == want)
