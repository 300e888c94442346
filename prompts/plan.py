"""A teaching move as data: what the tutor will say, fixed by code before any word is written.

    exercise + trace + diagnosis ──► planner (tutor.dialogue) ──► MovePlan
                                                                     │
                       ┌─────────────────────────────────────────────┤
                       ▼                                             ▼
          template wording (`plan.template`)           prompt for the model (`prompts`)
                       │                                             │
                       │                             model text ──► verifier (plan's rules)
                       ▼                                             │ pass        │ fail
                  the student  ◄─────────────────────────────────────┘             ▼
                                                                        `plan.template`

The plan is the one contract between the planner (in `tutor`), the words (templates here,
adapters in `adapters`) and the verifier: every number the words may use, every fact they
must state, what they must never say. It is plain data (standard library types only) so the
training-data builder, the prompt formats and the verifier read the very same object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

MoveKind = Literal[
    "locate",  # point at the step where the answer went wrong, in the student's numbers
    "contrast",  # the student's step beside the right step, in their numbers
    "substep",  # ask a small question on one step; code checks the reply
    "hint_authored",  # hint level 1 where the pack authored one
    "hint_focus",  # hint: a focus question on the first unfinished step
    "hint_operation",  # hint: the step's operation with its numbers, not its result
    "worked_example",  # hint: the same method on other numbers that do not hide the slip
    "solution",  # the full worked solution (reveals the answer)
    "concept",  # a short concept explanation (what / why / how / when)
    "encourage",  # praise for a right answer, or effort after a wrong one
    "acknowledge",  # frustration or "I don't know": acknowledge, then a smaller step
    "redirect",  # off-topic: one friendly line, then the next step
    "exercise",  # an exercise's wording: a word problem around the spec's numbers
]

MOVE_KINDS: tuple[str, ...] = MoveKind.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Learner:
    """Who the words are for. Never a number the words may state; only tone and theme."""

    name: str
    grade: int | None = None
    style: str = "step-by-step"  # the stored explanation style
    interests: tuple[str, ...] = ()


@dataclass(frozen=True)
class MovePlan:
    """One move, fully decided: the words may only say what is here.

    - `task`: the prompt format that words this move (a name in `prompts.formats`).
    - `facts`: complete sentences, each true by code, in the tutor's own plain wording; a
      model may rephrase them but not change a number. The template is built from them.
    - `numbers`: every number the words may contain (as displayed: "12", "3/4", "0.5").
      Numbers of the exercise statement are included when the words may repeat them.
    - `must_say`: substrings that must appear in the words (case-insensitive), e.g. the
      column ("tens"), the step's operands ("12", "4").
    - `must_not_say`: substrings that must never appear: the answer's forms when the move
      does not reveal it, the misconception's wrong rule, the result a sub-step asks for.
    - `operation`: the operation the words must agree with ("subtract", "add", "multiply",
      "divide", ...); the verifier refuses words naming another operation for it.
    - `question`: the question the reply ends with (a sub-step, a focus question), or None.
    - `expected`: what code accepts as the reply to `question` (never shown, never prompted).
    - `reveals_answer`: True only for the worked solution; then the answer may appear.
    - `answer_forms`: the forms of the exercise's answer ("778", "x = 3", "3/4", "0.75");
      a leak is one of these in the words when `reveals_answer` is False.
    - `safe_equal_to_key`: numbers equal to the key that are legitimately present (a given
      quantity, the student's own answer, an earlier step's number): not a leak.
    - `template`: the wording code writes from the facts; shown whenever the model is not
      available or its words fail the verifier.
    - `learner`: whom to write for.
    """

    move: MoveKind
    task: str
    statement: str
    facts: tuple[str, ...]
    template: str
    learner: Learner
    numbers: tuple[str, ...] = ()
    must_say: tuple[str, ...] = ()
    must_not_say: tuple[str, ...] = ()
    operation: str | None = None
    question: str | None = None
    expected: str | None = None
    reveals_answer: bool = False
    answer_forms: tuple[str, ...] = ()
    safe_equal_to_key: tuple[str, ...] = ()
    skill_name: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=())  # named strings a format may need

    def __post_init__(self) -> None:
        if self.move not in MOVE_KINDS:
            raise ValueError(f"unknown move {self.move!r}; known: {', '.join(MOVE_KINDS)}")
        if not self.template.strip():
            raise ValueError(f"move {self.move!r}: a plan needs its template wording")
        if self.expected is not None and self.question is None:
            raise ValueError(f"move {self.move!r}: `expected` needs the `question` it answers")
