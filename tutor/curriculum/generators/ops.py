"""Order of operations: multiplication before addition, brackets first, powers first."""

from __future__ import annotations

import random

from tutor.curriculum.generators.base import Draft, draft, number_key, step
from tutor.curriculum.misconceptions import rule


def no_brackets(rng: random.Random) -> Draft:
    a, b, c = rng.randint(2, 20), rng.randint(2, 9), rng.randint(2, 9)
    if rng.random() < 0.5:
        text, answer, wrong = f"{a} + {b} × {c}", a + b * c, (a + b) * c
        steps = [
            step("Multiply first.", f"{b} * {c}", str(b * c)),
            step("Then add.", f"{a} + {b * c}", str(answer)),
        ]
    else:
        a = b * c + rng.randint(1, 30)
        text, answer, wrong = f"{a} − {b} × {c}", a - b * c, (a - b) * c
        steps = [
            step("Multiply first.", f"{b} * {c}", str(b * c)),
            step("Then subtract.", f"{a} - {b * c}", str(answer)),
        ]
    return draft(
        f"What is {text}?",
        {
            "operation": "order_of_operations",
            "expression": text,
            "a": str(a),
            "b": str(b),
            "c": str(c),
        },
        number_key(answer),
        steps,
        [rule("left_to_right", wrong)],
    )


def brackets(rng: random.Random) -> Draft:
    a, b, c = rng.randint(2, 15), rng.randint(2, 15), rng.randint(2, 9)
    d = rng.randint(1, 20)
    text = f"({a} + {b}) × {c} − {d}"
    answer = (a + b) * c - d
    return draft(
        f"What is {text}?",
        {
            "operation": "order_of_operations",
            "expression": text,
            "a": str(a),
            "b": str(b),
            "c": str(c),
            "d": str(d),
        },
        number_key(answer),
        [
            step("Work out the brackets first.", f"{a} + {b}", str(a + b)),
            step("Then multiply.", f"{a + b} * {c}", str((a + b) * c)),
            step("Then subtract.", f"{(a + b) * c} - {d}", str(answer)),
        ],
        [rule("ignores_brackets", a + b * c - d)],
    )


def powers_first(rng: random.Random) -> Draft:
    a, b, c = rng.randint(2, 12), rng.randint(2, 6), rng.randint(2, 5)
    text = f"{a} + {b}^2 × {c}"
    answer = a + b**2 * c
    return draft(
        f"What is {text}?",
        {
            "operation": "order_of_operations",
            "expression": text,
            "a": str(a),
            "b": str(b),
            "c": str(c),
        },
        number_key(answer),
        [
            step("Powers first.", f"{b}^2", str(b**2)),
            step("Then multiply.", f"{b**2} * {c}", str(b**2 * c)),
            step("Then add.", f"{a} + {b**2 * c}", str(answer)),
        ],
        [rule("left_to_right", ((a + b) ** 2) * c, (a + b * 2) * c)],
    )


FAMILIES = {"no_brackets": no_brackets, "brackets": brackets, "powers_first": powers_first}
