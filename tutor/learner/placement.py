"""Where a new student starts, and how a student tests out of a skill that is too easy.

Placement: a few items, one per grade level, each from the skill of that level that stands on
the most others (so one right answer says the most), asked in order of difficulty until the
first wrong answer (at most `MAX_PLACEMENT_ITEMS`). The hardest item answered right credits
every skill it builds on, the easier items, and every skill whose grade band ends by its
first grade; its own skill is practised as usual. A strong grade-6 student so starts among
grade-6 skills, not on "the digit 4 in 423"; a student who misses the first item starts at
the beginning.

Test-out: "too easy" or "skip" starts a test on the current skill; `TEST_OUT_RIGHT` right
answers in a row, without help, credit it; a wrong or assisted answer ends the test and
practice goes on.

Credited skills count as mastered for unlocking and choosing (the policy's `credited`), and
are shown as placed, not as practised: the learner model never saw those answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

MAX_PLACEMENT_ITEMS = 5
TEST_OUT_RIGHT = 2


class PlacedSkill(Protocol):
    """What placement needs of a curriculum skill (`tutor.curriculum.Skill` fits)."""

    @property
    def key(self) -> str: ...

    @property
    def prerequisites(self) -> Sequence[str]: ...

    @property
    def grade_band(self) -> tuple[int, int]: ...


def ancestors(skills: Mapping[str, PlacedSkill], key: str) -> set[str]:
    """Every skill `key` builds on, directly or not."""
    found: set[str] = set()
    stack = list(skills[key].prerequisites)
    while stack:
        k = stack.pop()
        if k not in found:
            found.add(k)
            stack.extend(skills[k].prerequisites)
    return found


def placement_items(skills: Sequence[PlacedSkill]) -> tuple[str, ...]:
    """The placement check's skills, easiest first: per grade level (a band's top grade),
    the skill with the most skills below it; ties go to the earlier skill in the pack."""
    by_key = {s.key: s for s in skills}
    best: dict[int, tuple[int, int, str]] = {}
    for order, skill in enumerate(skills):
        top = skill.grade_band[1]
        rank = (len(ancestors(by_key, skill.key)), -order, skill.key)
        if top not in best or rank > best[top]:
            best[top] = rank
    levels = sorted(best)
    # the lowest grade's most basic skills need no check of their own: start one level up
    chosen = [best[g][2] for g in levels if best[g][0] > 0]
    return tuple(chosen[-MAX_PLACEMENT_ITEMS:])


def next_placement_item(items: Sequence[str], results: Mapping[str, bool]) -> str | None:
    """The next item to ask, or None when placement is over (a wrong answer, or all asked)."""
    for key in items:
        if key not in results:
            return key
        if not results[key]:
            return None
    return None


def placement_credit(skills: Sequence[PlacedSkill], results: Mapping[str, bool]) -> set[str]:
    """The skills a placement's results credit: everything below the hardest item answered
    right (its prerequisites, the easier items, every skill whose grade band ends by that
    item's first grade); that item's own skill is left to practise."""
    by_key = {s.key: s for s in skills}
    order = {s.key: i for i, s in enumerate(skills)}
    passed = [k for k, right in results.items() if right and k in by_key]
    if not passed:
        return set()
    hardest = max(passed, key=lambda k: (by_key[k].grade_band, order[k]))
    credited = set(passed)
    for key in passed:
        credited |= ancestors(by_key, key)
    floor = by_key[hardest].grade_band[0]
    credited |= {s.key for s in skills if s.grade_band[1] <= floor}
    return credited - {hardest}


@dataclass(frozen=True)
class TestOut:
    """A test-out in progress: the skill and the right answers in a row so far."""

    skill_key: str
    right: int = 0

    def after(self, counted_correct: bool) -> TestOut | None:
        """The test after one answer (its model outcome: right and unassisted), or None
        when it failed."""
        return TestOut(self.skill_key, self.right + 1) if counted_correct else None

    @property
    def passed(self) -> bool:
        return self.right >= TEST_OUT_RIGHT
