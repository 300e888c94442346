"""What a student's message is: an answer, a request, a question the concept bank answers,
frustration, small talk or something off-topic.

Rules rather than a model: the decision changes what is stored (an attempt or not) and which
move the planner makes, so it must be predictable and testable. The order of the rules is
the policy:

1. while an exercise is open, an answer (a number, a fraction, LaTeX, "x = 3", "three
   quarters", "is it 12?") -> ANSWER, unless it opens with why / how / what / when; when in
   doubt, a message that is mostly a number is an answer: the checker then says "correct",
   "wrong" or "I could not read that", never worse than a misread request;
2. frustration and giving up ("I hate this", "just tell me", "I give up", "I don't know")
   -> ACKNOWLEDGE: the planner acknowledges and offers a smaller step, never the solution;
3. "too easy", "skip" -> SKIP (the student may test out);
4. explicit requests: the solution button's words, a new exercise, a hint or help;
5. questions: "why ...?", "what is a ...?", "how do I know when ...?" -> CONCEPT with the
   topic (a skill or a term of the concept bank) and the aspect (what / why / how / when);
   "why?" or "how does that work?" with no topic, or a question about an operation word
   ("why do we divide?") during an exercise -> CONCEPT about the current step; "what is
   12 × 3?" during an exercise -> HINT (a step to do, not a concept);
6. "I don't get it", "explain it again" -> EXPLAIN (the current step's explanation);
7. greetings and thanks -> SMALL_TALK; a maths question the bank has no topic for ->
   QUESTION; anything else -> REDIRECT (one friendly line, then back to the exercise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tutor.dialogue.concepts import Aspect, default_bank


class Intent(StrEnum):
    ANSWER = "answer"
    HINT = "hint"
    NEW_EXERCISE = "new_exercise"
    EXPLAIN = "explain"  # explain the current step again
    SOLUTION = "solution"
    QUESTION = "question"  # a maths question the concept bank has no entry for
    SMALL_TALK = "small_talk"
    CONCEPT = "concept"  # answered from the concept bank: `topic` and `aspect`
    ACKNOWLEDGE = "acknowledge"  # frustration, giving up, "I don't know"
    REDIRECT = "redirect"  # off-topic
    SKIP = "skip"  # "too easy", "skip": offer to test out


@dataclass(frozen=True)
class Classified:
    """The decision. For ANSWER, `answer_text` is the part of the message that is the answer.
    For CONCEPT, `topic` is a concept-bank topic (a skill key or a term) and `aspect` what is
    asked; `about_step` is True when the question points at the current step ("why?", "how
    does that work?") rather than at a named idea; `topic` is then the current skill, if any.
    """

    intent: Intent
    answer_text: str | None = None
    topic: str | None = None
    aspect: Aspect | None = None
    about_step: bool = False


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


_FRUSTRATION = _rx(
    r"\bi\s*(really\s+|just\s+|so\s+)?(hate|h8|can'?t\s+stand)\b",
    r"\bi\s*(really\s+|just\s+)?(dont\s+like|don't\s+like|do\s+not\s+like)\s+"
    r"(this|it|maths?|fractions?|decimals?|numbers?|you|school|homework|these|that)\b",
    r"\b(this|it|that|maths?|these)\s*(is|'s|s|are)\s+(so\s+|too\s+|really\s+|just\s+)?"
    r"(stupid|dumb|boring|pointless|useless|impossible|annoying|rubbish|hard|difficult|"
    r"silly|unfair|the\s+worst|terrible|awful)\b",
    r"\bjust\s+(tell|give|show)\s+(me|it|the)\b",
    r"\b(i\s+)?give\s+up\b|\bi\s+quit\b|\bforget\s+it\b|\bwhatever\b",
    r"\bi\s*(can'?t|cannot|can\s+not)\s+do\s+(this|it|maths?|these|that)\b",
    r"\bi('?m| am)\s+(so\s+|too\s+|just\s+)?(bad|rubbish|terrible|useless|hopeless|dumb|"
    r"stupid|tired|bored|done|fed\s+up|frustrated|annoyed|sick\s+of)\b",
    r"^(ugh+|argh+|grr+|omg|ffs|boring|booo*|meh|nooo+)\b",
    r"\btoo\s+(hard|difficult)\b|\bso\s+(hard|difficult)\b",
    r"\bthis\s+sucks\b|\bi\s+hate\s+(this|it)\b|\bdon'?t\s+want\s+to\b|\bnot\s+fair\b",
    r"^(i\s+)?(don'?t|do\s+not|dont)\s+know\b|^(i\s+)?(have\s+)?no\s+idea\b|^idk\b|^dunno\b|"
    r"^i('?m| am)\s+not\s+sure\b|^no\s+clue\b|^not\s+sure\b",
)
_SKIP = _rx(
    r"\btoo\s+easy\b|\b(this|it|that)\s*(is|'s|s)\s+(so\s+|really\s+|way\s+too\s+)?easy\b",
    r"^skip\b|\bcan\s+(i|we)\s+skip\b|\bskip\s+(this|it)\b",
    r"\bi\s+(already\s+)?know\s+(this|how\s+to\s+do\s+this|it\s+already|this\s+already)\b",
    r"\bsomething\s+harder\b|\bharder\s+(one|ones|question|questions|please)\b",
)
_SOLUTION = _rx(
    r"^(please\s+)?(show|give)\s+(me\s+)?(the\s+)?(full\s+|whole\s+|worked\s+)?"
    r"(solution|answer)\b",
    r"^(please\s+)?tell\s+me\s+the\s+(solution|answer)\b",
    r"^(full\s+)?solution\s*(please)?[.!?]*$",
    r"\bwhat\s+is\s+the\s+(right\s+|correct\s+)?answer\b",
)
_NEW = _rx(
    r"^(new|next|another)\s*(one|exercise|question|problem)?\s*(please)?[.!?]*$",
    r"\b(new|next|another|different)\s+(exercise|question|problem|one)\b",
)
_HINT = _rx(
    r"^(a\s+)?(hint|clue|help)\b|\b(another|more|next)\s+(hint|clue)\b|^(please|pls)\s+help\b",
    r"\b(give|need|want|have|get)\s+(me\s+)?(a\s+|another\s+|one\s+more\s+|some\s+)?"
    r"(hint|clue|help)\b",
    r"\bi('?m| am)\s+stuck\b|\bstuck\b",
    r"\b(can|could|will|would)\s+(you|u)\s+(please\s+)?help\b|\bhelp\s+(me|please|pls)\b",
    r"\bwhere\s+(do|should|can|would)\s+i\s+(start|begin)\b|\bnext\s+step\b|\bwhat\s+do\s+i\s+do\b|\bwhat\s+should\s+i\s+do\b",
    r"\bhow\s+(do|should|can)\s+i\s+(do|start|solve|work\s+out|begin|answer)\s+"
    r"(this|it|that|the\s+question|this\s+one)\b",
    r"\bwhat('?s| is)\s+the\s+first\s+step\b|\bwhat\s+next\b|\bwhat\s+now\b",
)
_EXPLAIN = _rx(
    r"^explain\b|\bexplain\s+(it|this|that)?\s*(again|more|differently|please)?\s*[.!?]*$",
    r"\bi\s+(still\s+)?(don'?t|do\s+not|dont)\s+(understand|get\s+it|get\s+this|get\s+that|"
    r"see\s+why|follow)\b",
    r"\bconfused\b|\bconfusing\b|\bmakes?\s+(no|any)\s+sense\b|"
    r"\b(doesn'?t|does\s+not|don'?t)\s+make\s+(any\s+)?sense\b",
    r"\bexplain\b.*\b(again|different|differently|another\s+way|simpler|better|slower)\b",
    r"^(huh|what|wait|eh)\s*[?!.]*$|\bwhat\s+do\s+you\s+mean\b|\bi('?m|\s+am)\s+(so\s+|completely\s+)?lost\b",
)
_ASPECT: tuple[tuple[Aspect, re.Pattern[str]], ...] = (
    (
        "when",
        _rx(
            r"\bhow\s+do\s+(i|you|we)\s+know\s+(when|if|whether|which|where)\b",
            r"^when\b",
            r"^(do|does|should|must|can)\s+(i|we|you)\s+(need|have\s+to|always|use)\b",
            r"\bwhen\s+(do|should|can|must|would)\s+(i|you|we)\b",
        ),
    ),
    (
        "why",
        _rx(
            r"^(but\s+|and\s+|so\s+)?why\b",
            r"\bwhy\s+(do|does|is|are|did|can|would|must)\b",
            r"\bhow\s+come\b",
            r"\bwhat\s+is\s+the\s+(point|reason)\b",
        ),
    ),
    (
        "how",
        _rx(
            r"^(but\s+|and\s+|so\s+)?how\b",
            r"\bhow\s+(do|does|can|should|to)\b",
            r"\bwhat\s+(are\s+)?the\s+steps\b",
            r"\bshow\s+me\s+how\b",
        ),
    ),
    (
        "what",
        _rx(
            r"^(but\s+|and\s+|so\s+)?(what|whats|what's)\b",
            r"\bwhat\s+(is|are|does)\b",
            r"\bmean(s|ing)?\b",
            r"\bdefin(e|ition)\b",
            r"^(tell\s+me\s+)?about\b",
            r"^(can\s+you\s+)?explain\b",
            r"^is\s+(a|an|the)\b",
        ),
    ),
)
_STEP_WORDS = re.compile(
    r"\b(this|that|the\s+step|this\s+step|that\s+step|there|here|these|those|work|works)\b"
)
_ARITHMETIC = re.compile(
    r"\d\s*([-+*/×÷−^x]|times|plus|minus|divided\s+by|multiplied\s+by|over|of|take\s+away)"
    r"\s*\d"
)
_MATHS_WORDS = re.compile(
    r"\b(maths?|number|numbers|digit|sum|add|adding|added|plus|minus|subtract\w*|times|"
    r"multipl\w*|divid\w*|division|fractions?|decimals?|percent\w*|ratio|equation|answer|"
    r"question|exercise|top|bottoms?|numerators?|denominators?|"
    r"step|problem|solve|calculate|work\s+out|column|point|equal|equals|bigger|smaller|"
    r"half|quarter|third|negative|positive|square|cube|power|multiple|factor|even|odd)\b"
)
_SMALL_WORD = (
    r"(hi|hello|hey|hiya|yo|good\s+(morning|afternoon|evening)|thanks?(\s+you)?|thank\s+you|"
    r"thx|ty|ok(ay)?|k|cool|nice|great|bye|goodbye|see\s+you|lol|yes|no|yep|yeah|nope|"
    r"got\s+it|i\s+see|oh|ah|right|sure|awesome)"
)
_SMALL_TALK = re.compile(rf"^{_SMALL_WORD}([\s,!.]+{_SMALL_WORD}){{0,2}}[\s!.,:)]*$")
_ANSWER_PREFIX = re.compile(
    r"^(is\s+it|it'?s|it\s+is|i\s+think\s+(it'?s|it\s+is)?|i\s+got|my\s+answer\s+is|"
    r"the\s+answer\s+is|answer\s*:?|maybe|so|um+|uh+|err*|hmm+)\s*",
    re.IGNORECASE,
)
# Characters an answer may be made of: digits, signs, fraction bars, decimal points,
# thousands separators, percent and currency signs, brackets, "x =", LaTeX's \frac{}{} and
# $...$, Unicode fractions, a few letters of units.
_ANSWER_CHARS = re.compile(r"^[\s\d.,/%+\-−–*×÷^()=$€£:a-z\\{}\u00bc-\u00be\u2150-\u215e\u2044]*$")
_VULGAR = re.compile(r"[\u00bc-\u00be\u2150-\u215e]")


def classify(message: str, *, has_exercise: bool, skill_key: str | None = None) -> Classified:
    """Decide what `message` (already cleaned) asks for; `skill_key` is the current
    exercise's skill (it breaks ties between topics and answers "why?")."""
    text = " ".join(message.lower().replace("’", "'").split())
    if not text:
        return Classified(Intent.QUESTION)
    if has_exercise:
        candidate = _answer_candidate(text)
        if candidate is not None and not _ASPECT_ANY.search(text):
            return Classified(Intent.ANSWER, answer_text=_answer_candidate(message.strip()))
    if _FRUSTRATION.search(text):
        return Classified(Intent.ACKNOWLEDGE)
    if _SKIP.search(text):
        return Classified(Intent.SKIP)
    for intent, pattern in ((Intent.SOLUTION, _SOLUTION), (Intent.NEW_EXERCISE, _NEW)):
        if pattern.search(text):
            return Classified(intent)
    if _HINT.search(text):
        return Classified(Intent.HINT)
    question = _concept_question(text, has_exercise=has_exercise, skill_key=skill_key)
    if question is not None:
        return question
    if _EXPLAIN.search(text):
        return Classified(Intent.EXPLAIN, topic=skill_key, about_step=True)
    if _SMALL_TALK.match(text):
        return Classified(Intent.SMALL_TALK)
    if _MATHS_WORDS.search(text) or any(ch.isdigit() for ch in text):
        return Classified(Intent.QUESTION)
    return Classified(Intent.REDIRECT)


_ASPECT_ANY = re.compile(r"^(why|how|what|whats|what's|when)\b")


def _concept_question(text: str, *, has_exercise: bool, skill_key: str | None) -> Classified | None:
    """CONCEPT for a what / why / how / when question about a topic or the current step;
    HINT for "what is 12 × 3?" asked during an exercise (a request to do a step for them)."""
    aspect = next((a for a, pattern in _ASPECT if pattern.search(text)), None)
    if aspect is None:
        if text.endswith("?") and len(text.split()) <= 5:  # "and a decimal?"
            topic = default_bank().find_topic(text, skill_key=skill_key)
            if topic is not None:
                return Classified(Intent.CONCEPT, topic=topic, aspect="what")
        return None
    if has_exercise and _ARITHMETIC.search(text) and aspect in ("what", "how"):
        return Classified(Intent.HINT)
    bank = default_bank()
    asked = text.replace("difference between", "between")  # "the difference between a and b"
    found = bank.match(asked, skill_key=skill_key, aspect=aspect)
    generic_elsewhere = (
        found is not None
        and found.generic
        and has_exercise
        and aspect != "what"
        and bank.skill_of(found.topic) != skill_key
    )
    if found is not None and not generic_elsewhere:
        return Classified(Intent.CONCEPT, topic=found.topic, aspect=aspect)
    if generic_elsewhere:  # "why do we divide by 100?" on a percentages exercise
        return Classified(Intent.CONCEPT, topic=skill_key, aspect=aspect, about_step=True)
    if _EXPLAIN.search(text):
        return None  # "explain it again": the current step, by the EXPLAIN rule
    words = re.sub(r"[^a-z' ]", " ", text).split()
    mathsy = bool(_MATHS_WORDS.search(text) or any(ch.isdigit() for ch in text))
    if has_exercise and (len(words) <= 2 or _STEP_WORDS.search(text) or mathsy):
        return Classified(Intent.CONCEPT, topic=skill_key, aspect=aspect, about_step=True)
    if mathsy:
        return Classified(Intent.QUESTION, aspect=aspect)
    return None


def _answer_candidate(text: str) -> str | None:
    """The answer inside `text` when the message is essentially an answer, else None."""
    stripped = _ANSWER_PREFIX.sub("", text.strip(), count=1) if text else text
    stripped = stripped.strip().rstrip("?!").strip()
    has_number = any(ch.isdigit() for ch in stripped) or _VULGAR.search(stripped)
    if not stripped or not has_number:
        return _number_words_answer(stripped)
    latex_free = re.sub(r"\\[a-z]+", "", stripped.lower())
    letters = sum(ch.isalpha() for ch in latex_free)
    if _ANSWER_CHARS.match(stripped.lower()) and letters <= 8 and len(stripped.split()) <= 6:
        return stripped
    return None


_NUMBER_WORDS = re.compile(
    r"^(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|an|half|"
    r"quarters?|thirds?|fourths?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?|"
    r"twelfths?|hundredths?|halves|and|hundred|thousand|minus|negative|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|[-\s])+$"
)


def _number_words_answer(text: str) -> str | None:
    """An answer written in words ("three quarters"): the checker decides if it can read it."""
    if text and len(text) <= 60 and _NUMBER_WORDS.match(text.lower()) and text.strip("- "):
        return text
    return None
