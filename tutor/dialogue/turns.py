"""What a turn decided, as data: the reply's parts and the store changes that go with them.

The planner returns a `Reply`; the `Tutor` applies its `effects` inside the turn's write
transaction, turns its `MovePlan`s into model parts (`tutor.dialogue.words`) and streams.
Keeping the effects as values keeps the planner free of sessions and the store free of policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from prompts.plan import MovePlan
from tutor.curriculum.model import Exercise
from tutor.dialogue.activity import Sequencing


@dataclass(frozen=True)
class Wording:
    """A reply part: the exercise's wording (the model's when its numbers match the spec)."""

    exercise: Exercise


ReplyPart = str | MovePlan | Wording


@dataclass(frozen=True)
class OpenExercise:
    """Make `exercise` the student's active exercise; `reason` is what a teacher reads."""

    exercise: Exercise
    kind: str  # "practice" | "review"
    reason: str


@dataclass(frozen=True)
class CloseExercise:
    """No exercise is open any more (every skill mastered)."""


@dataclass(frozen=True)
class CountHelp:
    """A hint, scaffold or worked example was shown: the next answer is given with help."""

    hints: int = 1


@dataclass(frozen=True)
class MarkSolutionShown:
    """The worked solution of the active exercise was shown."""


@dataclass(frozen=True)
class StorePlan:
    """Store the student's placement / test-out state (in their preferences)."""

    plan: Sequencing


Effect = OpenExercise | CloseExercise | CountHelp | MarkSolutionShown | StorePlan

SUBSTEP_MARK = ":substep:"  # a reply stored as "<task>:substep:<i>" asks step i; code checks it


def substep_task(task: str, step_index: int) -> str:
    """The stored task of a reply that asks step `step_index` ("hint:substep:2")."""
    return f"{task}{SUBSTEP_MARK}{step_index}"


def base_task(task: str | None) -> str | None:
    """The task without its sub-step mark ("hint:substep:2" -> "hint")."""
    return task.split(SUBSTEP_MARK, 1)[0] if task else task


def substep_of(task: str | None) -> int | None:
    """The step index a stored reply's task asks for, or None when it asks no sub-step."""
    if not task or SUBSTEP_MARK not in task:
        return None
    tail = task.rsplit(SUBSTEP_MARK, 1)[1]
    return int(tail) if tail.isdigit() else None


@dataclass(frozen=True)
class Reply:
    """A turn's decision: parts in order, the task the reply is stored under, store changes.

    `store`: False for a resubmitted answer (nothing new is written, the old verdict shown)."""

    parts: tuple[ReplyPart, ...]
    task: str | None = None
    effects: tuple[Effect, ...] = ()
    store: bool = True

    def then(self, other: Reply, *, task: str | None = None) -> Reply:
        """This reply followed by `other` (its parts and effects), stored under `task`."""
        return Reply(
            self.parts + other.parts,
            task=task or self.task or other.task,
            effects=self.effects + other.effects,
            store=self.store and other.store,
        )
