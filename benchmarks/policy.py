"""Simulated students: how many exercises to master the whole pack, our policy vs a fixed order.

Each simulated student has hidden BKT parameters per skill, drawn around the pack's own (a
logit-normal spread), and a hidden known/unknown state. A skill whose prerequisites the student
does not truly know is learnt at a fifth of the usual rate: that is what prerequisites mean.
The tutor never sees the hidden values; it tracks P(known) with the pack's parameters and the
online BKT update, exactly as in production.

- ours: `tutor.learner.policy.next_activity` picks every exercise (no reviews: nothing is due
  within one sitting), until it answers "done" (every skill at P(known) >= 0.95);
- fixed: the curriculum order, a fixed number of exercises per skill (--per-skill), pass after
  pass over the whole pack, until the same mastery test says every skill is mastered.
Both stop on the same test (every skill's estimate has reached 0.95 at least once), so the count
is "exercises until the tutor may call the pack done";
the share of skills the student truly knows at that point is printed beside it, so a policy
cannot win by stopping early. Students the cap stops are counted at the cap.

    python benchmarks/policy.py                    # the shipped maths pack, 200 students
    python benchmarks/policy.py --synthetic 40     # a random 40-skill prerequisite graph
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from tutor.learner.bkt import is_mastered, update
from tutor.learner.params import BktParams
from tutor.learner.policy import next_activity


@dataclass(frozen=True)
class Skill:
    key: str
    name: str
    prerequisites: tuple[str, ...]
    bkt: BktParams


def pack_skills() -> list[Skill]:
    from tutor.curriculum import load_default_pack

    return [
        Skill(s.key, s.name, tuple(s.prerequisites), s.bkt)
        for s in load_default_pack().skills.values()
    ]


def synthetic_skills(n: int, rng: np.random.Generator) -> list[Skill]:
    """A random DAG in topological order: each skill needs 0-2 of the earlier ones."""
    skills: list[Skill] = []
    for i in range(n):
        k = 0 if i == 0 else int(rng.integers(0, min(i, 2) + 1))
        prereqs = tuple(f"s{j}" for j in sorted(rng.choice(i, size=k, replace=False))) if k else ()
        skills.append(Skill(f"s{i}", f"skill {i}", prereqs, BktParams(0.2, 0.15, 0.15, 0.1)))
    return skills


def _jitter(p: float, rng: np.random.Generator, hi: float = 0.999) -> float:
    logit = math.log(p / (1 - p)) + rng.normal(0.0, 0.5)
    return min(max(1.0 / (1.0 + math.exp(-logit)), 0.001), hi)


class Student:
    """Hidden truth: per-skill parameters and known states, revealed only through answers."""

    def __init__(self, skills: Sequence[Skill], rng: np.random.Generator) -> None:
        self.rng = rng
        self.prereqs = {s.key: s.prerequisites for s in skills}
        self.params = {
            s.key: BktParams(
                p_init=_jitter(s.bkt.p_init, rng),
                p_learn=_jitter(s.bkt.p_learn, rng),
                p_guess=_jitter(s.bkt.p_guess, rng, hi=0.45),
                p_slip=_jitter(s.bkt.p_slip, rng, hi=0.45),
            )
            for s in skills
        }
        self.known = {k: bool(rng.random() < p.p_init) for k, p in self.params.items()}

    def attempt(self, key: str) -> bool:
        p = self.params[key]
        correct = (
            self.rng.random() >= p.p_slip if self.known[key] else self.rng.random() < p.p_guess
        )
        if not self.known[key]:
            ready = all(self.known[q] for q in self.prereqs[key])
            self.known[key] = self.rng.random() < p.p_learn * (1.0 if ready else 0.2)
        return bool(correct)


Chooser = Callable[[dict[str, float], int], str | None]


def run(skills: Sequence[Skill], student: Student, choose: Chooser, cap: int) -> tuple[int, float]:
    """(exercises until the tutor's estimate has mastered every skill, share truly known then).

    "Has mastered" counts a skill once its estimate reached 0.95, even if a later slip on
    extra practice pulled it back: the fixed order practises mastered skills again, our
    policy does not, and only the first should not be held against it.
    """
    estimate: dict[str, float] = {}
    params = {s.key: s.bkt for s in skills}
    reached = {s.key for s in skills if is_mastered(s.bkt.p_init)}
    done = 0
    while done < cap and len(reached) < len(skills):
        key = choose(estimate, done)
        if key is None:
            break
        correct = student.attempt(key)
        estimate[key] = update(estimate.get(key, params[key].p_init), correct, params[key])
        if is_mastered(estimate[key]):
            reached.add(key)
        done += 1
    return done, float(np.mean(list(student.known.values())))


def ours(skills: Sequence[Skill]) -> Chooser:
    def choose(estimate: dict[str, float], _: int) -> str | None:
        return next_activity(skills=skills, p_known=estimate, due_reviews=()).skill_key

    return choose


def fixed(skills: Sequence[Skill], per_skill: int) -> Chooser:
    def choose(_: dict[str, float], done: int) -> str | None:
        return skills[(done // per_skill) % len(skills)].key

    return choose


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--per-skill", type=int, default=5, help="fixed order's block size")
    parser.add_argument("--cap", type=int, default=3000, help="most exercises per student")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--synthetic", type=int, metavar="N", help="a random N-skill DAG")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    skills = synthetic_skills(args.synthetic, rng) if args.synthetic else pack_skills()
    source = f"synthetic {len(skills)}-skill DAG" if args.synthetic else "shipped maths pack"
    edges = sum(len(s.prerequisites) for s in skills)
    print(f"{source}: {len(skills)} skills, {edges} prerequisite edges; {args.students} students")
    results: dict[str, list[tuple[int, float]]] = {"ours": [], "fixed": []}
    start = time.perf_counter()
    for i in range(args.students):
        seed = args.seed * 1_000_003 + i
        for name, chooser in (("ours", ours(skills)), ("fixed", fixed(skills, args.per_skill))):
            # The same student (same hidden parameters and the same dice) under each policy.
            student = Student(skills, np.random.default_rng(seed))
            results[name].append(run(skills, student, chooser, args.cap))
    seconds = time.perf_counter() - start
    medians = {}
    for name, label in (
        ("ours", "our policy (next_activity)"),
        ("fixed", f"fixed order, {args.per_skill} per skill"),
    ):
        counts = np.array([c for c, _ in results[name]])
        known = np.array([k for _, k in results[name]])
        medians[name] = float(np.median(counts))
        print(
            f"{label:<28} median {medians[name]:7.1f} exercises "
            f"(p25 {np.percentile(counts, 25):.0f}, p75 {np.percentile(counts, 75):.0f}, "
            f"capped {int((counts >= args.cap).sum())}); truly known at the end "
            f"{known.mean():.1%}"
        )
    print(f"ratio fixed / ours: {medians['fixed'] / medians['ours']:.2f}x  ({seconds:.1f} s)")


if __name__ == "__main__":
    main()
