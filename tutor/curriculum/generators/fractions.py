"""Fraction families: equivalence, simplifying, comparing, the four operations, mixed numbers."""

from __future__ import annotations

import math
import random
from fractions import Fraction as F

from tutor.curriculum.generators.base import Draft, draft, frac, mixed, number_key, step
from tutor.curriculum.generators.written import MINUS, simplify_step, slip, unlike_fractions
from tutor.curriculum.misconceptions import rule
from tutor.curriculum.model import SolutionStep


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
            step(
                f"The denominator went from {b} to {b * k}: {b * k} ÷ {b} = {k}, "
                f"so it was multiplied by {k}.",
                f"{b * k} ÷ {b}",
                str(k),
                operation="divide",
                operands=(str(b * k), str(b)),
                place="denominator",
                question=f"{b} × what = {b * k}?",
            ),
            step(
                f"Multiply the numerator by the same number: {a} × {k} = {a * k}, "
                f"so {a}/{b} = {a * k}/{b * k}.",
                f"{a} × {k}",
                str(a * k),
                operation="multiply",
                operands=(str(a), str(k)),
                place="numerator",
                question=f"What is {a} × {k}?",
            ),
        ],
        [
            rule(
                "adds_same_to_both",
                a + b * k - b,
                slips=[slip(0, f"{b} + {b * k - b} = {b * k}, adding instead of multiplying")],
            )
        ],
    )


def simplify(rng: random.Random) -> Draft:
    a, b = _simple(rng, 2, 12)
    k = rng.randint(2, 9)
    top, bottom = a * k, b * k
    return draft(
        f"Write {top}/{bottom} in its simplest form.",
        {"operation": "simplify_fraction", "fraction": f"{top}/{bottom}"},
        number_key(F(a, b), simplest=True),
        [
            step(
                f"Find the greatest common factor of {top} and {bottom}: "
                f"{top} = {k} × {a} and {bottom} = {k} × {b}, and {a} and {b} share no "
                f"factor but 1, so it is {k}.",
                operation="common_factor",
                operands=(str(top), str(bottom)),
            ),
            step(
                f"Divide the numerator by {k}: {top} ÷ {k} = {a}.",
                f"{top} ÷ {k}",
                str(a),
                operation="divide",
                operands=(str(top), str(k)),
                place="numerator",
                question=f"What is {top} ÷ {k}?",
            ),
            step(
                f"Divide the denominator by {k}: {bottom} ÷ {k} = {b}.",
                f"{bottom} ÷ {k}",
                str(b),
                operation="divide",
                operands=(str(bottom), str(k)),
                place="denominator",
                question=f"What is {bottom} ÷ {k}?",
            ),
            step(
                f"So {top}/{bottom} = {a}/{b}.",
                f"{top}/{bottom}",
                f"{a}/{b}",
                operation="simplify",
                operands=(f"{top}/{bottom}", str(k)),
            ),
        ],
        [
            rule(
                "divides_numerator_only",
                F(a, bottom),
                slips=[slip(2, f"kept {bottom} as the denominator: {a}/{bottom}")],
            )
        ],
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
    m = b * d // math.gcd(b, d)
    steps = [
        step(
            f"Write both over a common denominator: the lowest common multiple of {b} and {d} "
            f"is {m}.",
            f"{b} × {m // b}",
            str(m),
            operation="common_denominator",
            operands=(str(b), str(d)),
            place="denominator",
            question=f"What is the lowest common multiple of {b} and {d}?",
        )
    ]
    for n, q in ((a, b), (c, d)):
        if q != m:
            steps.append(
                step(
                    f"{n}/{q} = {n * (m // q)}/{m}: multiply top and bottom by {m // q}.",
                    f"{n} × {m // q}",
                    str(n * (m // q)),
                    operation="rewrite",
                    operands=(f"{n}/{q}", str(m)),
                    place="numerator",
                    question=f"{n}/{q} = ?/{m}. What is the new numerator?",
                )
            )
    tops = sorted((a * (m // b), c * (m // d)))
    steps.append(
        step(
            f"Over {m}, the larger numerator is {tops[1]} ({tops[1]} is more than {tops[0]}), "
            f"so {frac(larger)} is larger.",
            None,
            frac(larger),
            operation="compare",
            operands=(f"{tops[1]}/{m}", f"{tops[0]}/{m}"),
            question=f"Which is larger, {tops[1]}/{m} or {tops[0]}/{m}?",
        )
    )
    return draft(
        f"Which is larger, {a}/{b} or {c}/{d}? Write the larger fraction.",
        {"operation": "compare_fractions", "a": f"{a}/{b}", "b": f"{c}/{d}"},
        number_key(larger),
        steps,
        [
            rule(
                "larger_denominator_larger",
                bigger_denominator,
                slips=[
                    slip(
                        len(steps) - 1,
                        f"{frac(bigger_denominator)}, because {max(b, d)} is more than {min(b, d)}",
                    )
                ],
            )
        ],
    )


def _like(a: int, b: int, n: int, sign: str) -> list[SolutionStep]:
    symbol = "+" if sign == "+" else MINUS
    total = a + b if sign == "+" else a - b
    verb = "add" if sign == "+" else "subtract"
    steps = [
        step(
            f"The denominators are both {n}, so {verb} the numerators: {a} {symbol} {b} = {total}.",
            f"{a} {symbol} {b}",
            str(total),
            operation=verb,
            operands=(str(a), str(b)),
            place="numerator",
            question=f"What is {a} {symbol} {b}?",
        ),
        step(
            f"Keep the denominator {n}: {a}/{n} {symbol} {b}/{n} = {total}/{n}.",
            f"{a}/{n} {symbol} {b}/{n}",
            f"{total}/{n}",
            operation=verb,
            operands=(f"{a}/{n}", f"{b}/{n}"),
            place="denominator",
            question=f"What is the denominator of {a}/{n} {symbol} {b}/{n}?",
        ),
    ]
    if (simplified := simplify_step(total, n)) is not None:
        steps.append(simplified)
    return steps


def add_like(rng: random.Random) -> Draft:
    n = rng.randint(3, 12)
    a, b = rng.randint(1, n - 1), rng.randint(1, n - 1)
    answer = F(a + b, n)
    return draft(
        f"What is {a}/{n} + {b}/{n}?",
        {"operation": "add_fractions", "a": f"{a}/{n}", "b": f"{b}/{n}"},
        number_key(answer),
        _like(a, b, n, "+"),
        [
            rule(
                "add_denominators",
                F(a + b, 2 * n),
                slips=[slip(1, f"{n} + {n} = {2 * n} as the denominator: {a + b}/{2 * n}")],
            )
        ],
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
        _like(a, b, n, "-"),
        [rule("adds_instead", F(a + b, n), slips=[slip(0, f"{a} + {b} = {a + b}")])],
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
    steps = [
        step(
            f"Multiply the numerators: {a} × {c} = {a * c}.",
            f"{a} × {c}",
            str(a * c),
            operation="multiply",
            operands=(str(a), str(c)),
            place="numerator",
            question=f"What is {a} × {c}?",
        ),
        step(
            f"Multiply the denominators: {b} × {d} = {b * d}.",
            f"{b} × {d}",
            str(b * d),
            operation="multiply",
            operands=(str(b), str(d)),
            place="denominator",
            question=f"What is {b} × {d}?",
        ),
        step(
            f"So {a}/{b} × {c}/{d} = {a * c}/{b * d}.",
            f"{a}/{b} × {c}/{d}",
            f"{a * c}/{b * d}",
            operation="multiply",
            operands=(f"{a}/{b}", f"{c}/{d}"),
        ),
    ]
    if (simplified := simplify_step(a * c, b * d)) is not None:
        steps.append(simplified)
    return draft(
        f"What is {a}/{b} × {c}/{d}?",
        {"operation": "multiply_fractions", "a": f"{a}/{b}", "b": f"{c}/{d}"},
        number_key(answer),
        steps,
        [
            rule(
                "keeps_denominator",
                F(a * c, b),
                slips=[slip(1, f"kept the denominator {b} instead of {b} × {d}")],
            ),
            rule(
                "adds_instead",
                F(a, b) + F(c, d),
                slips=[slip(0, f"{a}/{b} + {c}/{d} = {frac(F(a, b) + F(c, d))}, adding")],
            ),
        ],
    )


def divide(rng: random.Random) -> Draft:
    a, b = _simple(rng, 2, 10)
    c, d = _simple(rng, 2, 10)
    answer = F(a, b) / F(c, d)
    steps = [
        step(
            f"Dividing by {c}/{d} is the same as multiplying by its reciprocal: flip {c}/{d} "
            f"to get {d}/{c}.",
            f"1 ÷ {c}/{d}",
            f"{d}/{c}",
            operation="reciprocal",
            operands=(f"{c}/{d}",),
            place="second fraction",
            question=f"What is the reciprocal of {c}/{d}?",
        ),
        step(
            f"Multiply the numerators and the denominators: {a} × {d} = {a * d} and "
            f"{b} × {c} = {b * c}, so {a}/{b} × {d}/{c} = {a * d}/{b * c}.",
            f"{a}/{b} × {d}/{c}",
            f"{a * d}/{b * c}",
            operation="multiply",
            operands=(f"{a}/{b}", f"{d}/{c}"),
            question=f"What is {a}/{b} × {d}/{c}?",
        ),
    ]
    if (simplified := simplify_step(a * d, b * c)) is not None:
        steps.append(simplified)
    return draft(
        f"What is {a}/{b} ÷ {c}/{d}?",
        {"operation": "divide_fractions", "a": f"{a}/{b}", "b": f"{c}/{d}"},
        number_key(answer),
        steps,
        [
            rule(
                "multiplies_instead_of_dividing",
                F(a * c, b * d),
                slips=[slip(0, f"{a}/{b} × {c}/{d} = {a * c}/{b * d}, without flipping {c}/{d}")],
            ),
            rule(
                "flips_first",
                F(b, a) * F(c, d),
                slips=[slip(0, f"flipped {a}/{b} to {b}/{a} instead of {c}/{d}")],
            ),
        ],
    )


def of_quantity(rng: random.Random) -> Draft:
    a, b = _simple(rng, 2, 10)
    total = b * rng.randint(2, 12)
    unit = total // b
    answer = unit * a
    return draft(
        f"What is {a}/{b} of {total}?",
        {"operation": "fraction_of", "fraction": f"{a}/{b}", "of": str(total)},
        number_key(answer),
        [
            step(
                f"Find 1/{b} of {total}: split {total} into {b} equal parts: "
                f"{total} ÷ {b} = {unit}.",
                f"{total} ÷ {b}",
                str(unit),
                operation="divide",
                operands=(str(total), str(b)),
                place="denominator",
                question=f"What is {total} ÷ {b}?",
            ),
            step(
                f"{a}/{b} is {a} of those parts: {unit} × {a} = {answer}.",
                f"{unit} × {a}",
                str(answer),
                operation="multiply",
                operands=(str(unit), str(a)),
                place="numerator",
                question=f"What is {unit} × {a}?",
            ),
        ],
        [
            rule(
                "divides_by_numerator",
                F(total, a) * b,
                slips=[slip(0, f"{total} ÷ {a} = {frac(F(total, a))}, then × {b}")],
            )
        ],
    )


def mixed_add(rng: random.Random) -> Draft:
    w1, w2 = rng.randint(1, 5), rng.randint(1, 5)
    a, b = _simple(rng, 2, 8)
    c, d = _simple(rng, 2, 8)
    x, y = w1 + F(a, b), w2 + F(c, d)
    answer = x + y
    key, _ = number_key(answer)
    parts = F(a, b) + F(c, d)
    m = b * d // math.gcd(b, d)
    p, q = a * (m // b), c * (m // d)
    steps = [
        step(
            f"Add the whole numbers: {w1} + {w2} = {w1 + w2}.",
            f"{w1} + {w2}",
            str(w1 + w2),
            operation="add",
            operands=(str(w1), str(w2)),
            place="whole numbers",
            question=f"What is {w1} + {w2}?",
        ),
        step(
            (
                f"Add the fractions over {m}: {a}/{b} = {p}/{m} and {c}/{d} = {q}/{m}, "
                if b != d
                else f"Add the fractions: the denominators are both {m}, "
            )
            + f"so {p}/{m} + {q}/{m} = {p + q}/{m}.",
            f"{p}/{m} + {q}/{m}",
            f"{p + q}/{m}",
            operation="add",
            operands=(f"{a}/{b}", f"{c}/{d}"),
            place="fractions",
            question=f"What is {a}/{b} + {c}/{d}?",
        ),
    ]
    if parts >= 1:
        steps.append(
            step(
                f"{p + q}/{m} is {'one whole' if parts == 1 else 'more than 1'}: "
                f"{p + q}/{m} = {mixed(F(p + q, m))}.",
                f"{p + q}/{m}",
                mixed(F(p + q, m)),
                operation="rewrite",
                operands=(f"{p + q}/{m}",),
                place="fractions",
                question=f"What is {p + q}/{m} as a mixed number?",
            )
        )
    steps.append(
        step(
            f"Put them together: {w1 + w2} + {mixed(parts)} = {mixed(answer)}.",
            f"{w1 + w2} + {mixed(parts)}",
            mixed(answer),
            operation="add",
            operands=(str(w1 + w2), mixed(parts)),
            question=f"What is {w1 + w2} + {mixed(parts)}?",
        )
    )
    return draft(
        f"What is {mixed(x)} + {mixed(y)}?",
        {"operation": "add_mixed_numbers", "a": mixed(x), "b": mixed(y)},
        (key, mixed(answer)),
        steps,
        [
            rule(
                "mixed_parts_separately",
                w1 + w2 + F(a + c, b + d),
                slips=[slip(1, f"{a}/{b} + {c}/{d} = {a + c}/{b + d}, adding tops and bottoms")],
            )
        ],
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
