"""Negative numbers: adding and subtracting, multiplying and dividing."""

from __future__ import annotations

import random

from tutor.curriculum.generators.base import Draft, draft, number_key, signed, step
from tutor.curriculum.misconceptions import rule


def add_sub(rng: random.Random) -> Draft:
    a, b = rng.randint(1, 20), rng.randint(1, 20)
    form = rng.randint(0, 3)
    if form == 0:
        x, y, op = a, -b, "+"
    elif form == 1:
        x, y, op = a, -b, "-"
    elif form == 2:
        x, y, op = -a, b, "-"
    else:
        x, y, op = -a, b, "+"
    answer = x + y if op == "+" else x - y
    rules = [rule("sign_error", -answer)]
    if form == 1:
        rules.insert(0, rule("double_negative", x + y))
    text = f"{signed(x)} {op} {signed(y)}"
    return draft(
        f"What is {text}?",
        {"operation": "add" if op == "+" else "subtract", "a": str(x), "b": str(y)},
        number_key(answer),
        [
            step(
                "Subtracting a negative is adding; adding a negative is subtracting."
                if y < 0
                else "Start at the first number on a number line."
            ),
            step(
                f"Move along the number line {'right' if answer > x else 'left'}.",
                text,
                str(answer),
            ),
        ],
        rules,
    )


def mul_div(rng: random.Random) -> Draft:
    a, b = rng.randint(2, 12), rng.randint(2, 12)
    form = rng.randint(0, 3)
    if form == 0:
        x, y, op, answer = -a, b, "×", -a * b
    elif form == 1:
        x, y, op, answer = -a, -b, "×", a * b
    elif form == 2:
        x, y, op, answer = -a * b, b, "÷", -a
    else:
        x, y, op, answer = a * b, -b, "÷", -a
    text = f"{signed(x)} {op} {signed(y)}"
    return draft(
        f"What is {text}?",
        {"operation": "multiply" if op == "×" else "divide", "a": str(x), "b": str(y)},
        number_key(answer),
        [
            step(
                "Work out the size without signs.",
                f"{abs(x)} {'*' if op == '×' else '/'} {abs(y)}",
                str(abs(answer)),
            ),
            step(
                "Same signs give a positive answer, different signs a negative one.",
                None,
                str(answer),
            ),
        ],
        [rule("sign_rule", -answer)],
    )


FAMILIES = {"add_sub": add_sub, "mul_div": mul_div}
