"""Whole-number families: place value, rounding, the four operations, remainders."""

from __future__ import annotations

import random

from tutor.curriculum.generators.base import Draft, draft, number_key, pick, step
from tutor.curriculum.generators.written import column_addition, column_subtraction
from tutor.curriculum.misconceptions import rule

PLACES = ("ones", "tens", "hundreds", "thousands", "ten thousands", "hundred thousands")


def _columns(n: int) -> list[int]:
    """Digits from the ones column up."""
    return [int(c) for c in reversed(str(n))]


def place_value(rng: random.Random) -> Draft:
    length = rng.randint(3, 6)
    digits = rng.sample(range(1, 10), 1) + rng.sample(range(10), length - 1)
    while len(set(digits)) < length:  # distinct digits, so "the digit d" names one place
        digits = rng.sample(range(1, 10), 1) + rng.sample(range(10), length - 1)
    number = int("".join(map(str, digits)))
    place = rng.randint(1, length - 1)
    digit = _columns(number)[place]
    if digit == 0:
        place, digit = length - 1, digits[0]
    value = digit * 10**place
    return draft(
        f"What is the value of the digit {digit} in {number:,}?",
        {"operation": "place_value", "number": str(number), "digit": str(digit)},
        number_key(value),
        [
            step(f"The digit {digit} is in the {PLACES[place]} place."),
            step(f"So it is worth {digit} × {10**place:,}.", f"{digit} * {10**place}", str(value)),
        ],
        [
            rule("face_value", digit),
            rule("wrong_place", digit * 10 ** (place + 1), digit * 10 ** (place - 1)),
        ],
    )


def rounding(rng: random.Random) -> Draft:
    number = rng.randint(101, 99_999)
    place = rng.randint(1, len(str(number)) - 1)
    unit = 10**place
    rounded = (number + unit // 2) // unit * unit
    other = 10 ** (place + 1) if place + 1 < len(str(number)) else 10 ** (place - 1)
    return draft(
        f"Round {number:,} to the nearest {unit:,}.",
        {"operation": "round", "number": str(number), "to": str(unit)},
        number_key(rounded),
        [
            step(f"Look at the digit right of the {PLACES[place]} place."),
            step(
                "Round up if it is 5 or more, down otherwise.",
                f"round({number}, {unit})",
                str(rounded),
            ),
        ],
        [
            rule("rounds_down", number // unit * unit),
            rule("wrong_place", (number + other // 2) // other * other),
        ],
    )


def add(rng: random.Random) -> Draft:
    a, b = rng.randint(100, 999), rng.randint(100, 999)
    while all(x + y < 10 for x, y in zip(_columns(a), _columns(b), strict=True)):
        b = rng.randint(100, 999)  # at least one column carries
    no_carry = sum(
        (x + y) % 10 * 10**i for i, (x, y) in enumerate(zip(_columns(a), _columns(b), strict=True))
    )
    trace = column_addition(a, b)
    return draft(
        f"What is {a} + {b}?",
        {"operation": "add", "a": str(a), "b": str(b)},
        number_key(a + b),
        list(trace.steps),
        [rule("forgets_carry", no_carry, slips=[trace.slips["forgets_carry"]])],
    )


def subtract(rng: random.Random) -> Draft:
    a = rng.randint(300, 999)
    b = rng.randint(100, a - 1)
    while all(x >= y for x, y in zip(_columns(a), _columns(b), strict=True)):
        a, b = rng.randint(300, 999), rng.randint(100, 299)  # at least one column borrows
    smaller = sum(
        abs(x - y) * 10**i for i, (x, y) in enumerate(zip(_columns(a), _columns(b), strict=True))
    )
    trace = column_subtraction(a, b)
    return draft(
        f"What is {a} − {b}?",
        {"operation": "subtract", "a": str(a), "b": str(b)},
        number_key(a - b),
        list(trace.steps),
        [rule("smaller_from_larger", smaller, slips=[trace.slips["smaller_from_larger"]])],
    )


def multiply(rng: random.Random) -> Draft:
    a, b = rng.randint(12, 99), rng.randint(3, 9)
    cols = _columns(a)
    no_carry = (cols[0] * b) % 10 + cols[1] * b * 10
    return draft(
        f"What is {a} × {b}?",
        {"operation": "multiply", "a": str(a), "b": str(b)},
        number_key(a * b),
        [
            step(
                f"Multiply the ones: {cols[0]} × {b} = {cols[0] * b}.",
                f"{cols[0]} * {b}",
                str(cols[0] * b),
            ),
            step(
                f"Multiply the tens and add what was carried: {a} × {b} = {a * b}.",
                f"{a} * {b}",
                str(a * b),
            ),
        ],
        [rule("forgets_carry", no_carry), rule("adds_instead", a + b)],
    )


def divide(rng: random.Random) -> Draft:
    b, q = rng.randint(2, 12), rng.randint(3, 25)
    a = b * q
    return draft(
        f"What is {a} ÷ {b}?",
        {"operation": "divide", "a": str(a), "b": str(b)},
        number_key(q),
        [
            step(f"Ask how many {b}s make {a}."),
            step(f"{b} × {q} = {a}, so", f"{a} / {b}", str(q)),
        ],
        [rule("multiplies_instead", a * b), rule("subtracts_instead", a - b)],
    )


def remainder(rng: random.Random) -> Draft:
    b = rng.randint(3, 12)
    q = pick(rng, 2, 15, exclude=(b,))
    r = rng.randint(1, b - 1)
    a = b * q + r
    return draft(
        f"What is the remainder when {a} is divided by {b}?",
        {"operation": "remainder", "a": str(a), "b": str(b)},
        number_key(r),
        [
            step(
                f"The largest multiple of {b} not above {a} is {b * q}.", f"{b} * {q}", str(b * q)
            ),
            step("What is left over is the remainder.", f"{a} - {b * q}", str(r)),
        ],
        [rule("gives_quotient", q)],
    )


FAMILIES = {
    "place_value": place_value,
    "rounding": rounding,
    "add": add,
    "subtract": subtract,
    "multiply": multiply,
    "divide": divide,
    "remainder": remainder,
}
