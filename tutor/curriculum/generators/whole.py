"""Whole-number families: place value, rounding, the four operations, remainders."""

from __future__ import annotations

import random

from tutor.curriculum.generators.base import Draft, draft, number_key, pick, step
from tutor.curriculum.generators.written import column_addition, column_subtraction, slip
from tutor.curriculum.misconceptions import rule

PLACES = ("ones", "tens", "hundreds", "thousands", "ten thousands", "hundred thousands", "millions")


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
    chart = " | ".join(f"{d} {PLACES[i]}" for i, d in reversed(list(enumerate(_columns(number)))))
    return draft(
        f"What is the value of the digit {digit} in {number:,}?",
        {"operation": "place_value", "number": str(number), "digit": str(digit)},
        number_key(value),
        [
            step(
                f"Place-value chart of {number:,}: {chart}. "
                f"The {digit} is in the {PLACES[place]} place.",
                operation="place_value",
                operands=(str(number), str(digit)),
                place=f"{PLACES[place]} place",
            ),
            step(
                f"A digit in the {PLACES[place]} place is worth it times {10**place:,}: "
                f"{digit} × {10**place:,} = {value:,}.",
                f"{digit} × {10**place}",
                str(value),
                operation="multiply",
                operands=(str(digit), str(10**place)),
                place=f"{PLACES[place]} place",
                question=f"What is {digit} × {10**place:,}?",
            ),
        ],
        [
            rule("face_value", digit, slips=[slip(1, f"{digit}, the digit alone")]),
            rule(
                "wrong_place",
                digit * 10 ** (place + 1),
                digit * 10 ** (place - 1),
                slips=[
                    slip(0, f"the {digit} read in the {PLACES[p]} place: {digit * 10**p}")
                    for p in (place + 1, place - 1)
                ],
            ),
        ],
    )


def rounding(rng: random.Random) -> Draft:
    number = rng.randint(101, 99_999)
    place = rng.randint(1, len(str(number)) - 1)
    unit = 10**place
    rounded = (number + unit // 2) // unit * unit
    down, up = number // unit * unit, number // unit * unit + unit
    other_place = place + 1 if place + 1 < len(str(number)) else place - 1
    other = 10**other_place
    deciding = _columns(number)[place - 1]
    if deciding >= 5:
        decide = step(
            f"{deciding} is 5 or more, so round up: {number:,} is between {down:,} and "
            f"{up:,}, and nearer to {up:,}. {down:,} + {unit:,} = {up:,}.",
            f"{down} + {unit}",
            str(up),
            operation="round",
            operands=(str(number), str(unit)),
            question=f"Is {number:,} nearer to {down:,} or to {up:,}?",
        )
    else:
        decide = step(
            f"{deciding} is less than 5, so round down: {number:,} is between {down:,} and "
            f"{up:,}, and nearer to {down:,}. {number:,} − {number - down:,} = {down:,}.",
            f"{number} − {number - down}",
            str(down),
            operation="round",
            operands=(str(number), str(unit)),
            question=f"Is {number:,} nearer to {down:,} or to {up:,}?",
        )
    return draft(
        f"Round {number:,} to the nearest {unit:,}.",
        {"operation": "round", "number": str(number), "to": str(unit)},
        number_key(rounded),
        [
            step(
                f"To round to the nearest {unit:,}, look at the {PLACES[place]} digit, "
                f"{_columns(number)[place]}, and the digit to its right, {deciding}.",
                operation="place_value",
                operands=(str(number), str(unit)),
                place=f"{PLACES[place - 1]} place",
            ),
            decide,
        ],
        [
            rule(
                "rounds_down",
                down,
                slips=[slip(1, f"{down:,}, cutting off the digits after the {PLACES[place]}")],
            ),
            rule(
                "wrong_place",
                (number + other // 2) // other * other,
                slips=[
                    slip(
                        0,
                        f"rounded to the nearest {other:,}: "
                        f"{(number + other // 2) // other * other:,}",
                    )
                ],
            ),
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
    ones, tens = _columns(a)
    low = ones * b
    carry = low // 10
    high = tens * b + carry
    no_carry = low % 10 + tens * b * 10
    if carry:
        ones_text = f"Ones column: {ones} × {b} = {low}. Write {low % 10} and carry {carry} tens."
        tens_text = (
            f"Tens column: {tens} × {b} = {tens * b}, plus the {carry} carried: "
            f"{tens * b} + {carry} = {high}. Write {high}."
        )
        tens_expression = f"{tens} × {b} + {carry}"
    else:
        ones_text = f"Ones column: {ones} × {b} = {low}. Write {low}."
        tens_text = f"Tens column: {tens} × {b} = {high}. Write {high}."
        tens_expression = f"{tens} × {b}"
    return draft(
        f"What is {a} × {b}?",
        {"operation": "multiply", "a": str(a), "b": str(b)},
        number_key(a * b),
        [
            step(
                ones_text,
                f"{ones} × {b}",
                str(low),
                operation="carry" if carry else "multiply",
                operands=(str(ones), str(b)),
                place="ones column",
                question=f"What is {ones} × {b} in the ones column?",
            ),
            step(
                tens_text,
                tens_expression,
                str(high),
                operation="multiply",
                operands=(str(tens), str(b), str(carry)),
                place="tens column",
                question=f"What is {tens_expression} in the tens column?",
            ),
            step(f"So {a} × {b} = {a * b}.", f"{a} × {b}", str(a * b), operation="answer"),
        ],
        [
            rule(
                "forgets_carry",
                no_carry,
                slips=[slip(1, f"{tens} × {b} = {tens * b}, without the {carry} carried")],
            ),
            rule("adds_instead", a + b, slips=[slip(2, f"{a} + {b} = {a + b}")]),
        ],
    )


def divide(rng: random.Random) -> Draft:
    b, q = rng.randint(2, 12), rng.randint(3, 25)
    a = b * q
    return draft(
        f"What is {a} ÷ {b}?",
        {"operation": "divide", "a": str(a), "b": str(b)},
        number_key(q),
        [
            step(
                f"Dividing {a} by {b} asks: how many {b}s make {a}? "
                f"Count up in {b}s, or use the {b} times table.",
                operation="divide",
                operands=(str(a), str(b)),
            ),
            step(
                f"{b} × {q} = {a}, so {a} ÷ {b} = {q}.",
                f"{a} ÷ {b}",
                str(q),
                operation="divide",
                operands=(str(a), str(b)),
                question=f"How many {b}s make {a}?",
            ),
        ],
        [
            rule("multiplies_instead", a * b, slips=[slip(1, f"{a} × {b} = {a * b}")]),
            rule("subtracts_instead", a - b, slips=[slip(1, f"{a} − {b} = {a - b}")]),
        ],
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
                f"Find the largest multiple of {b} that is not more than {a}: "
                f"{b} × {q} = {b * q}, and {b} × {q + 1} = {b * (q + 1)} is too big.",
                f"{b} × {q}",
                str(b * q),
                operation="multiply",
                operands=(str(b), str(q)),
                question=f"What is the largest multiple of {b} that is not more than {a}?",
            ),
            step(
                f"What is left over is the remainder: {a} − {b * q} = {r}. "
                f"So {a} ÷ {b} = {q} remainder {r}.",
                f"{a} − {b * q}",
                str(r),
                operation="subtract",
                operands=(str(a), str(b * q)),
                question=f"What is {a} − {b * q}?",
            ),
        ],
        [rule("gives_quotient", q, slips=[slip(1, f"{a} ÷ {b} = {q}, and stopped there")])],
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
