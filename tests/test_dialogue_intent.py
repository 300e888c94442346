"""What a student's message is routed to: the intent, and for questions the concept-bank
topic and aspect. A table of messages as students write them."""

from __future__ import annotations

from random import Random

import pytest

from tutor.curriculum import load_default_pack, reveals_answer
from tutor.dialogue.concepts import ASPECTS, BANK_FILE, default_bank, load_bank, split_sentences
from tutor.dialogue.intent import Intent, classify

SUB, DIV, UNLIKE = "whole.subtract", "fractions.divide", "fractions.add_unlike"

CASES = [
    # (message, current skill or None, intent, topic ("step": the current step), aspect)
    ("why?", DIV, Intent.CONCEPT, "step", "why"),
    ("why does that work?", DIV, Intent.CONCEPT, "step", "why"),
    ("why do we flip the fraction?", DIV, Intent.CONCEPT, DIV, "why"),
    ("why do we flip the fraction?", None, Intent.CONCEPT, DIV, "why"),
    ("what is a denominator?", UNLIKE, Intent.CONCEPT, "denominator", "what"),
    ("how do I know when to borrow?", SUB, Intent.CONCEPT, "borrow", "when"),
    ("why do we divide by 100?", "percent.of_quantity", Intent.CONCEPT, "step", "why"),
    (
        "how do you add fractions with different denominators?",
        UNLIKE,
        Intent.CONCEPT,
        UNLIKE,
        "how",
    ),
    ("what is an equation?", "equations.two_step", Intent.CONCEPT, "equation", "what"),
    ("I don't get it", UNLIKE, Intent.EXPLAIN, None, None),
    ("explain it again please", UNLIKE, Intent.EXPLAIN, None, None),
    ("help", SUB, Intent.HINT, None, None),
    ("can you help me?", SUB, Intent.HINT, None, None),
    ("what is 11 - 7?", SUB, Intent.HINT, None, None),
    ("I don't know", SUB, Intent.ACKNOWLEDGE, None, None),
    ("I hate this", SUB, Intent.ACKNOWLEDGE, None, None),
    ("this is stupid", SUB, Intent.ACKNOWLEDGE, None, None),
    ("just tell me", SUB, Intent.ACKNOWLEDGE, None, None),
    ("just tell me the answer", SUB, Intent.ACKNOWLEDGE, None, None),
    ("I give up", SUB, Intent.ACKNOWLEDGE, None, None),
    ("Show me the solution, please.", SUB, Intent.SOLUTION, None, None),
    ("too easy", SUB, Intent.SKIP, None, None),
    ("skip", SUB, Intent.SKIP, None, None),
    ("next one", SUB, Intent.NEW_EXERCISE, None, None),
    ("do you like football?", SUB, Intent.REDIRECT, None, None),
    ("what's your name?", SUB, Intent.REDIRECT, None, None),
    ("hello", SUB, Intent.SMALL_TALK, None, None),
    ("ok cool", SUB, Intent.SMALL_TALK, None, None),
    ("I hate percentages", SUB, Intent.ACKNOWLEDGE, None, None),
    ("where should i begin", SUB, Intent.HINT, None, None),
    ("what is 12 divided by 48?", SUB, Intent.HINT, None, None),
    ("can you explain it a different way", SUB, Intent.EXPLAIN, None, None),
    ("this doesn't make any sense to me", SUB, Intent.EXPLAIN, None, None),
]


@pytest.mark.parametrize(("message", "skill", "intent", "topic", "aspect"), CASES)
def test_routing(message: str, skill: str | None, intent: Intent, topic, aspect) -> None:
    found = classify(message, has_exercise=skill is not None, skill_key=skill)
    assert found.intent is intent, found
    if intent is Intent.CONCEPT:
        assert ("step" if found.about_step else found.topic) == topic, found
        assert found.aspect == aspect
        if found.about_step:
            assert found.topic == skill  # the planner falls back to the skill's entry


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("$\\frac{4}{7}$", "$\\frac{4}{7}$"),
        ("\\frac{4}{7}", "\\frac{4}{7}"),
        ("\\dfrac{4}{7}", "\\dfrac{4}{7}"),
        ("4/7", "4/7"),
        ("\u00bd", "\u00bd"),
        ("3\u00bc", "3\u00bc"),
        ("is it 4/7?", "4/7"),
        ("I got 12", "12"),
        ("x = -6", "x = -6"),
        ("three quarters", "three quarters"),
    ],
)
def test_answers_in_many_forms_are_answers(message: str, answer: str) -> None:
    found = classify(message, has_exercise=True, skill_key=UNLIKE)
    assert found.intent is Intent.ANSWER
    assert found.answer_text == answer


def test_without_an_exercise_a_number_is_not_an_answer() -> None:
    assert classify("4/7", has_exercise=False).intent is not Intent.ANSWER


def test_every_pack_skill_has_every_aspect_twice() -> None:
    pack = load_default_pack()
    bank = load_bank(BANK_FILE, skill_keys=list(pack.skills))  # raises when one is thin
    assert set(pack.skills) <= bank.skill_keys()
    assert len(pack.skills) == 44


def test_a_concept_answer_is_plain_sentences_from_the_bank() -> None:
    entry = default_bank().answer("fractions.divide", "why", Random(1))
    assert entry.skill_key == "fractions.divide" and entry.aspect == "why"
    assert entry.facts and all(f[0].isupper() or f[0].isdigit() for f in entry.facts)
    assert "*" not in entry.text and "lcm(" not in entry.text


def test_phrasings_vary_with_the_random_draw() -> None:
    texts = {default_bank().answer("whole.subtract", "how", Random(s)).text for s in range(20)}
    assert len(texts) >= 2


def test_a_term_without_the_aspect_answers_from_its_skill() -> None:
    entry = default_bank().answer("numerator", "how", Random(0))
    assert entry.topic == "numerator" and entry.skill_key == "fractions.add_like"
    assert entry.aspect == "how"


def test_sentences_that_state_the_exercise_answer_are_dropped() -> None:
    pack = load_default_pack()
    exercise = next(
        e
        for e in (pack.exercise("decimals.fraction_to_decimal", s) for s in range(200))
        if e.answer_text == "0.75"
    )
    for seed in range(10):
        entry = default_bank().answer(
            "decimals.fraction_to_decimal",
            "what",
            Random(seed),
            avoid=lambda s: bool(reveals_answer(s, exercise)),
        )
        assert not reveals_answer(entry.text, exercise)


def test_no_phrasing_uses_code_notation() -> None:
    bank = default_bank()
    for topic in bank.topics.values():
        for aspect in ASPECTS:
            for phrasing in topic.phrasings.get(aspect, ()):
                assert "*" not in phrasing and "lcm(" not in phrasing, phrasing
                assert all(len(s) < 260 for s in split_sentences(phrasing)), phrasing


def test_the_labelled_messages_name_real_topics_and_route_right() -> None:
    """benchmarks/data/messages.yaml: >= 300 messages, every expected topic is in the bank,
    and at least 95% are routed to the labelled intent, topic and aspect."""
    from pathlib import Path

    import yaml

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "messages.yaml"
    groups = yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
    bank = default_bank()
    total = right = 0
    for group in groups:
        for message in group["messages"]:
            total += 1
            skill = group["skill"]
            found = classify(message[0], has_exercise=skill is not None, skill_key=skill)
            ok = found.intent.value == group["intent"]
            if group["intent"] == "concept":
                want = message[1] if isinstance(message[1], list) else [message[1]]
                assert all(t == "step" or t in bank.topics for t in want), message
                got = "step" if found.about_step else found.topic
                ok = ok and (got in want or found.topic in want) and found.aspect == message[2]
            right += ok
    assert total >= 300
    assert right / total >= 0.95
