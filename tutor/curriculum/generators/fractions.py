"""Fraction families: equivalence, simplifying, comparing, the four operations, mixed numbers."""

from __future__ import annotations

import math
import random
from fractions import Fraction as F

from tutor.curriculum.generators.base import Draft, draft, frac, mixed, number_key, step
from tutor.curriculum.generators.written import unlike_fractions
from tutor.curriculum.misconceptions import rule


def _proper(rng: random.Random, lo: int = 2, hi: int = 12) -> tuple[int, int]:
    """A proper fraction's numerator and denominator (not necessarily in lowest terms)."""
    d = rng.randint(lo, hi)
    return rng.randint(1, d - 1), d


def _simple(rng: random.Random, lo: int = 2, hi: int = 12) -> tuple[int, int]:
    n, d = _proper(rng, lo, hi)
    while math.gcd(n, d) != 1:
        n, d = _proper(rng, lo, hi)
    return n, d


def equivalent(rng: random.Random) -> Draft:
    a, b = _simple(rng, 2, 10)
    k = rng.randint(2, 6)
    return draft(
        f"Fill in the missing numerator: {a}/{b} = ?/{b * k}",
        {"operation": "equivalent_fraction", "fraction": f"{a}/{b}", "denominator": str(b * k)},
        number_key(a * k),
        [
            step(f"The denominator was multiplied by {k}.", f"{b * k} / {b}", str(k)),
            step("Multiply the numerator by the same number.", f"{a} * {k}", str(a * k)),
        ],
        [rule("adds_same_to_both", a + b * k - b)],
    )


def simplify(rng: random.Random) -> Draft:
    a, b = _simple(rng, 2, 12)
    k = rng.randint(2, 9)
    return draft(
        f"Write {a * k}/{b * k} in its simplest form.",
        {"operation": "simplify_fraction", "fraction": f"{a * k}/{b * k}"},
        number_key(F(a, b), simplest=True),
        [
            step(f"The greatest common factor of {a * k} and {b * k} is {k}."),
            step("Divide top and bottom by it.", f"({a * k} / {k}) / ({b * k} / {k})", f"{a}/{b}"),
        ],
        [rule("divides_numerator_only", F(a, b * k))],
    )


def compare(rng: random.Random) -> Draft:
    a, b = _simple(rng, 2, 12)
    c, d = _simple(rng, 2, 12)
    trap = rng.random() < 0.8  # mostly pairs where the larger denominator is the smaller one
    while b == d or F(a, b) == F(c, d) or (trap and (F(a, b) > F(c, d)) != (b < d)):
        a, b = _simple(rng, 2, 12)
        c, d = _simple(rng, 2, 12)
    x, y = F(a, b), F(c, d)
    larger = max(x, y)
    bigger_denominator = x if b > d else y
    common = b * d // math.gcd(b, d)
    return draft(
        f"Which is larger, {a}/{b} or {c}/{d}? Write the larger fraction.",
        {"operation": "compare_fractions", "a": f"{a}/{b}", "b": f"{c}/{d}"},
        number_key(larger),
        [
            step(
                f"Write both over {common}: "
                f"{a * common // b}/{common} and {c * common // d}/{common}."
            ),
            step("The one with the larger numerator is larger.", None, frac(larger)),
        ],
        [rule("larger_denominator_larger", bigger_denominator)],
    )


def add_like(rng: random.Random) -> Draft:
    n = rng.randint(3, 12)
    a, b = rng.randint(1, n - 1), rng.randint(1, n - 1)
    answer = F(a + b, n)
    return draft(
        f"What is {a}/{n} + {b}/{n}?",
        {"operation": "add_fractions", "a": f"{a}/{n}", "b": f"{b}/{n}"},
        number_key(answer),
        [
            step("The denominators are the same, so add the numerators.", f"{a} + {b}", str(a + b)),
            step("Keep the denominator.", f"{a + b}/{n}", frac(answer)),
        ],
        [rule("add_denominators", F(a + b, 2 * n))],
    )


def sub_like(rng: random.Random) -> Draft:
    n = rng.randint(3, 12)
    a = rng.randint(2, n - 1)
    b = rng.randint(1, a - 1)
    answer = F(a - b, n)
    return draft(
        f"What is {a}/{n} − {b}/{n}?",
        {"operation": "subtract_fractions", "a": f"{a}/{n}", "b": f"{b}/{n}"},
        number_key(answer),
        [
            step(
                "The denominators are the same, so subtract the numerators.",
                f"{a} - {b}",
                str(a - b),
            ),
            step("Keep the denominator.", f"{a - b}/{n}", frac(answer)),
        ],
        [rule("adds_instead", F(a + b, n))],
    )


def add_unlike(rng: random.Random) -> Draft:
    a, b = _simple(rng, 2, 10)
    c, d = _simple(rng, 2, 10)
    while d == b:
        c, d = _simple(rng, 2, 10)
    answer = F(a, b) + F(c, d)
    trace = unlike_fractions(a, b, c, d, "+")
    return draft(
        f"What is {a}/{b} + {c}/{d}?",
        {"operation": "add_fractions", "a": f"{a}/{b}", "b": f"{c}/{d}"},
        number_key(answer),
        list(trace.steps),
        [
            rule("add_denominators", F(a + c, b + d), slips=[trace.slips["add_denominators"]]),
            rule(
                "multiplies_denominators_only",
                F(a + c, b * d),
                slips=[trace.slips["multiplies_denominators_only"]],
            ),
        ],
    )


def sub_unlike(rng: random.Random) -> Draft:
    a, b = _simple(rng, 2, 10)
    c, d = _simple(rng, 2, 10)
    while d == b or F(c, d) >= F(a, b):
        a, b = _simple(rng, 2, 10)
        c, d = _simple(rng, 2, 10)
    answer = F(a, b) - F(c, d)
    trace = unlike_fractions(a, b, c, d, "-")
    return draft(
        f"What is {a}/{b} − {c}/{d}?",
        {"operation": "subtract_fractions", "a": f"{a}/{b}", "b": f"{c}/{d}"},
        number_key(answer),
        list(trace.steps),
        [
            rule(
                "subtract_denominators",
                F(a - c, b - d),
                slips=[trace.slips["subtract_denominators"]],
            )
        ],
    )


def multiply(rng: random.Random) -> Draft:
    a, b = _simple(rng, 2, 10)
    c, d = _simple(rng, 2, 10)
    answer = F(a, b) * F(c, d)
    return draft(
        f"What is {a}/{b} × {c}/{d}?",
        {"operation": "multiply_fractions", "a": f"{a}/{b}", "b": f"{c}/{d}"},
        number_key(answer),
        [
            step("Multiply the numerators.", f"{a} * {c}", str(a * c)),
            step("Multiply the denominators.", f"{b} * {d}", str(b * d)),
            step("Simplify.", f"{a * c}/{b * d}", frac(answer)),
        ],
        [rule("keeps_denominator", F(a * c, b)), rule("adds_instead", F(a, b) + F(c, d))],
    )


def divide(rng: random.Random) -> Draft:
    a, b = _simple(rng, 2, 10)
    c, d = _simple(rng, 2, 10)
    answer = F(a, b) / F(c, d)
    return draft(
        f"What is {a}/{b} ÷ {c}/{d}?",
        {"operation": "divide_fractions", "a": f"{a}/{b}", "b": f"{c}/{d}"},
        number_key(answer),
        [
            step(f"Dividing by {c}/{d} is multiplying by its reciprocal {d}/{c}."),
            step("Multiply.", f"{a}/{b} * {d}/{c}", frac(answer)),
        ],
        [
            rule("multiplies_instead_of_dividing", F(a * c, b * d)),
            rule("flips_first", F(b, a) * F(c, d)),
        ],
    )


def of_quantity(rng: random.Random) -> Draft:
    a, b = _simple(rng, 2, 10)
    total = b * rng.randint(2, 12)
    answer = total // b * a
    return draft(
        f"What is {a}/{b} of {total}?",
        {"operation": "fraction_of", "fraction": f"{a}/{b}", "of": str(total)},
        number_key(answer),
        [
            step(f"Find 1/{b} of {total}.", f"{total} / {b}", str(total // b)),
            step(f"Multiply by {a}.", f"{total // b} * {a}", str(answer)),
        ],
        [rule("divides_by_numerator", F(total, a) * b)],
    )


def mixed_add(rng: random.Random) -> Draft:
    w1, w2 = rng.randint(1, 5), rng.randint(1, 5)
    a, b = _simple(rng, 2, 8)
    c, d = _simple(rng, 2, 8)
    x, y = w1 + F(a, b), w2 + F(c, d)
    answer = x + y
    key, _ = number_key(answer)
    return draft(
        f"What is {mixed(x)} + {mixed(y)}?",
        {"operation": "add_mixed_numbers", "a": mixed(x), "b": mixed(y)},
        (key, mixed(answer)),
        [
            step("Add the whole numbers.", f"{w1} + {w2}", str(w1 + w2)),
            step("Add the fractions.", f"{a}/{b} + {c}/{d}", frac(F(a, b) + F(c, d))),
            step("Put them together.", f"{w1 + w2} + {frac(F(a, b) + F(c, d))}", mixed(answer)),
        ],
        [rule("mixed_parts_separately", w1 + w2 + F(a + c, b + d))],
    )


FAMILIES = {
    "equivalent": equivalent,
    "simplify": simplify,
    "compare": compare,
    "add_like": add_like,
    "sub_like": sub_like,
    "add_unlike": add_unlike,
    "sub_unlike": sub_unlike,
    "multiply": multiply,
    "divide": divide,
    "of_quantity": of_quantity,
    "mixed_add": mixed_add,
}
