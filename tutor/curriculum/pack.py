"""Content packs: YAML files of skills (a prerequisite DAG) and their exercise sources.

Loading validates everything once, with errors that name the file and the field
(`math.yaml: skills[3].prerequisites[0]: unknown skill 'fractions.add'`), so a broken pack
fails at start-up rather than in front of a student. A loaded `Pack` is immutable.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from tutor.curriculum.generators import GENERATORS
from tutor.curriculum.model import Exercise, FixedItem, GeneratorSource, Skill, Source

ITEM_SHARE = 0.2  # how often a skill with both generators and fixed items serves an item


class PackError(ValueError):
    """A pack that cannot be used; the message names the file and the field."""

    def __init__(self, file: str | Path, where: str, problem: str) -> None:
        self.file = str(file)
        self.where = where
        self.problem = problem
        super().__init__(
            f"{Path(file).name}: {where}: {problem}" if where else f"{file}: {problem}"
        )


@dataclass(frozen=True)
class Pack:
    """A validated content pack. `skills` is in a topological order (prerequisites first).

    `items` holds every fixed item (those under a skill and the pack's top-level `items`);
    an item's `skills` may name skills of the shipped pack when the pack says `base: default`
    (an imported word-problem pack tags items with the shipped skills).
    """

    name: str
    version: str
    skills: Mapping[str, Skill]
    items: tuple[FixedItem, ...] = ()
    base: str | None = None
    path: Path | None = None
    _by_item: Mapping[str, FixedItem] = field(default_factory=dict, repr=False, compare=False)

    def skill(self, key: str) -> Skill:
        try:
            return self.skills[key]
        except KeyError:
            raise KeyError(f"pack {self.name!r} has no skill {key!r}") from None

    def generators(self) -> tuple[tuple[str, str], ...]:
        """Every (skill key, generator name) pair, in skill order."""
        return tuple(
            (skill.key, s.generator)
            for skill in self.skills.values()
            for s in skill.sources
            if isinstance(s, GeneratorSource)
        )

    def sources_for(self, skill_key: str) -> tuple[Source, ...]:
        """The sources that serve a skill: its own, and fixed items tagged with it."""
        own = self.skills[skill_key].sources if skill_key in self.skills else ()
        tagged = tuple(i for i in self.items if skill_key in i.skills and i not in own)
        return own + tagged

    def exercise(self, skill_key: str, seed: int) -> Exercise:
        """The exercise this seed picks for a skill; the same seed gives the same exercise."""
        sources = self.sources_for(skill_key)
        if not sources:
            raise KeyError(f"pack {self.name!r} has no exercises for skill {skill_key!r}")
        gens = [s for s in sources if isinstance(s, GeneratorSource)]
        items = [s for s in sources if isinstance(s, FixedItem)]
        chooser = random.Random(f"{skill_key}:{seed}")  # str seeds are stable across runs
        if items and (not gens or chooser.random() < ITEM_SHARE):
            return _item_exercise(chooser.choice(items), skill_key, seed)
        return _generated(chooser.choice(gens).generator, skill_key, seed)

    def exercise_by_id(self, exercise_id: str, seed: int) -> Exercise:
        """Rebuild an exercise from what the store saved: its id and seed."""
        kind, _, name = exercise_id.partition(":")
        if kind == "gen":
            for skill_key, generator in self.generators():
                if generator == name:
                    return _generated(name, skill_key, seed)
        elif kind == "item" and name in self._by_item:
            item = self._by_item[name]
            return _item_exercise(item, item.skills[0], seed)
        raise KeyError(f"pack {self.name!r} has no exercise {exercise_id!r}")

    def similar_exercise(self, exercise: Exercise, seed: int) -> Exercise:
        """Another exercise of the same family with other numbers (for a worked example).

        For a generator: the next seeds from `seed` until the statement differs and the
        operation is the same (decimal subtraction stays subtraction). For a fixed item:
        another item of the same skill, else a generated one, else the item itself.
        `tutor.curriculum.examples.similar_for_slip` also keeps a diagnosed slip visible.
        """
        if exercise.id.startswith("gen:"):
            operation = exercise.spec.get("operation")
            for offset in range(50):
                other = self.exercise_by_id(exercise.id, seed + offset)
                if other.statement != exercise.statement and (
                    other.spec.get("operation") == operation
                ):
                    return other
            return other
        items = [
            s
            for s in self.sources_for(exercise.skill_key)
            if isinstance(s, FixedItem) and s.source_id != exercise.id
        ]
        if items:
            return _item_exercise(random.Random(seed).choice(items), exercise.skill_key, seed)
        gens = [s for s in self.sources_for(exercise.skill_key) if isinstance(s, GeneratorSource)]
        if gens:
            return _generated(gens[0].generator, exercise.skill_key, seed)
        return exercise


def _generated(generator: str, skill_key: str, seed: int) -> Exercise:
    d = GENERATORS[generator](random.Random(seed))
    return Exercise(
        id=f"gen:{generator}",
        skill_key=skill_key,
        seed=seed,
        statement=d.statement,
        answer=d.answer,
        answer_text=d.answer_text,
        solution=d.solution,
        misconceptions=d.misconceptions,
        hints=(),
        spec=MappingProxyType(dict(d.spec)),
    )


def _item_exercise(item: FixedItem, skill_key: str, seed: int) -> Exercise:
    return Exercise(
        id=item.source_id,
        skill_key=skill_key,
        seed=seed,
        statement=item.statement,
        answer=item.answer,
        answer_text=item.answer_text,
        solution=item.solution,
        misconceptions=item.misconceptions,
        hints=item.hints,
        spec=MappingProxyType({"operation": "word_problem", "statement": item.statement}),
    )
