"""The slow part of a turn, done BEFORE its write transaction opens.

Checking an answer can take up to the checker's time limit (sympy equivalence), and judging
earlier attempts genuine runs the checker again; neither may hold the store's write lock
(issue 13, finding 4). So a turn first reads the active exercise, the open sub-step and the
recent attempts in a read transaction (`state.peek_turn`), does this work, and only then
opens the write transaction, where it re-reads the state and uses the verdict only if it was
checked against the same exercise and sub-step (`CheckedAnswer.matches`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tutor.curriculum import CheckResult, check_answer
from tutor.curriculum.model import Exercise
from tutor.dialogue.effort import is_genuine_attempt
from tutor.dialogue.intent import Intent, classify
from tutor.dialogue.state import Peek
from tutor.dialogue.steps import same_value


@dataclass(frozen=True)
class CheckedAnswer:
    """An answer checked before the turn's transaction, and what it was checked against."""

    exercise_id: str
    seed: int
    substep: int | None  # the open sub-step this reply answers (None: the exercise itself)
    answer: str
    result: CheckResult | None  # the exercise's verdict (None when the sub-step took it)
    substep_right: bool | None = None
    genuine: bool = False  # a real try at the exercise (the solution gate), not junk

    def matches(self, exercise: Exercise, step: int | None, answer: str) -> bool:
        opened = step if self.substep is None else self.substep
        return (self.exercise_id, self.seed, self.answer) == (
            exercise.id,
            exercise.seed,
            answer,
        ) and opened == step


@dataclass(frozen=True)
class Prepared:
    """What a turn worked out before its transaction."""

    checked: CheckedAnswer | None  # the answer's verdict, when the message is an answer
    tried: bool  # a genuine attempt at the active exercise (the solution gate)


def check_reply(
    exercise: Exercise, step: int | None, answer: str, earlier: Sequence[str]
) -> CheckedAnswer:
    """A reply while a sub-step is open answers the sub-step, unless it answers the whole
    exercise right; otherwise it is an answer to the exercise, checked by the curriculum."""
    ids = (exercise.id, exercise.seed)
    if step is not None and 0 <= step < len(exercise.solution):
        expected = exercise.solution[step].result or ""
        right = same_value(answer, expected) if expected else None
        if right:
            return CheckedAnswer(*ids, step, answer, None, True)
        result = check_answer(exercise, answer)
        if (
            not result.correct
            and right is not None
            and not aims_at_exercise(answer, expected, exercise, result)
        ):
            return CheckedAnswer(*ids, step, answer, None, False)
    else:
        result = check_answer(exercise, answer)
    genuine = result.status != "malformed" and is_genuine_attempt(
        answer, exercise, earlier_answers=earlier
    )
    return CheckedAnswer(*ids, None, answer, result, genuine=genuine)


def aims_at_exercise(answer: str, expected: str, exercise: Exercise, result: CheckResult) -> bool:
    """A reply to an open sub-step that is really an answer to the whole exercise: one that
    a catalogued slip predicts, or a number sized like the answer rather than the step."""
    if result.misconception is not None:
        return True
    digits = len(re.sub(r"\D", "", answer))
    return digits > len(re.sub(r"\D", "", expected)) and digits >= len(
        re.sub(r"\D", "", exercise.answer_text)
    )


def prepare_turn(peek: Peek, exercise: Exercise, text: str | None) -> Prepared:
    """Check `text` when it is an answer (to the open sub-step or the exercise), and judge
    whether an earlier attempt at `exercise` was genuine."""
    here = (exercise.id, exercise.seed)
    mine = [a.answer for a in peek.attempts if (a.exercise_id, a.seed) == here]
    tried = any(
        is_genuine_attempt(answer, exercise, earlier_answers=mine[i + 1 :])
        for i, answer in enumerate(mine)
    )
    checked = None
    if text is not None:
        found = classify(text, has_exercise=True, skill_key=exercise.skill_key)
        if found.intent is Intent.ANSWER:
            checked = check_reply(exercise, peek.substep, found.answer_text or text, mine)
    return Prepared(checked, tried=tried)
