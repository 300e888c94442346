"""What a student should do next, with a reason a teacher can read.

Rules, first that applies wins:
1. a due review (the oldest first): mastered skills are kept fresh before anything new;
2. a skill the teacher assigned that is unlocked and not mastered (the earliest due first);
3. for an assigned skill that is still locked: its first unlocked, unmastered prerequisite,
   so the student works toward the assignment;
4. the least-mastered unlocked skill the student has started and not mastered;
5. the next new skill, in curriculum order, whose prerequisites are mastered;
6. done: every skill mastered.
A skill is unlocked when every prerequisite is mastered: P(known) >= 0.95 and, when the
caller gives the counts, at least 3 unassisted right answers (`bkt.is_mastered`); or credited
by placement or a test-out. A skill without an estimate has not been started (it is never
"practice"); its P(known) is its prior.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from tutor.learner.bkt import is_mastered
from tutor.learner.params import BktParams

ActivityKind = Literal["review", "practice", "new", "done"]


class SkillView(Protocol):
    """What the policy needs of a curriculum skill (`tutor.curriculum`'s `Skill` fits)."""

    @property
    def key(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def prerequisites(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Assignment:
    """A teacher's assignment of one skill (to a class or one student), optionally due."""

    skill_key: str
    due: datetime | None = None


@dataclass(frozen=True)
class Activity:
    """The choice: which skill (None when done), what kind of work, and why."""

    skill_key: str | None
    kind: ActivityKind
    reason: str


def next_activity(
    *,
    skills: Sequence[SkillView],
    p_known: Mapping[str, float],
    due_reviews: Sequence[str],
    assigned: Sequence[str | Assignment] = (),
    now: datetime | None = None,
    priors: Mapping[str, float] | None = None,
    unassisted: Mapping[str, int] | None = None,
    credited: Collection[str] = (),
) -> Activity:
    """Pick the next activity (rules in the module docstring).

    `skills` is in curriculum (topological) order; `p_known` holds the skills the student has
    attempted; `due_reviews` are skill keys whose review cards are due, oldest first (keys no
    longer in `skills` are ignored); `assigned` keys or `Assignment`s, in the teacher's order;
    `now` only words an overdue assignment; `priors` gives P(known) of unstarted skills (by
    default the skill's own `bkt.p_init` when it has one, else the `BktParams` default);
    `unassisted` the unassisted right answers per skill (None: mastery by P(known) alone);
    `credited` skills placed or tested out, which count as mastered.
    """
    graph = _Graph(skills, p_known, priors or {}, unassisted, frozenset(credited))
    for key in due_reviews:
        if key in graph.by_key:
            return Activity(key, "review", f"{graph.name(key)}, review due, {graph.mastery(key)}")
    assignments = [a if isinstance(a, Assignment) else Assignment(a) for a in assigned]
    chosen = _assigned(graph, assignments, now)
    if chosen is not None:
        return chosen
    started = [
        k for k in graph.order if k in p_known and graph.unlocked(k) and not graph.mastered(k)
    ]
    if started:
        key = min(started, key=lambda k: (graph.p(k), graph.order.index(k)))
        return Activity(
            key, "practice", f"{graph.name(key)}, {graph.mastery(key)}, {graph.why(key)}"
        )
    for key in graph.order:
        if not graph.mastered(key) and graph.unlocked(key):
            return Activity(key, "new", f"{graph.name(key)}, new skill, {graph.why(key)}")
    return Activity(None, "done", "every skill mastered")


def _assigned(
    graph: _Graph, assignments: list[Assignment], now: datetime | None
) -> Activity | None:
    """Rules 2 and 3: the earliest-due open assignment that can be worked on now."""
    ordered = sorted(
        (a for a in assignments if a.skill_key in graph.by_key and not graph.mastered(a.skill_key)),
        key=lambda a: _instant(a.due) if a.due else math.inf,
    )
    for a in ordered:
        if graph.unlocked(a.skill_key):
            key = a.skill_key
            return Activity(
                key,
                "practice" if key in graph.p_known else "new",
                f"{graph.name(key)}, assigned by your teacher{_due_text(a, now)}, "
                f"{graph.mastery(key)}, {graph.why(key)}",
            )
    for a in ordered:
        step = graph.first_open_prerequisite(a.skill_key)
        if step is not None:
            return Activity(
                step,
                "practice" if step in graph.p_known else "new",
                f"{graph.name(step)}, needed for {graph.name(a.skill_key)}, assigned by your "
                f"teacher{_due_text(a, now)}, {graph.mastery(step)}",
            )
    return None


def _due_text(a: Assignment, now: datetime | None) -> str:
    if a.due is None:
        return ""
    overdue = now is not None and _instant(now) > _instant(a.due)
    return f", due {a.due:%Y-%m-%d}" + (" (overdue)" if overdue else "")


def _instant(moment: datetime) -> float:
    """Seconds since the epoch; a naive time is taken as UTC (how the store keeps times)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


class _Graph:
    """The skills with the student's estimates: mastery, locks and the words for reasons."""

    def __init__(
        self,
        skills: Sequence[SkillView],
        p_known: Mapping[str, float],
        priors: Mapping[str, float],
        unassisted: Mapping[str, int] | None = None,
        credited: frozenset[str] = frozenset(),
    ) -> None:
        self.order = [s.key for s in skills]
        self.by_key = {s.key: s for s in skills}
        if len(self.by_key) != len(self.order):
            raise ValueError("skill keys must be unique")
        self.prereqs = {s.key: [_key(p) for p in s.prerequisites] for s in skills}
        for key, needs in self.prereqs.items():
            unknown = [p for p in needs if p not in self.by_key]
            if unknown:
                raise ValueError(f"skill {key!r} needs unknown prerequisite(s) {unknown}")
        for key, value in p_known.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"p_known[{key!r}] must be within [0, 1], got {value}")
        self.p_known = p_known
        self.priors = priors
        self.unassisted = unassisted
        self.credited = credited

    def name(self, key: str) -> str:
        return self.by_key[key].name

    def p(self, key: str) -> float:
        if key in self.p_known:
            return self.p_known[key]
        if key in self.priors:
            return self.priors[key]
        bkt = getattr(self.by_key[key], "bkt", None)  # the curriculum's Skill carries its own
        return bkt.p_init if isinstance(bkt, BktParams) else BktParams().p_init

    def mastered(self, key: str) -> bool:
        if key in self.credited:
            return True
        count = None if self.unassisted is None else self.unassisted.get(key, 0)
        return is_mastered(self.p(key), count)

    def unlocked(self, key: str) -> bool:
        return all(self.mastered(p) for p in self.prereqs[key])

    def mastery(self, key: str) -> str:
        return f"mastery {self.p(key):.2f}"

    def why(self, key: str) -> str:
        return "prerequisites mastered" if self.prereqs[key] else "no prerequisites"

    def first_open_prerequisite(self, key: str) -> str | None:
        """The first skill, in curriculum order, that `key` depends on (directly or not) and
        that is unlocked and not yet mastered."""
        needed: set[str] = set()
        stack = list(self.prereqs[key])
        while stack:
            k = stack.pop()
            if k not in needed:
                needed.add(k)
                stack.extend(self.prereqs[k])
        for k in self.order:
            if k in needed and not self.mastered(k) and self.unlocked(k):
                return k
        return None


def _key(prerequisite: object) -> str:
    """Prerequisites may be keys or skill objects."""
    return prerequisite if isinstance(prerequisite, str) else str(prerequisite.key)  # type: ignore[attr-defined]
