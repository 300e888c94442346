"""Numbers in text, in every form a student or a model writes them, read in one linear pass.

`12`, `1,250`, `0.75`, `0,75` (decimal comma), `3/4`, `2 1/2`, `75%`, `75 percent`, `-5`,
`−5`, `\\frac{3}{4}`, `3:4`, `twelve`, `seventy-five`, `three quarters`, `one and a half`.
Each becomes a `Number` with its exact value (`Fraction`) and where it sits in the text, so
the verifier compares values, not spellings: `6/8`, `0.75` and `three quarters` are all 3/4.

Linear: the text is normalised once, then one regex pass for digits and one scan of word
tokens; nothing rescans from every position (the old leak guard took 6.8 s at 16,000 chars).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

MAX_TEXT = 20_000

_TRANSLATE = str.maketrans(
    {"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2044": "/", "\u2215": "/", "\u00a0": " "}
)
_LATEX_FRAC = re.compile(r"\\[dt]?frac\s*\{\s*(-?\d+)\s*\}\s*\{\s*(\d+)\s*\}")
_DIGITS = re.compile(
    r"(?P<sign>(?<![\w)])-(?=\d))?"
    r"(?:(?P<mixed>(?<![\d.,/])\d+[ \t]+\d+/\d+(?![\d/]))"
    r"|(?P<ratio>(?<![\d.,/:])\d+(?::|[ \t]:[ \t])\d+(?![\d:]))"  # "3:4", "3 : 4"; not "10: 7"
    r"|(?P<frac>(?<![\d.,/])\d+(?:\.\d+)?[ \t]?/[ \t]?\d+(?:\.\d+)?(?![\d/]))"
    r"|(?P<comma>(?<![\d.,])(?:\d+,\d{1,2}|0,\d+)(?![\d]|,\d))"  # "0,75"; "0,132": no 1,000s
    r"|(?P<num>(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d|,\d|\.\d)|(?<![\d.,])\d+(?:\.\d+)?|(?<![\d.,])\.\d+))"
    r"(?P<pct>[ \t]?(?:%|percent\b|per[ \t]cent\b))?"
)
# The number words every reader and writer of numbers in words shares (ours and the tests').
UNIT_WORDS: tuple[str, ...] = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
TENS_WORDS: tuple[str, ...] = (
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
)  # fmt: skip
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
_DENOMINATORS = {
    "half": 2,
    "halves": 2,
    "quarter": 4,
    "quarters": 4,
    **{w: d for d, w in enumerate(_ORDINALS, start=3)},
    **{w + "s": d for d, w in enumerate(_ORDINALS, start=3)},
    "hundredth": 100,
    "hundredths": 100,
    "tenths": 10,
    "thousandth": 1000,
    "thousandths": 1000,
}
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Number:
    """One number in a text: as written, its value, where it starts, and how it was written.

    `kind`: "digits", "fraction", "mixed", "percent", "ratio", "comma", "latex", "words".
    A percentage's `value` is the fraction it stands for (75% -> 3/4); `bare` is the number
    as written (75). A ratio's value is a/b and `bare` is None.
    """

    text: str
    value: Fraction
    start: int
    kind: str
    bare: Fraction | None = None


_SUPERSCRIPT = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def normalise(text: str) -> str:
    """NFKC, one minus sign, lower case: the text every check reads (same length per char)."""
    # A superscript is a power, not another digit: NFKC would read "5³" as "53".
    text = _SUPERSCRIPT.sub(lambda m: "^" + m.group(0).translate(_SUPERSCRIPT_DIGITS), text)
    return unicodedata.normalize("NFKC", text[:MAX_TEXT]).translate(_TRANSLATE).lower()


def _fraction(text: str) -> Fraction | None:
    try:
        return Fraction(text.replace(" ", "").replace("\t", ""))
    except (ValueError, ZeroDivisionError):
        return None


def read_numbers(text: str, *, words: bool = True) -> list[Number]:
    """Every number in `text` in order of appearance (digits, LaTeX, and with `words` words)."""
    s = normalise(text)
    found: list[Number] = []
    for m in _LATEX_FRAC.finditer(s):
        value = _fraction(f"{m.group(1)}/{m.group(2)}")
        if value is not None:
            found.append(Number(m.group(0), value, m.start(), "latex"))
    latex_spans = [(n.start, n.start + len(n.text)) for n in found]
    for m in _DIGITS.finditer(s):
        if latex_spans and any(a <= m.start() < b for a, b in latex_spans):
            continue
        number = _from_match(m)
        if number is not None:
            found.append(number)
    if words:
        found.extend(_word_numbers(s))
    found.sort(key=lambda n: n.start)
    return found


def _from_match(m: re.Match[str]) -> Number | None:
    sign = -1 if m.group("sign") else 1
    kind = next(k for k in ("mixed", "ratio", "frac", "comma", "num") if m.group(k))
    body = m.group(kind)
    if kind == "mixed":
        whole, rest = body.split(None, 1)
        part = _fraction(rest)
        if part is None or not 0 < part < 1:
            return None
        value: Fraction | None = Fraction(whole) + part
    elif kind == "ratio":
        a, b = (Fraction(p.strip()) for p in body.split(":"))
        if b == 0:
            return None
        return Number(m.group(0), a / b, m.start(), "ratio")
    elif kind == "comma":
        value = _fraction(body.replace(",", "."))
    else:
        value = _fraction(body.replace(",", ""))
    if value is None:
        return None
    value *= sign
    name = {"frac": "fraction", "num": "digits"}.get(kind, kind)
    if m.group("pct"):
        return Number(m.group(0).strip(), value / 100, m.start(), "percent", bare=value)
    return Number(m.group(0).strip(), value, m.start(), name)


def _word_numbers(s: str) -> list[Number]:
    """Numbers in words: `twelve`, `seventy-five`, `three quarters`, `one and a half`, `a half`."""
    tokens = [(m.group(0), m.start()) for m in _WORD.finditer(s)]
    # Token k continues the number before it only when nothing but a space or a hyphen lies
    # between them: "twenty. 32 ÷ 2 = 16, two" is twenty, then two, not twenty-two.
    joined = [False] + [
        s[a + len(w) : b].strip(" \t-") == "" for (w, a), (_, b) in pairwise(tokens)
    ]
    out: list[Number] = []
    i, n = 0, len(tokens)
    while i < n:
        word, start = tokens[i]
        j, total, current = i, 0, 0
        if (
            word in ("a", "an")
            and i + 1 < n
            and tokens[i + 1][0] in ("half", "quarter", "third")
            and joined[i + 1]
        ):
            current, j = 1, i + 1
        else:
            while j < n and (j == i or joined[j]):
                w = tokens[j][0]
                small = current % 100
                if w in _UNITS and (
                    small == 0 or (small % 10 == 0 and small >= 20 and _UNITS[w] < 10)
                ):
                    current += _UNITS[w]
                elif w in _TENS and small == 0:
                    current += _TENS[w]
                elif w in _SCALES and j > i:
                    total, current = total + max(current, 1) * _SCALES[w], 0
                    after = tokens[j + 1][0] if j + 1 < n else ""
                    following = tokens[j + 2][0] if j + 2 < n else ""
                    if (
                        after == "and"
                        and (following in _UNITS or following in _TENS)
                        and joined[j + 1]
                        and joined[j + 2]
                    ):
                        j += 1  # "three hundred and twenty-three"
                else:
                    break
                j += 1
            if j == i:
                i += 1
                continue
        value = Fraction(total + current)
        end = j
        if j < n and tokens[j][0] in _DENOMINATORS and joined[j]:  # three quarters, two thirds
            value, end = value / _DENOMINATORS[tokens[j][0]], j + 1
        elif (
            j + 2 < n
            and tokens[j][0] == "and"
            and tokens[j + 1][0] in ("a", "one")
            and tokens[j + 2][0] in _DENOMINATORS
            and joined[j]
            and joined[j + 1]
            and joined[j + 2]
        ):  # one and a half
            value, end = value + Fraction(1, _DENOMINATORS[tokens[j + 2][0]]), j + 3
        last_word, last_start = tokens[end - 1]
        stop = last_start + len(last_word)
        if _PERCENT_AFTER.match(s, stop):
            out.append(Number(s[start:stop], value / 100, start, "percent", bare=value))
        else:
            out.append(Number(s[start:stop], value, start, "words"))
        i = end
    return out


_PERCENT_AFTER = re.compile(r"\s*(?:percent|per cent)\b")
_PAIR = re.compile(r"(?<![\d./])(\d+)\s+(?:out\s+of|over)\s+(\d+)(?![\d.]\d)")  # not "2/3 over 6"


def read_pairs(text: str) -> list[Number]:
    """`3 out of 4`, `3 over 4`: a second reading of two numbers as one fraction."""
    s = normalise(text)
    out = []
    for m in _PAIR.finditer(s):
        b = int(m.group(2))
        if b:
            out.append(Number(m.group(0), Fraction(int(m.group(1)), b), m.start(), "pair"))
    return out
