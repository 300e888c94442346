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

# What a solution step does (`SolutionStep.operation`): one word a plan can ask the words for.
STEP_OPERATIONS: tuple[str, ...] = (
    "add",
    "subtract",
    "multiply",
    "divide",
    "carry",  # a column addition step that carries a ten to the next column
    "borrow",  # a column subtraction step that borrows from the next column
    "multiples",  # a list of multiples
    "factors",  # a list of factors
    "common_multiple",  # the first number in both lists of multiples
    "common_factor",  # the largest number in both lists of factors
    "common_denominator",  # choosing a denominator both fractions can be written over
    "rewrite",  # the same number written another way (an equivalent fraction, 0.5 as 5/10)
    "simplify",  # dividing top and bottom (or every part) by a common factor
    "place_value",  # reading a digit's place or value from a place-value chart
    "round",  # rounding at a place
    "compare",  # deciding which of two numbers is larger
    "power",  # repeated multiplication
    "reciprocal",  # flipping a fraction to divide by it
    "inverse",  # undoing an operation on both sides of an equation
    "percent",  # a percentage as a fraction of 100, or a 10% / 1% route
    "sign",  # the sign of a result (negative numbers)
    "answer",  # putting the pieces together into the answer
)


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
class StepSlip:
    """Where a predicted wrong answer leaves the worked solution, replayed by its generator.

    `step_index` is the first step of `Exercise.solution` the wrong rule changes;
    `student_step` is the student's version of that step in their numbers ("4 − 0 = 4");
    `numbers` are the numbers it involves, the student's and the right step's ("4", "0", "10").
    """

    step_index: int
    student_step: str
    numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class MisconceptionRule:
    """A named wrong idea and the wrong answers it predicts for one exercise.

    `answers` live in the same domain as the key's `value` (a Rational, a percentage as its
    fraction, or a Tuple for a ratio). `description` is student-facing and completes the
    sentence "It looks like you ...". `slips`, when given, has one entry per answer: the
    step where that wrong answer departs from the solution (`tutor.curriculum.diagnosis`).
    """

    id: str
    name: str
    description: str
    answers: tuple[sympy.Basic, ...]
    slips: tuple[StepSlip | None, ...] = ()


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
