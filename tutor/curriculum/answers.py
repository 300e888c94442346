"""Read what a student typed into an exact value, without ever evaluating it as code.

sympy's `parse_expr` and `sympify` call Python's `eval`, so a student's text never goes near
them. This module is a small tokenizer and recursive-descent parser of its own: it knows
integers, decimals, thousands separators, fractions, mixed numbers (`1 1/2`), percentages,
`+ - * / ^` and brackets, implicit multiplication (`2x`), one unknown (`x = 3`), ratios
(`3:4`), a leading currency sign and a trailing unit. Arithmetic is exact (`Fraction`) and
bounded: a length cap, a nesting cap and a size cap on every intermediate number, checked
*before* a power is computed, so `9^9^9` is refused at once instead of hanging.

The chat renders LaTeX, so students type it: `$\\frac{4}{7}$`, `\\dfrac{4}{7}`,
`3\\frac{1}{4}`, `\\times`, `\\div` are rewritten to plain notation first; so are Unicode
fractions (`½`; `3¼` is three and a quarter, not 31/4).

The parser records the operations a text asks for (`ParsedAnswer.operations`), so a checker
can tell a result ("168") from a calculation typed back ("881 − 713", "40/100*60"): when a
number is asked for, `result_form_problem` says "write the result, not the calculation".
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, TypeAlias, TypedDict

import sympy

from tutor.curriculum.model import AnswerKey

MAX_LENGTH = 200  # characters a student's answer may have; checked before anything else
MAX_DEPTH = 25  # nested brackets and signs
MAX_BITS = 2048  # bits of any numerator or denominator along the way
MAX_SYMBOLIC_EXPONENT = 12  # x^12 at most: expanding must stay cheap
VARIABLES = frozenset("xyzn")  # the unknowns an answer may name

ParsedKind = Literal["number", "ratio", "equation", "expression"]
# sympy ships no type information, so the sympy side of this alias is unchecked.
Value: TypeAlias = Fraction | sympy.Expr


class AnswerFormatError(ValueError):
    """The text is not an answer we can read; `message` says why, for the student."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ParsedAnswer:
    """What a student's text means.

    `kind="number"`: `value` holds it (also for a solved equation `x = 3`, with `variable`).
    `kind="ratio"`: `parts`. `kind="expression"`: `expr`, a sympy expression with an unknown
    (e.g. `2x + 1`). `kind="equation"`: an equation not in the form `x = number` (`expr` is
    the sympy `Eq`). `percent`: a `%` appeared. `unsimplified`: a typed fraction or ratio is
    not in lowest terms (`6/8`, `6:8`).
    """

    kind: ParsedKind
    value: Fraction | None = None
    parts: tuple[Fraction, ...] = ()
    expr: sympy.Basic | None = None
    variable: str | None = None
    percent: bool = False
    unsimplified: bool = False
    operations: tuple[str, ...] = ()  # binary operations typed, in order; "fraction" is a/b
    decimal_typed: bool = False  # a number with a decimal point was typed ("0.58")

    @property
    def is_calculation(self) -> bool:
        """The text asks for arithmetic beyond writing one number (a single fraction a/b of
        two whole numbers, a mixed number, a sign or a percent sign are numbers, not sums)."""
        return any(op != "fraction" for op in self.operations) or len(self.operations) > 1

    def to_sympy(self) -> sympy.Basic:
        if self.kind == "ratio":
            return sympy.Tuple(*(_rational(p) for p in self.parts))
        if self.kind == "number":
            assert self.value is not None
            if self.variable:
                return sympy.Eq(sympy.Symbol(self.variable), _rational(self.value))
            return _rational(self.value)
        assert self.expr is not None
        return self.expr


def parse_answer(text: str) -> sympy.Basic:
    """The sympy object a student's text stands for; raises `AnswerFormatError`."""
    return read_answer(text).to_sympy()


def read_answer(text: str) -> ParsedAnswer:
    """Parse a student's answer into a `ParsedAnswer`; raises `AnswerFormatError`."""
    cleaned = _normalise(_plain_notation(text) if isinstance(text, str) else text)
    tokens = _tokenise(cleaned)
    return _Parser(tokens).answer()


CALCULATION_MESSAGE = (
    "Write the result, not the calculation: work it out and type just the number you get."
)
DECIMAL_MESSAGE = (
    "The question asks for a decimal: write your answer with a decimal point, not as a "
    "fraction or a percentage."
)
FRACTION_MESSAGE = (
    "The question asks for a fraction: write your answer as a fraction (top/bottom), "
    "not as a decimal."
)
PERCENT_MESSAGE = "The question asks for a percentage: write your answer with a % sign."
_ASKS_DECIMAL = re.compile(r"\bas\s+a\s+decimal\b", re.IGNORECASE)
_ASKS_FRACTION = re.compile(r"\bas\s+a\s+fraction\b", re.IGNORECASE)
_ASKS_PERCENT = re.compile(r"\bas\s+a\s+percentage\b", re.IGNORECASE)


def result_form_problem(parsed: ParsedAnswer, key: AnswerKey, statement: str) -> str | None:
    """Why `parsed` is not an answer to a question that asks for a number, or None.

    A calculation ("881 − 713" typed back, "40/100*60") is not a result: the skill is doing
    it. One fraction of two whole numbers is a number, except where the result is whole
    ("12/4" leaves the division undone) or the question asks for another form. A question
    that names the form wants that form, so the question's own number typed back is not an
    answer: "as a decimal" refuses a fraction or a percentage ("99%" for "Write 99% as a
    decimal"), "as a fraction" a decimal ("0.58"), "as a percentage" a fraction ("1/4").
    Answers with an unknown left in them are the algebra path's business and are not judged
    here.
    """
    if parsed.kind != "number":
        return None
    if parsed.is_calculation:
        return CALCULATION_MESSAGE
    asks_decimal = key.kind == "number" and bool(_ASKS_DECIMAL.search(statement))
    if asks_decimal and parsed.percent:  # "Write 99% as a decimal": "99%" typed back
        return DECIMAL_MESSAGE
    if _ASKS_FRACTION.search(statement) and parsed.decimal_typed:  # "0.58" typed back
        return FRACTION_MESSAGE
    if "fraction" not in parsed.operations:
        return None
    if key.kind == "percent" and not parsed.percent and _ASKS_PERCENT.search(statement):
        return PERCENT_MESSAGE  # "Write 1/4 as a percentage": "1/4" typed back
    value = key.value
    whole = key.kind == "number" and getattr(value, "is_Integer", False)
    if whole:
        return CALCULATION_MESSAGE
    if asks_decimal:
        return DECIMAL_MESSAGE
    return None


def _rational(value: Fraction) -> sympy.Rational:
    return sympy.Rational(value.numerator, value.denominator)


# --- normalising ---------------------------------------------------------------------------

_REPLACEMENTS = str.maketrans(
    {
        "\u2212": "-",  # minus sign
        "\u2013": "-",  # en dash
        "\u2014": "-",
        "\u00d7": "*",  # multiplication sign
        "\u00b7": "*",
        "\u22c5": "*",
        "\u00f7": "/",  # division sign
        "\u2044": "/",  # fraction slash (NFKC turns ¾ into 3⁄4)
        "\u2215": "/",
    }
)
_CURRENCY = "$£€¥₹"
_PERCENT_WORD = re.compile(r"\s*\b(?:per\s*cent|percent|pct)\b")
_TRAILING_UNIT = re.compile(r"^(?P<body>.*?[\d)%.])\s*(?P<unit>[a-z]+[23]?(?:\s*/\s*[a-z]+)?)\.?$")
_LEADING_WORDS = re.compile(r"^(?:the\s+)?answer\s*(?:is|:|=)?\s*|^it\s+is\s+|^it's\s+")


_VULGAR = re.compile(r"(\d?)\s*([\u00bc-\u00be\u2150-\u215e\u2189])")
_LATEX_FRAC = re.compile(r"\\[dt]?frac\s*(?:\{([^{}]*)\}|(\d))\s*(?:\{([^{}]*)\}|(\d))")
_LATEX_WORDS = {
    r"\times": "*",
    r"\cdot": "*",
    r"\div": "/",
    r"\%": "%",
    r"\left": "",
    r"\right": "",
    r"\,": " ",
    r"\;": " ",
    r"\!": "",
    r"\ ": " ",
    r"\quad": " ",
    r"\dfrac": r"\frac",
    r"\tfrac": r"\frac",
}
_LATEX_DELIMITERS = re.compile(r"^\s*(?:\$\$?|\\\(|\\\[)(?P<body>.*?)(?:\$\$?|\\\)|\\\])\s*$", re.S)
_LATEX_TEXT = re.compile(r"\\(?:text|mathrm|mbox)\s*\{([^{}]*)\}")


def _plain_notation(text: str) -> str:
    """LaTeX and Unicode fractions rewritten as the plain notation the tokenizer reads.

    Done before NFKC, which would turn "3¼" into "31⁄4" (thirty-one quarters). A fraction
    right after a whole number becomes a mixed number ("3¼", "3\\frac{1}{4}" -> "3 1/4").
    Only when the text looks like LaTeX (a backslash or $) are LaTeX rules applied, so a
    dollar amount like "$5" still reads as 5.
    """
    out = _VULGAR.sub(_vulgar_plain, text)
    if "\\" not in out and out.count("$") < 2:
        return out
    match = _LATEX_DELIMITERS.match(out)
    if match:
        out = match.group("body")
    out = _LATEX_TEXT.sub(lambda m: f" {m.group(1)}", out)
    for latex, plain in _LATEX_WORDS.items():
        out = out.replace(latex, plain)
    for _ in range(MAX_DEPTH):  # nested \\frac: innermost first
        replaced = _LATEX_FRAC.sub(_frac_plain, out)
        if replaced == out:
            break
        out = replaced
    return out.replace("{", "(").replace("}", ")")


def _frac_plain(match: re.Match[str]) -> str:
    """`\\frac{a}{b}` as `(a/b)`; as ` a/b` right after a whole number (a mixed number)."""
    top = (match.group(1) if match.group(1) is not None else match.group(2)).strip()
    bottom = (match.group(3) if match.group(3) is not None else match.group(4)).strip()
    before = match.string[: match.start()].rstrip()
    if re.fullmatch(r"-?\d+", top) and bottom.isdigit():
        if before[-1:].isdigit() and not top.startswith("-"):
            return f" {top}/{bottom}"
        return f"({top}/{bottom})"
    return f"(({top})/({bottom}))"


def _vulgar_plain(match: re.Match[str]) -> str:
    digits = unicodedata.normalize("NFKC", match.group(2)).replace("\u2044", "/")
    return f"{match.group(1)} {digits}" if match.group(1) else digits


def _normalise(text: str) -> str:
    """Unicode-normalised, lower-case text without currency signs and trailing units."""
    if not isinstance(text, str):
        raise AnswerFormatError("The answer must be text.")
    if len(text) > MAX_LENGTH:
        raise AnswerFormatError(
            f"That answer is too long ({len(text)} characters); "
            f"please type at most {MAX_LENGTH} characters."
        )
    s = unicodedata.normalize("NFKC", text).translate(_REPLACEMENTS).lower().strip()
    for ch in s:
        if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") and ch not in "\t\n\r":
            raise AnswerFormatError("The answer contains an invisible or control character.")
    if not s:
        raise AnswerFormatError("Please type an answer.")
    s = _LEADING_WORDS.sub("", s)
    s = _PERCENT_WORD.sub("%", s)
    s = re.sub(rf"[{_CURRENCY}]", "", s).strip()
    s = s.rstrip(".!").strip() if not re.search(r"\d\.$", s) else s
    match = _TRAILING_UNIT.match(s)
    if match and match.group("unit") not in VARIABLES:
        s = match.group("body").strip()
    if not s:
        raise AnswerFormatError("Please type a number.")
    return s


# --- tokens --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "mixed", "var", "op", "end"
    text: str
    value: Fraction | None = None
    space_before: bool = False
    integer: bool = False  # a plain integer literal (for mixed numbers and "6/8" checks)


_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+\.\d*|\.\d+|\d+)"
    r"|(?P<op>\*\*|[-+*/^()=:%])"
    r"|(?P<word>[a-z]+)"
)


def _tokenise(s: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    space = False
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if m is None:
            raise AnswerFormatError(f"I can't read the character {s[pos]!r} in your answer.")
        pos = m.end()
        if m.group("space"):
            space = True
            continue
        if num := m.group("num"):
            if pos < len(s) and s[pos] == "," and pos + 1 < len(s) and s[pos + 1].isdigit():
                raise AnswerFormatError(
                    "Use a point for decimals (0.5), and commas only between groups of three "
                    "digits (1,250)."
                )
            plain = num.replace(",", "")
            value = Fraction(plain) if plain != "." else None
            if value is None:
                raise AnswerFormatError("A point needs digits next to it.")
            tokens.append(_Token("num", num, value, space, integer=plain.isdigit()))
        elif op := m.group("op"):
            tokens.append(_Token("op", "^" if op == "**" else op, None, space))
        else:
            word = m.group("word")
            if len(word) == 1 and word in VARIABLES:
                tokens.append(_Token("var", word, None, space))
            elif all(ch in VARIABLES for ch in word) and len(word) <= 3:
                # "xy": implicit product of unknowns; rare, but read it rather than refuse it
                tokens.extend(
                    _Token("var", ch, None, space and i == 0) for i, ch in enumerate(word)
                )
            else:
                raise AnswerFormatError(
                    f"I don't understand {word!r}: please answer with a number"
                    + (" or x = a number." if len(word) == 1 else ".")
                )
        space = False
    if len(tokens) > 80:
        raise AnswerFormatError("That answer is too complicated; please simplify it.")
    return _mixed_numbers(tokens)


def _mixed_numbers(tokens: list[_Token]) -> list[_Token]:
    """Join `1 1/2` (an integer, a space, a proper fraction of integers) into one number."""
    out: list[_Token] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        window = tokens[i : i + 4]
        prev = out[-1] if out else None
        if (
            len(window) == 4
            and t.kind == "num"
            and t.integer
            and window[1].kind == "num"
            and window[1].integer
            and window[1].space_before
            and window[2].text == "/"
            and window[3].kind == "num"
            and window[3].integer
            and (prev is None or prev.text not in ("/", "^"))
        ):
            whole, num, den = t.value, window[1].value, window[3].value
            assert whole is not None and num is not None and den is not None
            if den != 0 and 0 < num < den:
                out.append(
                    _Token("mixed", f"{t.text} {num}/{den}", whole + num / den, t.space_before)
                )
                i += 4
                continue
        out.append(t)
        i += 1
    out.append(_Token("end", ""))
    return out


# --- parsing and exact, bounded arithmetic -------------------------------------------------


def _too_big(value: Fraction) -> bool:
    return value.numerator.bit_length() > MAX_BITS or value.denominator.bit_length() > MAX_BITS


def _check_size(value: Value) -> Value:
    if isinstance(value, Fraction) and _too_big(value):
        raise AnswerFormatError("That number is too large to work with.")
    return value


def _to_sympy(value: Value) -> sympy.Expr:
    return _rational(value) if isinstance(value, Fraction) else value


class _Flags(TypedDict):
    """What the parser noticed on the way, passed on to the `ParsedAnswer` it builds."""

    percent: bool
    unsimplified: bool
    operations: tuple[str, ...]
    decimal_typed: bool


class _Parser:
    """answer := expr [('=' | ':') expr]* ; expr := term (('+'|'-') term)* ;
    term := unary (('*'|'/'|implicit) unary)* ; unary := ('-'|'+') unary | power ;
    power := postfix ['^' unary] ; postfix := atom '%'* ; atom := num | mixed | var | '(' expr ')'
    """

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.percent = False
        self.unsimplified = False
        self.operations: list[str] = []
        self.decimal_typed = False

    # helpers
    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise AnswerFormatError("That answer has too many brackets or signs nested.")

    # grammar
    def answer(self) -> ParsedAnswer:
        if self.peek().text == "=":  # "= 5"
            self.take()
        sides = [self.expr()]
        separators: list[str] = []
        while self.peek().text in ("=", ":"):
            separators.append(self.take().text)
            sides.append(self.expr())
        if self.peek().kind != "end":
            raise AnswerFormatError(f"I can't read your answer from {self.peek().text!r} on.")
        flags = _Flags(
            percent=self.percent,
            unsimplified=self.unsimplified,
            operations=tuple(self.operations),
            decimal_typed=self.decimal_typed,
        )
        if not separators:
            return self._single(sides[0], flags)
        if set(separators) == {":"}:
            return self._ratio(sides)
        if separators == ["="]:
            return self._equation(sides[0], sides[1], flags)
        raise AnswerFormatError("Please give one answer: a number, x = a number, or a ratio a:b.")

    def _single(self, value: Value, flags: _Flags) -> ParsedAnswer:
        if isinstance(value, Fraction):
            return ParsedAnswer("number", value=value, **flags)
        return ParsedAnswer("expression", expr=value, **flags)

    def _ratio(self, sides: list[Value]) -> ParsedAnswer:
        parts = []
        for side in sides:
            if not isinstance(side, Fraction):
                raise AnswerFormatError("Each part of a ratio must be a number.")
            parts.append(side)
        whole = all(p.denominator == 1 for p in parts)
        unsimplified = whole and math.gcd(*(p.numerator for p in parts)) > 1
        return ParsedAnswer(
            "ratio", parts=tuple(parts), percent=self.percent, unsimplified=unsimplified
        )

    def _equation(self, left: Value, right: Value, flags: _Flags) -> ParsedAnswer:
        for unknown, number in ((left, right), (right, left)):
            if isinstance(unknown, sympy.Symbol) and isinstance(number, Fraction):
                return ParsedAnswer("number", value=number, variable=unknown.name, **flags)
        return ParsedAnswer("equation", expr=sympy.Eq(_to_sympy(left), _to_sympy(right)), **flags)

    def expr(self) -> Value:
        value = self.term()
        while self.peek().text in ("+", "-"):
            op = self.take().text
            self.operations.append(op)
            right = self.term()
            value = _add(value, right) if op == "+" else _add(value, _neg(right))
        return value

    def term(self) -> Value:
        value = self.unary()
        while True:
            t = self.peek()
            if t.text in ("*", "/"):
                self.take()
                left_literal = self.tokens[self.pos - 2]
                right_token = self.peek()
                right = self.unary()
                if t.text == "*":
                    self.operations.append("*")
                    value = _mul(value, right)
                else:
                    literal = self._note_fraction(left_literal, right_token, right)
                    self.operations.append("fraction" if literal else "/")
                    value = _div(value, right)
            elif t.kind == "var" or t.text == "(":
                self.operations.append("*")
                value = _mul(value, self.unary())  # implicit: 2x, 3(4)
            elif t.kind in ("num", "mixed"):
                raise AnswerFormatError(
                    f"Two numbers in a row ({t.text!r}): put an operation between them, or "
                    "write a mixed number like 1 1/2."
                )
            else:
                return value

    def _note_fraction(self, left: _Token, right_token: _Token, right: Value) -> bool:
        """Remember a typed `6/8` (two integer literals) that is not in lowest terms; True
        when the division is such a literal fraction."""
        is_literal = right_token.kind == "num" and right_token.integer
        next_token = self.tokens[self.pos - 1]
        if left.kind == "num" and left.integer and is_literal and next_token is right_token:
            assert left.value is not None and isinstance(right, Fraction)
            if right != 0 and math.gcd(left.value.numerator, right.numerator) > 1:
                self.unsimplified = True
            return True
        return False

    def unary(self) -> Value:
        t = self.peek()
        if t.text in ("-", "+"):
            self.take()
            self.enter()
            value = self.unary()
            self.depth -= 1
            return _neg(value) if t.text == "-" else value
        return self.power()

    def power(self) -> Value:
        base = self.postfix()
        if self.peek().text == "^":
            self.take()
            self.operations.append("^")
            self.enter()
            exponent = self.unary()
            self.depth -= 1
            return _pow(base, exponent)
        return base

    def postfix(self) -> Value:
        value = self.atom()
        while self.peek().text == "%":
            self.take()
            self.percent = True
            value = _div(value, Fraction(100))
        return value

    def atom(self) -> Value:
        t = self.take()
        if t.kind in ("num", "mixed"):
            assert t.value is not None
            self.decimal_typed = self.decimal_typed or "." in t.text
            return _check_size(t.value)
        if t.kind == "var":
            return sympy.Symbol(t.text)
        if t.text == "(":
            self.enter()
            value = self.expr()
            self.depth -= 1
            if self.take().text != ")":
                raise AnswerFormatError("A bracket is not closed.")
            return value
        if t.kind == "end":
            raise AnswerFormatError("The answer ends too early: a number is missing.")
        if t.text == ")":
            raise AnswerFormatError("A closing bracket has no opening bracket.")
        raise AnswerFormatError(f"A number is missing before {t.text!r}.")


def _neg(a: Value) -> Value:
    return -a


def _add(a: Value, b: Value) -> Value:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return _check_size(a + b)
    return _to_sympy(a) + _to_sympy(b)


def _mul(a: Value, b: Value) -> Value:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return _check_size(a * b)
    return _to_sympy(a) * _to_sympy(b)


def _div(a: Value, b: Value) -> Value:
    if isinstance(b, Fraction):
        if b == 0:
            raise AnswerFormatError("That divides by zero.")
        if isinstance(a, Fraction):
            return _check_size(a / b)
    return _to_sympy(a) / _to_sympy(b)


def _pow(base: Value, exponent: Value) -> Value:
    if not isinstance(exponent, Fraction) or exponent.denominator != 1:
        raise AnswerFormatError("Powers must be whole numbers, like 2^3.")
    e = exponent.numerator
    if isinstance(base, Fraction):
        bits = max(base.numerator.bit_length(), base.denominator.bit_length())
        if bits * abs(e) > MAX_BITS and abs(base) != 1:
            raise AnswerFormatError("That power is too large to work with.")
        if base == 0 and e < 0:
            raise AnswerFormatError("That divides by zero.")
        return _check_size(base**e)
    inner = max((abs(int(p.exp)) for p in base.atoms(sympy.Pow) if p.exp.is_Integer), default=1)
    if abs(e) * inner > MAX_SYMBOLIC_EXPONENT:  # (x^12)^12 would expand to degree 144
        raise AnswerFormatError("That power is too large to work with.")
    return base**e
