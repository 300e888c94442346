"""Factors, multiples and powers."""

from __future__ import annotations

import math
import random

from tutor.curriculum.generators.base import Draft, draft, number_key, step
from tutor.curriculum.generators.written import gcd_steps, lcm_steps, slip, sup
from tutor.curriculum.misconceptions import rule


def gcd(rng: random.Random) -> Draft:
    g = rng.randint(2, 12)
    m, n = rng.sample(range(1, 10), 2)
    while math.gcd(m, n) != 1:
        m, n = rng.sample(range(1, 10), 2)
    a, b = g * m, g * n
    trace = gcd_steps(a, b)
    return draft(
        f"What is the greatest common factor of {a} and {b}?",
        {"operation": "gcd", "a": str(a), "b": str(b)},
        number_key(g),
        list(trace.steps),
        [
            rule("gives_lcm", a * b // g, slips=[trace.slips["gives_lcm"]]),
            rule("smaller_number", min(a, b), slips=[trace.slips["smaller_number"]]),
        ],
    )


def lcm(rng: random.Random) -> Draft:
    a, b = rng.sample(range(2, 16), 2)
    answer = a * b // math.gcd(a, b)
    trace = lcm_steps(a, b)
    return draft(
        f"What is the lowest common multiple of {a} and {b}?",
        {"operation": "lcm", "a": str(a), "b": str(b)},
        number_key(answer),
        list(trace.steps),
        [
            rule("gives_product", a * b, slips=[trace.slips["gives_product"]]),
            rule("gives_gcd", math.gcd(a, b), slips=[trace.slips["gives_gcd"]]),
        ],
    )


def power(rng: random.Random) -> Draft:
    base = rng.randint(2, 12)
    exponent = rng.randint(2, 3 if base > 5 else 5)
    answer = base**exponent
    copies = " × ".join([str(base)] * exponent)
    steps = [
        step(
            f"{base}{sup(exponent)} means {exponent} copies of {base} multiplied together: "
            f"{copies}.",
            operation="power",
            operands=(str(base), str(exponent)),
        )
    ]
    value = base
    for k in range(2, exponent + 1):
        steps.append(
            step(
                f"{base}{sup(k)} = {value} × {base} = {value * base}.",
                f"{value} × {base}",
                str(value * base),
                operation="multiply",
                operands=(str(value), str(base)),
                question=f"What is {value} × {base}?",
            )
        )
        value *= base
    return draft(
        f"What is {base}^{exponent}?",
        {"operation": "power", "base": str(base), "exponent": str(exponent)},
        number_key(answer),
        steps,
        [
            rule(
                "base_times_exponent",
                base * exponent,
                slips=[slip(0, f"{base} × {exponent} = {base * exponent}", copies)],
            ),
            rule(
                "adds_instead",
                base + exponent,
                slips=[slip(0, f"{base} + {exponent} = {base + exponent}", copies)],
            ),
        ],
    )


FAMILIES = {"gcd": gcd, "lcm": lcm, "power": power}
