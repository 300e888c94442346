"""Whether two expressions are equal, decided by exact evaluation: bounded work, nothing to kill.

The old check asked sympy to `simplify(expand(a - b))` in a thread under a time limit. A
thread cannot be stopped: `(x+y+z+n)^12(x+y+z+n)^12` passes the parser's per-power cap (the
powers merge to degree 24), its expansion runs on for minutes after the student was told
"too complicated", and a few copies slow every student until a restart.

Here nothing is expanded. Two rational expressions in the unknowns are equal as functions
when their difference vanishes everywhere; a non-zero polynomial of total degree d vanishes
at a random point of S^k with probability at most d/|S| (Schwartz-Zippel). We evaluate both
sides exactly (`Fraction`) at SAMPLE_POINTS random points with coordinates up to 2^61, so a
wrong "equal" has probability below (d/2^61)^3. The cost is bounded before it starts:

    total degree  <= MAX_TOTAL_DEGREE (a bound read off the tree, no expansion)
    tree size     <= MAX_NODES
    numbers       <= degree x 61 bits, per node

so a check takes microseconds to a few milliseconds, on the caller's thread, and leaves no
thread or process behind. Anything outside these forms (no other node types come out of our
parser) is "too complicated" (None).
"""

from __future__ import annotations

import secrets
from fractions import Fraction

import sympy

MAX_TOTAL_DEGREE = 12  # an answer of degree 24 is "too complicated", at once
MAX_NODES = 2_000
SAMPLE_POINTS = 3
_SAMPLE_BITS = 61
_MAX_RESAMPLES = 8  # a point where a denominator vanishes is skipped


class TooComplicated(Exception):
    """Beyond the caps, or a form this module does not evaluate."""


def total_degree(expr: sympy.Basic) -> int:
    """An upper bound on the total degree of `expr` as a rational function (numerator plus
    denominator degree), read off the tree without expanding; TooComplicated past the caps."""
    nodes = 0

    def degree(node: sympy.Basic) -> int:
        nonlocal nodes
        nodes += 1
        if nodes > MAX_NODES:
            raise TooComplicated("too many parts")
        if node.is_Number:
            return 0
        if node.is_Symbol:
            return 1
        if node.is_Add:
            return max(degree(a) for a in node.args)
        if node.is_Mul:
            return sum(degree(a) for a in node.args)
        if node.is_Pow and node.exp.is_Integer:
            found = degree(node.base) * abs(int(node.exp))
            if found > MAX_TOTAL_DEGREE:
                raise TooComplicated("degree too high")
            return found
        raise TooComplicated(f"cannot evaluate {type(node).__name__}")

    found = degree(expr)
    if found > MAX_TOTAL_DEGREE:
        raise TooComplicated("degree too high")
    return found


def evaluate(expr: sympy.Basic, point: dict[sympy.Symbol, Fraction]) -> Fraction:
    """`expr` at `point`, exactly; ZeroDivisionError where a denominator vanishes."""
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    if expr.is_Symbol:
        return point[expr]
    if expr.is_Add:
        return sum((evaluate(a, point) for a in expr.args), Fraction(0))
    if expr.is_Mul:
        product = Fraction(1)
        for a in expr.args:
            product *= evaluate(a, point)
        return product
    if expr.is_Pow and expr.exp.is_Integer:
        return evaluate(expr.base, point) ** int(expr.exp)
    raise TooComplicated(f"cannot evaluate {type(expr).__name__}")


def equivalent(a: sympy.Basic, b: sympy.Basic) -> bool | None:
    """Whether `a` and `b` are equal as functions of their unknowns; None when either is
    beyond the caps (the student is asked to simplify)."""
    try:
        difference = a - b
        total_degree(a)
        total_degree(b)
        symbols = sorted(difference.free_symbols, key=lambda s: s.name)
        checked = 0
        for _ in range(SAMPLE_POINTS + _MAX_RESAMPLES):
            point = {s: Fraction(secrets.randbits(_SAMPLE_BITS) + 1) for s in symbols}
            try:
                if evaluate(a, point) != evaluate(b, point):
                    return False
            except ZeroDivisionError:
                continue
            checked += 1
            if checked == SAMPLE_POINTS:
                return True
        return None
    except TooComplicated:
        return None
