"""Sequencing: unseen skills are not started, a new student is placed by a short check, and
a student tests out of a skill that is too easy with two unassisted right answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tutor.curriculum import load_default_pack
from tutor.dialogue.activity import (
    PLAN_KEY,
    Sequencing,
    after_placement_answer,
    after_test_out_answer,
    next_activity,
    placement_item,
    start_test_out,
)
from tutor.learner.placement import MAX_PLACEMENT_ITEMS, placement_items

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def pack():
    return load_default_pack()


def _place(pack, knows) -> Sequencing:
    """Run the placement check for a student who answers an item right when `knows` it."""
    plan = Sequencing()
    asked = 0
    while (item := placement_item(pack, plan, practised=False)) is not None:
        asked += 1
        plan = after_placement_answer(pack, plan, item, knows(pack.skills[item]))
    assert asked <= MAX_PLACEMENT_ITEMS and plan.placement_done
    return plan


def test_an_unseen_skill_is_new_not_started(pack) -> None:
    """One practised skill: the policy goes on with it, instead of treating all 44 skills as
    started at their priors and hopping to the least-known one."""
    first = next_activity(pack, p_known={}, due_reviews=(), assigned=(), now=NOW)
    assert (first.skill_key, first.kind) == ("whole.place_value", "new")
    going = next_activity(
        pack, p_known={"whole.place_value": 0.6}, due_reviews=(), assigned=(), now=NOW
    )
    assert (going.skill_key, going.kind) == ("whole.place_value", "practice")


def test_mastery_for_unlocking_needs_the_unassisted_count(pack) -> None:
    high = {"whole.place_value": 0.99}
    short = next_activity(
        pack,
        p_known=high,
        due_reviews=(),
        assigned=(),
        now=NOW,
        unassisted={"whole.place_value": 2},
    )
    enough = next_activity(
        pack,
        p_known=high,
        due_reviews=(),
        assigned=(),
        now=NOW,
        unassisted={"whole.place_value": 3},
    )
    assert short.skill_key == "whole.place_value"
    assert enough.skill_key != "whole.place_value"


def test_placement_is_short_and_ordered_by_grade(pack) -> None:
    items = placement_items(list(pack.skills.values()))
    assert 3 <= len(items) <= MAX_PLACEMENT_ITEMS
    tops = [pack.skills[k].grade_band[1] for k in items]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)


def test_a_strong_grade_6_student_does_not_start_on_place_value(pack) -> None:
    plan = _place(pack, lambda skill: skill.grade_band[0] <= 6)
    first = next_activity(
        pack,
        p_known={},
        due_reviews=(),
        assigned=(),
        now=NOW,
        unassisted={},
        credited=plan.credited,
    )
    assert first.skill_key not in ("whole.place_value", "whole.rounding", "whole.add")
    assert pack.skills[first.skill_key].grade_band[1] >= 6, first


def test_a_student_who_misses_the_first_item_starts_at_the_beginning(pack) -> None:
    plan = _place(pack, lambda skill: False)
    assert len(plan.placement) == 1 and not plan.credited
    first = next_activity(
        pack, p_known={}, due_reviews=(), assigned=(), now=NOW, credited=plan.credited
    )
    assert first.skill_key == "whole.place_value"


def test_placement_is_only_for_a_new_student(pack) -> None:
    assert placement_item(pack, Sequencing(), practised=True) is None
    assert placement_item(pack, Sequencing(), practised=False) is not None


def test_testing_out_takes_two_unassisted_right_answers(pack) -> None:
    plan = start_test_out(Sequencing(), "whole.add")
    plan, outcome = after_test_out_answer(plan, "whole.add", True)
    assert outcome == "going" and "whole.add" not in plan.credited
    plan, outcome = after_test_out_answer(plan, "whole.add", True)
    assert outcome == "passed" and plan.credited["whole.add"] == "test_out"
    assert plan.test_out is None


def test_a_wrong_or_assisted_answer_ends_the_test(pack) -> None:
    plan = start_test_out(Sequencing(), "whole.add")
    plan, _ = after_test_out_answer(plan, "whole.add", True)
    plan, outcome = after_test_out_answer(plan, "whole.add", False)
    assert outcome == "failed" and plan.test_out is None and not plan.credited


def test_the_state_round_trips_through_preferences() -> None:
    plan = start_test_out(Sequencing(placement={"a": True}, credited={"b": "placement"}), "c")
    prefs = plan.into({"style": "short"})
    assert prefs["style"] == "short" and PLAN_KEY in prefs
    assert Sequencing.of(prefs) == plan
    assert Sequencing.of({}) == Sequencing()


def test_one_call_per_answer_drives_placement_and_test_out(pack) -> None:
    from tutor.dialogue.activity import sequencing_after_answer

    prefs: dict = {"style": "short"}
    events = []
    while (item := placement_item(pack, Sequencing.of(prefs), practised=False)) is not None:
        changed, event = sequencing_after_answer(
            pack, prefs, skill_key=item, counted_correct=True, placement_item_asked=True
        )
        prefs, events = changed or prefs, [*events, event]
    assert events[-1] == "placement_done" and Sequencing.of(prefs).credited
    assert sequencing_after_answer(
        pack, prefs, skill_key="whole.add", counted_correct=True, placement_item_asked=False
    ) == (None, None)  # no test-out in progress: nothing to store
    prefs = start_test_out(Sequencing.of(prefs), "ratio.share").into(prefs)
    outcomes = []
    for _ in range(2):
        changed, event = sequencing_after_answer(
            pack,
            prefs,
            skill_key="ratio.share",
            counted_correct=True,
            placement_item_asked=False,
        )
        prefs, outcomes = changed or prefs, [*outcomes, event]
    assert outcomes == [None, "test_out_passed"]
    credited = Sequencing.of(prefs).credited
    assert credited["ratio.share"] == "test_out"
    assert set(pack.skills["ratio.share"].prerequisites) <= set(credited)
    assert prefs["style"] == "short"
