"""Negative numbers: adding and subtracting, multiplying and dividing."""

from __future__ import annotations

import random

from tutor.curriculum.generators.base import Draft, draft, number_key, step
from tutor.curriculum.generators.written import MINUS, bracket, show, slip
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
    symbol = "+" if op == "+" else MINUS
    shown = f"{bracket(x)} {symbol} {bracket(y)}"
    if form == 0:  # a + (−b) = a − b
        rewrite = f"Adding {show(y)} is the same as subtracting {b}: {shown} = {a} {MINUS} {b}."
        simple, move = f"{a} {MINUS} {b}", f"start at {a} and move {b} to the left"
    elif form == 1:  # a − (−b) = a + b
        rewrite = f"Subtracting {show(y)} is the same as adding {b}: {shown} = {a} + {b}."
        simple, move = f"{a} + {b}", f"start at {a} and move {b} to the right"
    elif form == 2:  # −a − b
        rewrite = f"Subtracting {b} from {show(x)} moves further below zero."
        simple, move = f"{show(x)} {MINUS} {b}", f"start at {show(x)} and move {b} to the left"
    else:  # −a + b
        rewrite = f"Adding {b} to {show(x)} moves up towards zero and past it."
        simple, move = f"{show(x)} + {b}", f"start at {show(x)} and move {b} to the right"
    rules = [rule("sign_error", -answer, slips=[slip(1, f"{simple} = {show(-answer)}")])]
    if form == 1:
        rules.insert(
            0,
            rule(
                "double_negative",
                x + y,
                slips=[slip(0, f"{a} {MINUS} {b} = {show(a - b)}, subtracting {b}")],
            ),
        )
    return draft(
        f"What is {shown}?",
        {"operation": "add" if op == "+" else "subtract", "a": str(x), "b": str(y)},
        number_key(answer),
        [
            step(rewrite, operation="sign", operands=(show(x), show(y)), place="sign"),
            step(
                f"On a number line, {move}: {simple} = {show(answer)}.",
                simple,
                show(answer),
                operation="add" if "+" in simple else "subtract",
                operands=(show(x), str(b)),
                question=f"What is {simple}?",
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
    text = f"{bracket(x)} {op} {bracket(y)}"
    shown = f"{bracket(x)} {op} {bracket(y)}"
    size = f"{abs(x)} {op} {abs(y)}"
    same = (x < 0) == (y < 0)
    return draft(
        f"What is {text}?",
        {"operation": "multiply" if op == "×" else "divide", "a": str(x), "b": str(y)},
        number_key(answer),
        [
            step(
                f"Work out the size without the signs: {size} = {abs(answer)}.",
                size,
                str(abs(answer)),
                operation="multiply" if op == "×" else "divide",
                operands=(str(abs(x)), str(abs(y))),
                question=f"What is {size}?",
            ),
            step(
                f"The signs are {'the same' if same else 'different'}, so the answer is "
                f"{'positive' if same else 'negative'}: {shown} = {show(answer)}.",
                shown,
                show(answer),
                operation="sign",
                operands=(show(x), show(y)),
                place="sign",
                question=f"{size} = {abs(answer)}. So what is {shown}, with its sign?",
            ),
        ],
        [rule("sign_rule", -answer, slips=[slip(1, f"{shown} = {show(-answer)}")])],
    )


FAMILIES = {"add_sub": add_sub, "mul_div": mul_div}
