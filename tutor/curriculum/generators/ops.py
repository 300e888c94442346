"""Order of operations: multiplication before addition, brackets first, powers first."""

from __future__ import annotations

import random

from tutor.curriculum.generators.base import Draft, draft, number_key, step
from tutor.curriculum.generators.written import MINUS, slip
from tutor.curriculum.misconceptions import rule


def _spec(text: str, **numbers: int) -> dict[str, str]:
    return {
        "operation": "order_of_operations",
        "expression": text,
        **{k: str(v) for k, v in numbers.items()},
    }


def no_brackets(rng: random.Random) -> Draft:
    a, b, c = rng.randint(2, 20), rng.randint(2, 9), rng.randint(2, 9)
    if rng.random() < 0.5:
        sign, verb, answer = "+", "add", a + b * c
        wrong = (a + b) * c
    else:
        a = b * c + rng.randint(1, 30)
        sign, verb, answer = MINUS, "subtract", a - b * c
        wrong = (a - b) * c
    text = f"{a} {sign} {b} × {c}"
    first = a + b if sign == "+" else a - b
    return draft(
        f"What is {text}?",
        _spec(text, a=a, b=b, c=c),
        number_key(answer),
        [
            step(
                f"Multiplication comes before addition and subtraction, so work out "
                f"{b} × {c} first: {b} × {c} = {b * c}.",
                f"{b} × {c}",
                str(b * c),
                operation="multiply",
                operands=(str(b), str(c)),
                question=f"What is {b} × {c}, the part you work out first?",
            ),
            step(
                f"Then {verb}: {a} {sign} {b * c} = {answer}.",
                f"{a} {sign} {b * c}",
                str(answer),
                operation=verb,
                operands=(str(a), str(b * c)),
                question=f"What is {a} {sign} {b * c}?",
            ),
        ],
        [
            rule(
                "left_to_right",
                wrong,
                slips=[slip(0, f"{a} {sign} {b} = {first} first, then {first} × {c} = {wrong}")],
            )
        ],
    )


def brackets(rng: random.Random) -> Draft:
    a, b, c = rng.randint(2, 15), rng.randint(2, 15), rng.randint(2, 9)
    d = rng.randint(1, 20)
    text = f"({a} + {b}) × {c} {MINUS} {d}"
    answer = (a + b) * c - d
    return draft(
        f"What is {text}?",
        _spec(text, a=a, b=b, c=c, d=d),
        number_key(answer),
        [
            step(
                f"Brackets first: {a} + {b} = {a + b}.",
                f"{a} + {b}",
                str(a + b),
                operation="add",
                operands=(str(a), str(b)),
                question=f"What is {a} + {b}, the part in brackets?",
            ),
            step(
                f"Then multiply: {a + b} × {c} = {(a + b) * c}.",
                f"{a + b} × {c}",
                str((a + b) * c),
                operation="multiply",
                operands=(str(a + b), str(c)),
                question=f"What is {a + b} × {c}?",
            ),
            step(
                f"Then subtract: {(a + b) * c} {MINUS} {d} = {answer}.",
                f"{(a + b) * c} {MINUS} {d}",
                str(answer),
                operation="subtract",
                operands=(str((a + b) * c), str(d)),
                question=f"What is {(a + b) * c} {MINUS} {d}?",
            ),
        ],
        [
            rule(
                "ignores_brackets",
                a + b * c - d,
                slips=[slip(0, f"{b} × {c} = {b * c} before the brackets, then {a} + {b * c}")],
            )
        ],
    )


def powers_first(rng: random.Random) -> Draft:
    a, b, c = rng.randint(2, 12), rng.randint(2, 6), rng.randint(2, 5)
    text = f"{a} + {b}^2 × {c}"
    answer = a + b**2 * c
    return draft(
        f"What is {text}?",
        _spec(text, a=a, b=b, c=c),
        number_key(answer),
        [
            step(
                f"Powers first: {b}² = {b} × {b} = {b**2}.",
                f"{b} × {b}",
                str(b**2),
                operation="power",
                operands=(str(b), "2"),
                question=f"What is {b}², that is {b} × {b}?",
            ),
            step(
                f"Then multiply: {b**2} × {c} = {b**2 * c}.",
                f"{b**2} × {c}",
                str(b**2 * c),
                operation="multiply",
                operands=(str(b**2), str(c)),
                question=f"What is {b**2} × {c}?",
            ),
            step(
                f"Then add: {a} + {b**2 * c} = {answer}.",
                f"{a} + {b**2 * c}",
                str(answer),
                operation="add",
                operands=(str(a), str(b**2 * c)),
                question=f"What is {a} + {b**2 * c}?",
            ),
        ],
        [
            rule(
                "left_to_right",
                ((a + b) ** 2) * c,
                (a + b * 2) * c,
                slips=[
                    slip(0, f"{a} + {b} = {a + b} first, then {a + b}² = {(a + b) ** 2}"),
                    slip(0, f"{b}² as {b} × 2 = {b * 2}, then {a} + {b * 2} = {a + b * 2}"),
                ],
            )
        ],
    )


FAMILIES = {"no_brackets": no_brackets, "brackets": brackets, "powers_first": powers_first}
