"""The concept bank: short explanations of what / why / how / when, per skill and per word.

Students ask "why do we flip the fraction?", "what is a denominator?", "how do I know when to
borrow?". The answers are written once, by people, in `packs/math_concepts.yaml` (several
phrasings each, for ages 9 to 14), and code picks one: a model may reword an entry, never
invent one. A *topic* is a skill key ("fractions.divide") or a term ("denominator"); a term
without the asked aspect falls back to its skill's entry.

    question ──► intent.classify ──► (topic, aspect) ──► concept_answer ──► ConceptEntry
                                                                             facts: sentences
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from random import Random
from typing import Literal

import yaml

Aspect = Literal["what", "why", "how", "when"]
ASPECTS: tuple[Aspect, ...] = ("what", "why", "how", "when")
BANK_FILE = Path(__file__).resolve().parents[1] / "curriculum" / "packs" / "math_concepts.yaml"


class ConceptBankError(ValueError):
    """The bank file is missing a skill, an aspect or a phrasing; says which."""


@dataclass(frozen=True)
class ConceptEntry:
    """One explanation to give: plain sentences a `concept` move states as its facts."""

    topic: str  # the skill key or term asked about
    skill_key: str  # the skill it belongs to (a term's skill)
    aspect: Aspect
    facts: tuple[str, ...]  # the explanation, one sentence each

    @property
    def text(self) -> str:
        return " ".join(self.facts)


# fmt: off
GENERIC_WORDS = frozenset((
    "add", "adding", "addition", "subtract", "subtracting", "subtraction", "take", "away",
    "multiply", "multiplying", "multiplication", "times", "divide", "dividing", "division",
    "minus", "plus", "sum", "total", "difference", "product", "each", "per", "parts", "equation",
    "solve", "fraction", "fractions", "decimal", "decimals", "percent", "percentage", "digit",
    "ones", "tens", "hundreds", "thousands", "column", "power",
))
# fmt: on
"""Words that name an operation or a kind of number rather than one idea: asked "why" or
"how" about them during an exercise, the student means the exercise's step."""


@dataclass(frozen=True)
class TopicMatch:
    topic: str
    phrase: str  # the cue or name found in the question
    generic: bool  # the phrase is one of `GENERIC_WORDS`


@dataclass(frozen=True)
class _Topic:
    key: str
    skill_key: str
    phrases: tuple[str, ...]  # cues or names, lower case
    is_term: bool
    phrasings: Mapping[str, tuple[str, ...]]  # aspect -> phrasings


@dataclass(frozen=True)
class ConceptBank:
    """Every topic of the bank, with the phrases that point a question at it."""

    topics: Mapping[str, _Topic]

    def skill_keys(self) -> frozenset[str]:
        return frozenset(k for k, t in self.topics.items() if not t.is_term)

    def find_topic(
        self, text: str, *, skill_key: str | None = None, aspect: Aspect | None = None
    ) -> str | None:
        """The topic a question names, or None (see `match`)."""
        found = self.match(text, skill_key=skill_key, aspect=aspect)
        return found.topic if found is not None else None

    def match(
        self, text: str, *, skill_key: str | None = None, aspect: Aspect | None = None
    ) -> TopicMatch | None:
        """The topic a question names, and the phrase that named it, or None.

        For why / how / when, a phrase of the current exercise's skill (its cues, or a term
        of that skill) wins: "why do we flip it?" on a division exercise is about that
        exercise. Then the longest phrase ("flip the fraction" over "fraction"), then a term
        over a skill cue. For "what is ...?" the word asked about matters most: the longest
        phrase, a term before a skill, the current skill last ("what is an equation?")."""
        lowered = f" {_words(text)} "
        best: tuple[int, int, int] | None = None
        chosen: TopicMatch | None = None
        for topic in self.topics.values():
            for phrase in topic.phrases:
                if f" {phrase} " not in lowered:
                    continue
                current = int(topic.skill_key == skill_key)
                if aspect == "what":
                    rank = (len(phrase), int(topic.is_term), current)
                else:
                    rank = (current, len(phrase), int(topic.is_term))
                if best is None or rank > best:
                    best = rank
                    chosen = TopicMatch(topic.key, phrase, phrase in GENERIC_WORDS)
        return chosen

    def skill_of(self, topic: str) -> str:
        return self.topics[topic].skill_key

    def answer(
        self,
        topic: str,
        aspect: Aspect,
        rng: Random,
        *,
        avoid: Callable[[str], bool] | None = None,
    ) -> ConceptEntry:
        """One phrasing of `aspect` for `topic`, drawn with `rng`.

        `avoid` rejects a sentence (e.g. one that states the current exercise's answer);
        rejected sentences are dropped, and a phrasing left empty is not used. A term without
        the aspect answers from its skill; a topic with no usable phrasing of the aspect
        answers "what" instead. Raises KeyError for an unknown topic.
        """
        found = self.topics[topic]
        for candidate, wanted in _fallbacks(found, aspect, self.topics):
            phrasings = list(candidate.phrasings.get(wanted, ()))
            rng.shuffle(phrasings)
            for phrasing in phrasings:
                facts = tuple(s for s in split_sentences(phrasing) if not (avoid and avoid(s)))
                if facts:
                    return ConceptEntry(topic, found.skill_key, wanted, facts)
        raise LookupError(f"no usable phrasing for {topic!r} ({aspect})")


def _fallbacks(
    topic: _Topic, aspect: Aspect, topics: Mapping[str, _Topic]
) -> list[tuple[_Topic, Aspect]]:
    skill = topics.get(topic.skill_key, topic)
    order: list[tuple[_Topic, Aspect]] = [(topic, aspect), (skill, aspect)]
    order += [(topic, "what"), (skill, "what")]
    return order


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9'\"(−-])")


def split_sentences(text: str) -> tuple[str, ...]:
    """A phrasing's sentences (split after . ! ? before a capital, a digit or a sign)."""
    return tuple(s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip())


def _words(text: str) -> str:
    """Lower case, punctuation to spaces (but keep %, digits and hyphens inside words)."""
    text = text.lower().replace("’", "'")
    return " ".join(re.sub(r"[^\w%'-]+", " ", text).split())


@cache
def default_bank() -> ConceptBank:
    """The shipped bank, loaded and checked once per process."""
    return load_bank(BANK_FILE)


def load_bank(path: Path, *, skill_keys: Sequence[str] | None = None) -> ConceptBank:
    """Read and check a bank file. With `skill_keys`, every one of them must have all four
    aspects with at least two phrasings each (the pack's skills; checked in tests)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConceptBankError(f"{path}: cannot read the concept bank ({error})") from None
    topics: dict[str, _Topic] = {}
    for key, body in (raw.get("skills") or {}).items():
        topics[key] = _topic(path, key, key, body, body.get("cues") or [], is_term=False)
    for key, body in (raw.get("terms") or {}).items():
        skill = body.get("skill")
        if skill not in topics:
            raise ConceptBankError(f"{path}: term {key!r} names unknown skill {skill!r}")
        topics[key] = _topic(path, key, skill, body, body.get("names") or [], is_term=True)
    for skill in skill_keys or ():
        topic = topics.get(skill)
        if topic is None:
            raise ConceptBankError(f"{path}: no entry for skill {skill!r}")
        thin = [a for a in ASPECTS if len(topic.phrasings.get(a, ())) < 2]
        if thin:
            raise ConceptBankError(f"{path}: {skill!r} needs 2+ phrasings of {', '.join(thin)}")
    return ConceptBank(topics)


def _topic(
    path: Path, key: str, skill: str, body: Mapping, phrases: Sequence[str], *, is_term: bool
) -> _Topic:
    phrasings: dict[str, tuple[str, ...]] = {
        a: tuple(str(p) for p in body.get(a) or ()) for a in ASPECTS if body.get(a)
    }
    if "what" not in phrasings:
        raise ConceptBankError(f"{path}: {key!r} has no 'what' phrasing")
    if not phrases:
        raise ConceptBankError(f"{path}: {key!r} has no cues or names")
    return _Topic(
        key=key,
        skill_key=skill,
        phrases=tuple(_words(str(p)) for p in phrases if _words(str(p))),
        is_term=is_term,
        phrasings=phrasings,
    )


def concept_answer(
    topic: str,
    aspect: Aspect,
    rng: Random,
    *,
    avoid: Callable[[str], bool] | None = None,
) -> ConceptEntry:
    """`default_bank().answer(...)`: the entry a `concept` move is built from."""
    return default_bank().answer(topic, aspect, rng, avoid=avoid)
