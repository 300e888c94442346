"""What a student's message is: an answer, a request (hint, new exercise, explanation,
solution), a question, or small talk.

Rules rather than a model: the decision changes what is stored (an attempt or not), so it must
be predictable and testable. When in doubt between an answer and something else while an
exercise is open, a message that is mostly a number is an answer: the checker then says
"correct", "wrong" or "I could not read that", which is never worse than a misread request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Intent(StrEnum):
    ANSWER = "answer"
    HINT = "hint"
    NEW_EXERCISE = "new_exercise"
    EXPLAIN = "explain"
    SOLUTION = "solution"
    QUESTION = "question"
    SMALL_TALK = "small_talk"


@dataclass(frozen=True)
class Classified:
    intent: Intent
    answer_text: str | None = None  # for ANSWER: the part of the message that is the answer


_REQUESTS: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    (
        Intent.SOLUTION,
        re.compile(
            r"^(please\s+)?(show|give|tell)\s+(me\s+)?(the\s+)?(full\s+|whole\s+|worked\s+)?"
            r"(solution|answer)\b|^(full\s+)?solution\s*(please)?[.!?]*$|"
            r"\bwhat\s+is\s+the\s+(right\s+|correct\s+)?answer\b|\bi\s+give\s+up\b"
        ),
    ),
    (
        Intent.HINT,
        re.compile(
            r"^(a\s+)?(hint|clue|help)\b|\b(give|need|want|have)\s+(me\s+)?(a\s+|another\s+|"
            r"one\s+more\s+)?(hint|clue)\b|\bi('?m| am)\s+stuck\b|^help\s*(me)?\s*[.!?]*$"
        ),
    ),
    (
        Intent.NEW_EXERCISE,
        re.compile(
            r"^(new|next|another)\s*(one|exercise|question|problem)?\s*(please)?[.!?]*$|"
            r"\b(new|next|another|different)\s+(exercise|question|problem|one)\b|^skip\b"
        ),
    ),
    (
        Intent.EXPLAIN,
        re.compile(
            r"^explain\b|\bexplain\s+(it\s+|this\s+|that\s+)?(again|more|differently)\b|"
            r"\bi\s+(don'?t|do\s+not)\s+(understand|get\s+it)\b|\bconfused\b"
        ),
    ),
)

_SMALL_TALK = re.compile(
    r"^(hi|hello|hey|hiya|yo|good\s+(morning|afternoon|evening)|thanks?(\s+you)?|thank\s+you|"
    r"thx|ok(ay)?|cool|nice|great|bye|goodbye|see\s+you|lol|yes|no|yep|nope)\b[\s!.,:)]*$"
)
_ANSWER_PREFIX = re.compile(
    r"^(is\s+it|it'?s|it\s+is|i\s+think\s+(it'?s|it\s+is)?|my\s+answer\s+is|the\s+answer\s+is|"
    r"answer\s*:?|maybe|um+|uh+)\s*",
    re.IGNORECASE,
)
# Characters an answer may be made of: digits, signs, fraction bars, decimal points,
# thousands separators, percent and currency signs, brackets, "x =", a few letters of units.
_ANSWER_CHARS = re.compile(r"^[\s\d.,/%+\-−–*×÷^()=$€£:a-z]*$")


def classify(message: str, *, has_exercise: bool) -> Classified:
    """Decide what `message` (already cleaned) asks for."""
    text = " ".join(message.lower().split())
    for intent, pattern in _REQUESTS:
        if pattern.search(text):
            return Classified(intent)
    if has_exercise:
        candidate = _answer_candidate(text)
        if candidate is not None:
            return Classified(Intent.ANSWER, answer_text=_answer_candidate(message.strip()))
    if _SMALL_TALK.match(text):
        return Classified(Intent.SMALL_TALK)
    return Classified(Intent.QUESTION)


def _answer_candidate(text: str) -> str | None:
    """The answer inside `text` when the message is essentially an answer, else None."""
    stripped = _ANSWER_PREFIX.sub("", text.strip(), count=1) if text else text
    stripped = stripped.strip().rstrip("?!").strip()
    if not stripped or not any(ch.isdigit() for ch in stripped):
        return _number_words_answer(stripped)
    letters = sum(ch.isalpha() for ch in stripped)
    if _ANSWER_CHARS.match(stripped.lower()) and letters <= 8 and len(stripped.split()) <= 6:
        return stripped
    return None


_NUMBER_WORDS = re.compile(
    r"^(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|an|half|"
    r"quarters?|thirds?|fourths?|fifths?|halves|and|hundred|thousand|minus|negative|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|[-\s])+$"
)


def _number_words_answer(text: str) -> str | None:
    """An answer written in words ("three quarters"): the checker decides if it can read it."""
    if text and len(text) <= 60 and _NUMBER_WORDS.match(text.lower()) and text.strip("- "):
        return text
    return None
