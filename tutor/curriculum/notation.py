"""The notation of worked solutions: read a step's sum exactly, and refuse code notation.

A step's `expression` is written for a child ("12 − 4", "3/4 + 1/6", "2 3/4", "5³"), so the
check that its `result` is right must read that notation, not Python's. This is a small
recursive-descent reader over `Fraction` (never `eval`, never sympy's parser):

    sum      := product (("+" | "−") product)*
    product  := signed (("×" | "÷") signed)*
    signed   := "−" signed | power
    power    := atom ("^" signed | superscript digits)?
    atom     := number | fraction a/b | mixed number "2 3/4" | "(" sum ")"

`a/b` is a fraction only between two numbers with no space ("3/4"), so it binds tighter than
× and ÷ as it does on paper ("3/4 ÷ 2/3"). A result may also be a percentage ("25%"), a
ratio ("3:4") or a solved equation ("x = 3"); `read_value` reads those.

`code_notation(text)` lists the code-isms a child must never read: `*`, `**`, a spaced `/`,
`lcm(…)`, `round(…)`, `::`, an ASCII minus between numbers.
"""

from __future__ import annotations

import re
from fractions import Fraction

Value = Fraction | tuple[Fraction, ...]

MAX_EXPONENT = 12  # a step's power is small; refuse anything that could blow up

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<mixed>\d+ \d+/\d+(?![\d.]))"
    r"|(?P<fraction>\d+(?:\.\d+)?/\d+(?:\.\d+)?)"
    r"|(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
    r"|(?P<op>[-+−×÷^()])"
    r")"
)
_CODE = (
    (re.compile(r"\*"), "'*' (write ×)"),
    (re.compile(r"\s/\s|\s/|/\s"), "a spaced '/' (write ÷, or a fraction a/b)"),
    (re.compile(r"\b(?:lcm|gcd|gcf|hcf|round|sqrt|abs|max|min)\s*\("), "a function call"),
    (re.compile(r"::"), "'::'"),
    (re.compile(r"\d\s+-\s*[\d(]|[\d)]\s*-\s+\d|\)\s*-\s*\(|\d-\d"), "an ASCII '-' (write −)"),
    (re.compile(r"==|!="), "a code comparison"),
)


class NotationError(ValueError):
    """A step's text that this reader cannot read (a bug in a generator or a pack)."""


def code_notation(text: str) -> list[str]:
    """The code-isms in a piece of student-facing text (empty when it reads as maths)."""
    return [name for pattern, name in _CODE if pattern.search(text)]


def evaluate(text: str) -> Fraction:
    """The exact value of a sum in proper notation ("12 − 4" -> 8, "3/4 ÷ 1/2" -> 3/2)."""
    reader = _Reader(_tokens(text), text)
    value = reader.sum()
    if reader.peek() is not None:
        raise NotationError(f"unexpected {reader.peek()!r} in {text!r}")
    return value


def read_value(text: str) -> Value:
    """A step's result: a sum, a percentage ("25%" -> 1/4), a ratio ("3:4") or "x = 3"."""
    body = text.strip()
    if re.fullmatch(r"[a-z]\s*=.*", body):
        body = body.split("=", 1)[1].strip()
    if ":" in body:
        return tuple(evaluate(part) for part in body.split(":"))
    if body.endswith("%"):
        return evaluate(body[:-1]) / 100
    return evaluate(body)


def same_value(expression: str, result: str) -> bool:
    """Whether a step's expression comes to its result (ratios compared part by part)."""
    left, right = read_value(expression), read_value(result)
    return left == right


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise NotationError(f"cannot read {text[pos:]!r} in {text!r}")
        pos = match.end()
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
    return tokens


class _Reader:
    def __init__(self, tokens: list[tuple[str, str]], text: str) -> None:
        self.tokens = tokens
        self.text = text
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise NotationError(f"{self.text!r} ends too early")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def sum(self) -> Fraction:
        value = self.product()
        while self.peek() in ("+", "−", "-"):
            op = self.take()[1]
            right = self.product()
            value = value + right if op == "+" else value - right
        return value

    def product(self) -> Fraction:
        value = self.signed()
        while self.peek() in ("×", "÷"):
            op = self.take()[1]
            right = self.signed()
            if op == "÷" and right == 0:
                raise NotationError(f"division by zero in {self.text!r}")
            value = value * right if op == "×" else value / right
        return value

    def signed(self) -> Fraction:
        if self.peek() in ("−", "-"):
            self.take()
            return -self.signed()
        return self.power()

    def power(self) -> Fraction:
        base = self.atom()
        if self.peek() == "^":
            self.take()
            exponent = self.signed()
        elif self.pos < len(self.tokens) and self.tokens[self.pos][0] == "sup":
            exponent = Fraction(self.take()[1].translate(_SUPERSCRIPTS))
        else:
            return base
        if exponent.denominator != 1 or abs(exponent) > MAX_EXPONENT:
            raise NotationError(f"exponent {exponent} out of range in {self.text!r}")
        return base ** int(exponent)

    def atom(self) -> Fraction:
        kind, text = self.take()
        if kind == "number":
            return Fraction(text)
        if kind == "fraction":
            top, bottom = text.split("/")
            if Fraction(bottom) == 0:
                raise NotationError(f"zero denominator in {self.text!r}")
            return Fraction(top) / Fraction(bottom)
        if kind == "mixed":
            whole, rest = text.split(" ")
            top, bottom = rest.split("/")
            return int(whole) + Fraction(int(top), int(bottom))
        if text == "(":
            value = self.sum()
            if self.take()[1] != ")":
                raise NotationError(f"unclosed bracket in {self.text!r}")
            return value
        raise NotationError(f"unexpected {text!r} in {self.text!r}")
