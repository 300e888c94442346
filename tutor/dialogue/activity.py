"""Choosing what the student does next: the learner model's policy over the pack's skills,
plus the placement check for a new student and the test-out of a skill that is too easy.

Only skills the student has practised are passed to the policy as estimates: an unseen skill
is *not started* (it waits at its prior as a new skill), so one right answer does not make the
policy hop between "started" topics. Mastery for unlocking is the honest one when the caller
gives the unassisted counts (the stored `correct_count`, see `tutor.dialogue.mastery`).

Placement and test-out keep their small state in the student's stored preferences, under
`PLAN_KEY` (a JSON object; no schema change): the placement answers so far, the skills
credited (by placement or test-out) and a test-out in progress. `Sequencing` reads and writes
that object; every function here is pure, and the tutor stores the result in the turn's
transaction (`accounts.set_student_preferences`).

    new student ──► placement items (one per grade level, stop at the first wrong answer)
                         └─► credited skills ─► policy (credited = mastered) ─► first skill
    "too easy"/"skip" ──► test-out: 2 unassisted right in a row ─► credited, next skill
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from tutor.curriculum import Pack
from tutor.learner import policy
from tutor.learner.placement import (
    TestOut,
    ancestors,
    next_placement_item,
    placement_credit,
    placement_items,
)

PLAN_KEY = "learner_plan"
TestOutOutcome = Literal["passed", "going", "failed"]


def next_activity(
    pack: Pack,
    *,
    p_known: Mapping[str, float],
    due_reviews: Sequence[str],
    assigned: Sequence[tuple[str, datetime | None]],
    now: datetime,
    unassisted: Mapping[str, int] | None = None,
    credited: Collection[str] = (),
) -> policy.Activity:
    """The policy's `Activity(skill_key, kind, reason)`.

    `p_known`: the practised skills' estimates only (unseen skills are new, at their prior);
    `assigned`: (skill key, due date or None) in the teacher's order; `unassisted`: unassisted
    right answers per skill; `credited`: skills placed or tested out."""
    skills = list(pack.skills.values())
    practised = {k: p for k, p in p_known.items() if k in pack.skills}
    priors = {s.key: s.bkt.p_init for s in skills}
    due = [key for key in due_reviews if key in pack.skills]
    wanted = [policy.Assignment(key, due) for key, due in assigned if key in pack.skills]
    return policy.next_activity(
        skills=skills,
        p_known=practised,
        due_reviews=due,
        assigned=wanted,
        now=now,
        priors=priors,
        unassisted=unassisted,
        credited=[k for k in credited if k in pack.skills],
    )


@dataclass(frozen=True)
class Sequencing:
    """Placement and test-out state of one student (stored in preferences[PLAN_KEY])."""

    placement: Mapping[str, bool] = field(default_factory=dict)  # item skill -> right
    placement_done: bool = False
    credited: Mapping[str, str] = field(default_factory=dict)  # skill -> "placement"/"test_out"
    test_out: TestOut | None = None

    @classmethod
    def of(cls, preferences: Mapping[str, Any]) -> Sequencing:
        raw = preferences.get(PLAN_KEY) or {}
        test = raw.get("test_out")
        return cls(
            placement={str(k): bool(v) for k, v in (raw.get("placement") or {}).items()},
            placement_done=bool(raw.get("placement_done", False)),
            credited={str(k): str(v) for k, v in (raw.get("credited") or {}).items()},
            test_out=TestOut(str(test["skill"]), int(test["right"])) if test else None,
        )

    def into(self, preferences: Mapping[str, Any]) -> dict[str, Any]:
        """`preferences` with this state stored (a new dict)."""
        plan: dict[str, Any] = {
            "placement": dict(self.placement),
            "placement_done": self.placement_done,
            "credited": dict(self.credited),
        }
        if self.test_out is not None:
            plan["test_out"] = {"skill": self.test_out.skill_key, "right": self.test_out.right}
        return {**preferences, PLAN_KEY: plan}


def placement_item(pack: Pack, plan: Sequencing, *, practised: bool) -> str | None:
    """The skill of the next placement item for this student, or None: placement is for a
    new student (nothing practised yet) and ends at the first wrong answer."""
    if plan.placement_done or (practised and not plan.placement):
        return None
    return next_placement_item(placement_items(list(pack.skills.values())), plan.placement)


def after_placement_answer(
    pack: Pack, plan: Sequencing, skill_key: str, counted_correct: bool
) -> Sequencing:
    """Record a placement item's outcome (right and unassisted); when placement is over,
    credit the skills below the hardest item answered right."""
    answers = {**plan.placement, skill_key: counted_correct}
    items = placement_items(list(pack.skills.values()))
    if next_placement_item(items, answers) is not None:
        return replace(plan, placement=answers)
    credit = placement_credit(list(pack.skills.values()), answers)
    credited = {**{k: "placement" for k in credit}, **plan.credited}
    return replace(plan, placement=answers, placement_done=True, credited=credited)


def start_test_out(plan: Sequencing, skill_key: str) -> Sequencing:
    """ "Too easy" / "skip" on `skill_key`: the next answers on it are a test."""
    return replace(plan, test_out=TestOut(skill_key))


def after_test_out_answer(
    plan: Sequencing, skill_key: str, counted_correct: bool
) -> tuple[Sequencing, TestOutOutcome | None]:
    """Apply an answer on `skill_key` to a test-out in progress (None: no test on it).
    Passed: the skill is credited; failed (wrong or assisted): the test ends."""
    test = plan.test_out
    if test is None or test.skill_key != skill_key:
        return plan, None
    after = test.after(counted_correct)
    if after is None:
        return replace(plan, test_out=None), "failed"
    if after.passed:
        credited = {**plan.credited, skill_key: "test_out"}
        return replace(plan, test_out=None, credited=credited), "passed"
    return replace(plan, test_out=after), "going"


SequencingEvent = Literal["placement_done", "test_out_passed", "test_out_failed"]


def sequencing_after_answer(
    pack: Pack,
    preferences: Mapping[str, Any],
    *,
    skill_key: str,
    counted_correct: bool,
    placement_item_asked: bool,
) -> tuple[dict[str, Any] | None, SequencingEvent | None]:
    """The one call an answer turn makes: apply the answer (its model outcome: right and
    unassisted) to a placement or test-out in progress. Returns the preferences to store
    (None: unchanged) and what happened, for the words ("You tested out of ..."). A passed
    test-out credits the skill and every skill it builds on.

    `placement_item_asked`: the exercise answered was a placement item (the tutor asked it
    because `placement_item` named its skill)."""
    plan = Sequencing.of(preferences)
    if placement_item_asked and not plan.placement_done:
        after = after_placement_answer(pack, plan, skill_key, counted_correct)
        event: SequencingEvent | None = "placement_done" if after.placement_done else None
        return after.into(preferences), event
    after, outcome = after_test_out_answer(plan, skill_key, counted_correct)
    if outcome is None:
        return None, None
    if outcome == "going":
        return after.into(preferences), None
    if outcome == "passed":  # what the skill builds on is shown too
        below = ancestors(pack.skills, skill_key)
        after = replace(after, credited={**{k: "test_out" for k in below}, **after.credited})
        return after.into(preferences), "test_out_passed"
    return after.into(preferences), "test_out_failed"
