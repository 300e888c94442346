"""The curriculum's value types: what crosses from `tutor.curriculum` to the rest of the tutor.

All frozen. Numbers are exact (sympy `Rational`, or a sympy `Tuple` of them for a ratio):
code owns the numbers, so nothing here is a float.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import sympy

from tutor.learner.params import BktParams

AnswerKind = Literal["number", "percent", "ratio"]
AnswerStyle = Literal["integer", "fraction", "decimal", "percent", "ratio"]


@dataclass(frozen=True)
class AnswerKey:
    """The right answer of one exercise, and how a student's typing is read against it.

    - `kind="number"`: `value` is a `Rational`; `x = 3` and `3` both answer it.
    - `kind="percent"`: `value` is the fraction the percentage stands for (25% -> 1/4); a
      student's bare number counts as a percentage ("25" means 25%), so `25` and `25%` and
      `25 percent` are accepted, but `0.25` reads as 0.25%.
    - `kind="ratio"`: `value` is a sympy `Tuple` of the parts (3:4 -> (3, 4)); any
      proportional ratio is equivalent, and `simplest` then asks for lowest terms.
    `simplest`: an equivalent answer written as a fraction or ratio not in lowest terms is
    marked wrong with a message saying so (the skill is simplifying).
    `variable`: the unknown of an equation ("x"), shown in `answer_text`.
    """

    value: sympy.Basic
    kind: AnswerKind = "number"
    style: AnswerStyle = "fraction"
    simplest: bool = False
    variable: str | None = None


@dataclass(frozen=True)
class SolutionStep:
    """One step of a worked solution, as a teacher writes it, with the numbers code computed.

    A step is the unit everything else points at: diagnosis finds the first step a wrong
    answer departs from, a hint names a step's operation and operands without its result, a
    sub-step question asks for `result` and code checks the reply. So the numbers live in
    fields, not only in the words:

    - `text`: the step in words with proper notation (×, ÷, −, a/b), never code notation
      ("Ones column: 2 is less than 4, so borrow 1 ten: 12 − 4 = 8.").
    - `expression` / `result`: the sum this step does and what it comes to ("12 − 4", "8");
      `tutor content check` evaluates `expression` and compares it with `result`.
    - `operation`: what the step does, one word from `STEP_OPERATIONS` ("subtract", "borrow",
      "carry", "multiples", "common_denominator", "inverse", ...), so a plan can say which
      operation words the wording must use.
    - `operands`: the numbers the step starts from, as displayed ("12", "4").
    - `place`: where in the written method it happens ("ones column", "tens column",
      "denominator"), for feedback that points at it; None when it has no place.
    - `question`: a small question whose answer is `result` ("What is 12 − 4 in the ones
      column?"), asked as a sub-step scaffold; None for a step that is not worth asking.
    """

    text: str
    expression: str | None = None
    result: str | None = None
    operation: str | None = None
    operands: tuple[str, ...] = ()
    place: str | None = None
    question: str | None = None


@dataclass(frozen=True)
class MisconceptionRule:
    """A named wrong idea and the wrong answers it predicts for one exercise.

    `answers` live in the same domain as the key's `value` (a Rational, a percentage as its
    fraction, or a Tuple for a ratio). `description` is student-facing and completes the
    sentence "It looks like you ...".
    """

    id: str
    name: str
    description: str
    answers: tuple[sympy.Basic, ...]


@dataclass(frozen=True)
class Exercise:
    """One exercise, rebuilt exactly from `(id, seed)`.

    `id` names the source: `gen:<generator>` or `item:<item id>`. `statement` is the template
    wording in plain text. `spec` is the structured description whose numbers are fixed by
    code (strings such as "1/4" or "15%" and an "operation" name); a model-written wording
    must use exactly `spec_numbers(spec)`. The spec never holds the answer. `answer_text` is
    the canonical display form of the key ("3/4", "0.75", "25%", "3:4", "x = 3").
    """

    id: str
    skill_key: str
    seed: int
    statement: str
    answer: AnswerKey
    answer_text: str
    solution: tuple[SolutionStep, ...]
    misconceptions: tuple[MisconceptionRule, ...] = ()
    hints: tuple[str, ...] = ()
    spec: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class GeneratorSource:
    """An exercise source: a registered generator family, by name ("fractions.add_unlike")."""

    generator: str

    @property
    def source_id(self) -> str:
        return f"gen:{self.generator}"


@dataclass(frozen=True)
class FixedItem:
    """An authored exercise: statement, accepted answers, solution steps, hints.

    `answer` is the key (the pack lists accepted answers; they must all be equivalent, since
    the checker accepts every equivalent form). `skills` tags the skills it practises (the
    first is its home skill).
    """

    id: str
    statement: str
    answer: AnswerKey
    answer_text: str
    solution: tuple[SolutionStep, ...]
    hints: tuple[str, ...]
    skills: tuple[str, ...]
    misconceptions: tuple[MisconceptionRule, ...] = ()

    @property
    def source_id(self) -> str:
        return f"item:{self.id}"


Source = GeneratorSource | FixedItem


@dataclass(frozen=True)
class Skill:
    """A node of the prerequisite graph: what is learnt, when, and where exercises come from."""

    key: str
    name: str
    description: str
    prerequisites: tuple[str, ...]
    grade_band: tuple[int, int]
    bkt: BktParams
    sources: tuple[Source, ...]
