"""Numbers in free text: the hint leak guard and the check on model-written wordings.

A hint must not state the answer in any form: `3/4`, `6/8`, `0.75`, `75%`, `x = 0.75`,
`three quarters`, `three fourths`, `seventy-five percent`, `1 1/2`, `one and a half`. So we
read every number a text mentions, in digits or in words, and compare each exactly with the
key. The guard errs on the side of caution: a hint that mentions the answer's value for any
reason (even a number of the question) counts as revealing it, and the caller falls back to
a template.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from prompts.numbers import TENS_WORDS, UNIT_WORDS
from tutor.curriculum.checker import key_value
from tutor.curriculum.model import Exercise

MAX_TEXT = 20_000  # characters scanned; longer model output is cut before scanning

_UNITS = {w: i for i, w in enumerate(UNIT_WORDS)}
_TENS = {w: 10 * i for i, w in enumerate(TENS_WORDS, start=2)}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_ORDINALS = [
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
]
_DENOMS = {
    "half": 2,
    "halves": 2,
    "quarter": 4,
    "quarters": 4,
    **{w: d for d, w in enumerate(_ORDINALS, start=3)},
    **{w + "s": d for d, w in enumerate(_ORDINALS, start=3)},
    **{w: d for w, d in (("twentieth", 20), ("hundredth", 100), ("thousandth", 1000))},
    **{w + "s": d for w, d in (("twentieth", 20), ("hundredth", 100), ("thousandth", 1000))},
}
_NUMBER_WORDS = set(_UNITS) | set(_TENS) | set(_SCALES)

_TRANSLATE = str.maketrans(
    {"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2044": "/", "\u2215": "/"}
)
_WORD_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?|\S")
_NUMBER = re.compile(
    r"(?P<sign>(?<![\w)])-)?"
    r"(?:(?P<mixed>\d+[ \t]+\d+[ \t]*/[ \t]*\d+)"
    r"|(?P<frac>\d+(?:\.\d+)?[ \t]*/[ \t]*\d+(?:\.\d+)?)"
    r"|(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+(?:\.\d+)?|\.\d+))"
    r"(?P<pct>[ \t]*(?:%|percent\b|per[ \t]*cent\b))?"
)
_PAIR = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?::|÷|\bto\b|\bout\s+of\b|\bover\b|\bdivided\s+by\b)\s*"
    r"(\d+(?:\.\d+)?)(?!\d|\.\d)"  # a sentence's full stop may follow: "3 out of 4."
)

# "0,75" or "1,375" read as a decimal; a comma after it is punctuation ("0,75, easy")
_DECIMAL_COMMA = re.compile(r"(?<![\d,.])\d+,\d+(?!\d|,\d)")


@dataclass(frozen=True)
class Mention:
    """A number found in text: what was written (after words became digits) and its values.

    `value` is the main reading; `others` are further readings a reader could take (a
    percentage also as its bare number). `parts` is set for a ratio-like pair (`3:4`,
    `3 to 4`, `3 out of 4`, `3 ÷ 4`, read as 3/4). `alternative` marks a second reading of
    text already read as numbers (a pair, or a decimal comma: `0,75` as 0.75): the leak guard
    weighs it, the wording check does not.
    """

    text: str
    value: Fraction
    others: tuple[Fraction, ...] = ()
    parts: tuple[Fraction, ...] = ()
    alternative: bool = False

    @property
    def values(self) -> tuple[Fraction, ...]:
        return (self.value, *self.others)


def answer_mentions(text: str) -> list[Mention]:
    """Every number `text` mentions, in digits or words, in order of appearance."""
    s = _words_to_digits(_normalise(text))
    found: list[Mention] = []
    for m in _NUMBER.finditer(s):
        value = _value(m)
        if value is None:
            continue
        sign = -1 if m.group("sign") else 1
        if m.group("pct"):
            found.append(Mention(m.group(0).strip(), sign * value / 100, (sign * value,)))
        else:
            found.append(Mention(m.group(0).strip(), sign * value))
    for m in _PAIR.finditer(s):
        a, b = Fraction(m.group(1)), Fraction(m.group(2))
        if b != 0:
            found.append(Mention(m.group(0), a / b, (), (a, b), alternative=True))
    for m in _DECIMAL_COMMA.finditer(s):
        found.append(Mention(m.group(0), Fraction(m.group(0).replace(",", ".")), alternative=True))
    return found


def reveals_answer(text: str, exercise: Exercise) -> bool:
    """True when `text` mentions a number equivalent to the exercise's answer, in any form."""
    key = exercise.answer
    target = key_value(key.value, key)
    mentions = answer_mentions(text)
    if key.kind == "ratio":
        assert isinstance(target, tuple)
        plain = {v for m in mentions for v in m.values}
        raw = tuple(Fraction(int(p.p), int(p.q)) for p in key.value)
        if all(p in plain for p in raw):
            return True
        for m in mentions:
            if m.parts and len(m.parts) == len(target) and key_value(m.parts, key) == target:
                return True
            if len(raw) == 2 and raw[1] != 0 and m.value == raw[0] / raw[1]:
                return True
        return False
    assert isinstance(target, Fraction)
    wanted = {target, target * 100} if key.kind == "percent" else {target}
    return any(v in wanted for m in mentions for v in m.values)


def spec_numbers(spec: Mapping[str, object]) -> set[Fraction]:
    """The numbers an exercise's spec fixes (every value but the operation's name).

    Returned as exact `Fraction`s (they compare equal to sympy Rationals); a percentage in a
    spec ("15%") counts as 15/100, as it does when read from a wording.
    """
    numbers: set[Fraction] = set()
    for name, value in spec.items():
        if name == "operation" or isinstance(value, bool):
            continue
        if isinstance(value, int | float | Fraction):
            numbers.add(Fraction(value))
        elif isinstance(value, str):
            numbers |= {m.value for m in answer_mentions(value) if not m.alternative}
    return numbers


def wording_matches_spec(text: str, spec: Mapping[str, object]) -> bool:
    """True when a wording mentions exactly the spec's numbers: none missing, none added."""
    found = {m.value for m in answer_mentions(text) if not m.alternative}
    return found == spec_numbers(spec)


# --- reading ---------------------------------------------------------------------------


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text[:MAX_TEXT]).translate(_TRANSLATE).lower()
    return s.replace("\u00a0", " ")


def _value(m: re.Match[str]) -> Fraction | None:
    try:
        if m.group("mixed"):
            whole, rest = m.group("mixed").split(None, 1)
            num, den = (Fraction(p.strip()) for p in rest.split("/"))
            if den == 0 or not 0 < num < den:
                return None
            return Fraction(whole) + num / den
        if m.group("frac"):
            num, den = (Fraction(p.strip()) for p in m.group("frac").split("/"))
            return None if den == 0 else num / den
        return Fraction(m.group("num").replace(",", ""))
    except (ValueError, ZeroDivisionError):
        return None


def _words_to_digits(s: str) -> str:
    """Rewrite number words as digits: "three quarters" -> "3/4", "one and a half" ->
    "1 1/2", "zero point seven five" -> "0.75", "negative three" -> "-3", "half" -> "1/2"."""
    tokens = list(_WORD_TOKEN.finditer(s))
    words = [t.group(0) for t in tokens]  # once: per token it made long texts quadratic
    out: list[str] = []
    last = 0
    i = 0
    while i < len(tokens):
        t = tokens[i]
        word = t.group(0)
        replaced = _read_number_phrase(words, i)
        if replaced is not None:
            text, end = replaced
            out.append(s[last : t.start()])
            out.append(text)
            last = tokens[end - 1].end()
            i = end
            continue
        if word in ("negative", "minus") and i + 1 < len(tokens):
            following = _read_number_phrase(words, i + 1)
            nxt = tokens[i + 1].group(0)
            if following is not None or nxt[0].isdigit():
                out.append(s[last : t.start()])
                out.append("-")
                last = tokens[i + 1].start()
        i += 1
    out.append(s[last:])
    return "".join(out)


def _read_number_phrase(words: list[str], i: int) -> tuple[str, int] | None:
    """(digits, index after the phrase) for a number phrase starting at word i, else None."""
    first = words[i]
    if first == "half" or (first == "a" and i + 1 < len(words) and words[i + 1] == "half"):
        return "1/2", i + (2 if first == "a" else 1)
    if first[0].isdigit():
        if "." in first or i + 1 >= len(words):
            return None
        j = i + 1 + (words[i + 1] == "-")
        if j < len(words) and words[j] in _DENOMS and (j == i + 1 or words[j] not in ("half",)):
            return f"{first}/{_DENOMS[words[j]]}", j + 1
        if words[i + 1 : i + 4] == ["and", "a", "half"]:
            return f"{first} 1/2", i + 4
        return None
    starts_with_a = (
        first == "a" and i + 1 < len(words) and words[i + 1] in (_SCALES.keys() | _DENOMS.keys())
    )
    if first not in _NUMBER_WORDS and not starts_with_a and first != "point":
        return None
    j = i
    run: list[str] = []
    if starts_with_a:
        run.append("one")
        j += 1
    while j < len(words):
        w = words[j]
        if w in _NUMBER_WORDS:
            run.append(w)
            j += 1
        elif (
            w == "-"
            and j + 1 < len(words)
            and words[j + 1] in _NUMBER_WORDS
            and run
            or (
                w == "and"
                and run
                and run[-1] in _SCALES
                and j + 1 < len(words)
                and words[j + 1] in _NUMBER_WORDS
            )
        ):
            j += 1
        else:
            break
    value = _cardinal(run) if run else 0
    if j < len(words) and words[j] == "point":
        digits = []
        k = j + 1
        while k < len(words) and words[k] in _UNITS and _UNITS[words[k]] < 10:
            digits.append(str(_UNITS[words[k]]))
            k += 1
        if digits:
            return f"{value}.{''.join(digits)}", k
    if not run:
        return None
    k = j + (j < len(words) and words[j] == "-")
    if k < len(words) and words[k] in _DENOMS:
        return f"{value}/{_DENOMS[words[k]]}", k + 1
    if words[j : j + 3] == ["and", "a", "half"]:
        return f"{value} 1/2", j + 3
    return str(value), j


def _cardinal(words: list[str]) -> int:
    total, current = 0, 0
    for w in words:
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        else:
            total += max(current, 1) * _SCALES[w]
            current = 0
    return total + current
