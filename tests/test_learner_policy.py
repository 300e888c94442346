"""The next-activity rules as a table of cases, and the reasons a teacher reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from tutor.learner.params import BktParams
from tutor.learner.policy import Activity, Assignment, next_activity


@dataclass(frozen=True)
class S:
    key: str
    name: str
    prerequisites: tuple[str, ...] = ()


SKILLS = [
    S("frac.meaning", "fractions: meaning"),
    S("frac.add", "fractions: addition", ("frac.meaning",)),
    S("dec", "decimals"),
    S("pct", "percent", ("frac.add", "dec")),
]
M = 0.97  # mastered
NOW = datetime(2025, 3, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("p_known", "due", "assigned", "expected"),
    [
        # nothing started: the first new skill in curriculum order
        (
            {},
            [],
            [],
            Activity("frac.meaning", "new", "fractions: meaning, new skill, no prerequisites"),
        ),
        # a due review comes before everything, oldest first
        (
            {"frac.meaning": M, "frac.add": 0.41},
            ["frac.meaning", "dec"],
            ["frac.add"],
            Activity("frac.meaning", "review", "fractions: meaning, review due, mastery 0.97"),
        ),
        # least-mastered started, unlocked, unmastered skill
        (
            {"frac.meaning": M, "frac.add": 0.41, "dec": 0.6},
            [],
            [],
            Activity(
                "frac.add", "practice", "fractions: addition, mastery 0.41, prerequisites mastered"
            ),
        ),
        # a locked skill is skipped even when it is the least mastered
        (
            {"frac.meaning": 0.7, "frac.add": 0.05},
            [],
            [],
            Activity(
                "frac.meaning", "practice", "fractions: meaning, mastery 0.70, no prerequisites"
            ),
        ),
        # everything started is mastered: the next new unlocked skill
        (
            {"frac.meaning": M, "frac.add": M},
            [],
            [],
            Activity("dec", "new", "decimals, new skill, no prerequisites"),
        ),
        # an unlocked assignment beats the least-mastered skill
        (
            {"frac.meaning": M, "frac.add": 0.41, "dec": 0.6},
            [],
            ["dec"],
            Activity(
                "dec",
                "practice",
                "decimals, assigned by your teacher, mastery 0.60, no prerequisites",
            ),
        ),
        # a locked assignment leads to its first open prerequisite, and says so
        (
            {"frac.meaning": M, "frac.add": 0.41},
            [],
            [Assignment("pct", due=datetime(2025, 3, 1, tzinfo=UTC))],
            Activity(
                "frac.add",
                "practice",
                "fractions: addition, needed for percent, assigned by your teacher, "
                "due 2025-03-01 (overdue), mastery 0.41",
            ),
        ),
        # a mastered assignment no longer counts
        (
            {"frac.meaning": M, "frac.add": 0.41, "dec": M},
            [],
            ["dec"],
            Activity(
                "frac.add", "practice", "fractions: addition, mastery 0.41, prerequisites mastered"
            ),
        ),
        # everything mastered
        ({k.key: M for k in SKILLS}, [], [], Activity(None, "done", "every skill mastered")),
    ],
)
def test_rules(p_known, due, assigned, expected) -> None:
    got = next_activity(skills=SKILLS, p_known=p_known, due_reviews=due, assigned=assigned, now=NOW)
    assert got == expected


def test_the_earliest_due_assignment_goes_first() -> None:
    p = {"frac.meaning": M, "frac.add": 0.3, "dec": 0.5}
    got = next_activity(
        skills=SKILLS,
        p_known=p,
        due_reviews=[],
        assigned=[Assignment("dec", datetime(2025, 4, 1, tzinfo=UTC)), Assignment("frac.add", NOW)],
        now=NOW,
    )
    assert got.skill_key == "frac.add" and "due 2025-03-10" in got.reason
    assert "overdue" not in got.reason


def test_priors_stand_in_for_unstarted_skills() -> None:
    # A prior at mastery level unlocks what depends on it without any attempt.
    got = next_activity(skills=SKILLS, p_known={}, due_reviews=[], priors={"frac.meaning": 0.96})
    assert got.skill_key == "frac.add"

    @dataclass(frozen=True)
    class WithBkt(S):
        bkt: BktParams = BktParams(p_init=0.96)

    skills = [WithBkt("a", "A"), WithBkt("b", "B", ("a",), BktParams(p_init=0.1))]
    assert next_activity(skills=skills, p_known={}, due_reviews=[]).skill_key == "b"


def test_stale_due_reviews_are_ignored() -> None:
    got = next_activity(skills=SKILLS, p_known={}, due_reviews=["gone.skill"])
    assert got.kind == "new"


@pytest.mark.parametrize(
    ("skills", "p_known", "message"),
    [
        ([S("a", "A", ("missing",))], {}, "unknown prerequisite"),
        ([S("a", "A"), S("a", "A again")], {}, "unique"),
        ([S("a", "A")], {"a": 1.5}, "within"),
    ],
)
def test_bad_input_is_refused(skills, p_known, message) -> None:
    with pytest.raises(ValueError, match=message):
        next_activity(skills=skills, p_known=p_known, due_reviews=[])
