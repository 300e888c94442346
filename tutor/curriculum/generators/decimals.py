"""Decimal families: place value, comparing, the four operations, fractions and decimals."""

from __future__ import annotations

import random
from fractions import Fraction as F

from tutor.curriculum.generators.base import Draft, dec, draft, frac, number_key, step
from tutor.curriculum.misconceptions import rule

PLACES = ("tenths", "hundredths", "thousandths")


def place_value(rng: random.Random) -> Draft:
    whole = rng.randint(0, 99)
    digits = rng.sample(range(1, 10), 3)
    number = whole + F(digits[0] * 100 + digits[1] * 10 + digits[2], 1000)
    place = rng.randint(0, 1)
    other = 1 - place
    return draft(
        f"Which digit is in the {PLACES[place]} place of {dec(number)}?",
        {"operation": "decimal_place_value", "number": dec(number), "place": PLACES[place]},
        number_key(digits[place]),
        [
            step("After the point come the tenths, then the hundredths, then the thousandths."),
            step(f"The {PLACES[place]} digit is {digits[place]}.", None, str(digits[place])),
        ],
        [rule("tenths_hundredths", digits[other])],
    )


def compare(rng: random.Random) -> Draft:
    short = F(rng.randint(2, 9), 10)
    long = F(rng.randint(11, int(short * 100) - 1), 100)
    while long.denominator != 100:
        long = F(rng.randint(11, int(short * 100) - 1), 100)
    first, second = (short, long) if rng.random() < 0.5 else (long, short)
    return draft(
        f"Which is larger, {dec(first)} or {dec(second)}?",
        {"operation": "compare_decimals", "a": dec(first), "b": dec(second)},
        number_key(short, style="decimal"),
        [
            step(f"Write both with two decimal places: {dec(short)}0 and {dec(long)}."),
            step("Compare the hundredths as whole numbers.", None, dec(short)),
        ],
        [rule("longer_is_larger", long)],
    )


def add_sub(rng: random.Random) -> Draft:
    a = F(rng.randint(101, 999), 100)
    b = F(rng.randint(11, 99), 10)
    aligned_right = F(int(a * 100) + int(b * 10), 100)
    if rng.random() < 0.5 or b >= a:
        text, answer, sign = f"{dec(a)} + {dec(b)}", a + b, "+"
    else:
        text, answer, sign = f"{dec(a)} − {dec(b)}", a - b, "-"
        aligned_right = F(int(a * 100) - int(b * 10), 100)
    return draft(
        f"What is {text}?",
        {"operation": "add" if sign == "+" else "subtract", "a": dec(a), "b": dec(b)},
        number_key(answer, style="decimal"),
        [
            step(f"Line up the decimal points: write {dec(b)} as {dec(b)}0."),
            step("Work column by column.", f"{dec(a)} {sign} {dec(b)}", dec(answer)),
        ],
        [rule("aligns_right", aligned_right)],
    )


def multiply(rng: random.Random) -> Draft:
    x, y = rng.randint(2, 9), rng.randint(2, 99)
    b_places = 2 if y >= 10 and rng.random() < 0.5 else 1
    a, b = F(x, 10), F(y, 10**b_places)
    answer = a * b
    places = 1 + b_places
    return draft(
        f"What is {dec(a)} × {dec(b)}?",
        {"operation": "multiply", "a": dec(a), "b": dec(b)},
        number_key(answer, style="decimal"),
        [
            step("Multiply as whole numbers first.", f"{x} * {y}", str(x * y)),
            step(f"The two numbers have {places} decimal places in all.", None, dec(answer)),
        ],
        [rule("decimal_places", answer * 10, answer / 10)],
    )


def divide(rng: random.Random) -> Draft:
    b = F(rng.randint(2, 9), 10)
    q = rng.randint(2, 15)
    a = b * q
    return draft(
        f"What is {dec(a)} ÷ {dec(b)}?",
        {"operation": "divide", "a": dec(a), "b": dec(b)},
        number_key(q, style="decimal"),
        [
            step(
                "Multiply both numbers by 10 so the divisor is whole.",
                f"{dec(a * 10)} / {dec(b * 10)}",
            ),
            step("Divide.", f"{dec(a * 10)} / {dec(b * 10)}", str(q)),
        ],
        [rule("misplaced_point", F(q, 10), q * 10), rule("divides_wrong_way", b / a)],
    )


def fraction_to_decimal(rng: random.Random) -> Draft:
    d = rng.choice((2, 4, 5, 8, 10, 20, 25))
    n = rng.randint(1, d - 1)
    value = F(n, d)
    scale = next(10**k for k in range(1, 4) if (10**k) % d == 0)
    return draft(
        f"Write {n}/{d} as a decimal.",
        {"operation": "fraction_to_decimal", "fraction": f"{n}/{d}"},
        number_key(value, style="decimal"),
        [
            step(
                f"Make the denominator {scale}: multiply top and bottom by {scale // d}.",
                f"{n * scale // d}/{scale}",
            ),
            step("Read it as a decimal.", None, dec(value)),
        ],
        [rule("digits_as_decimal", F(f"{n}.{d}")), rule("divides_wrong_way", F(d, n))],
    )


def decimal_to_fraction(rng: random.Random) -> Draft:
    hundredths = rng.randint(1, 99)
    while hundredths % 10 == 0:
        hundredths = rng.randint(1, 99)
    value = F(hundredths, 100)
    return draft(
        f"Write {dec(value)} as a fraction in its simplest form.",
        {"operation": "decimal_to_fraction", "decimal": dec(value)},
        number_key(value, simplest=True),
        [
            step(f"{dec(value)} is {hundredths} hundredths.", None, f"{hundredths}/100"),
            step("Simplify.", f"{hundredths}/100", frac(value)),
        ],
        [rule("wrong_power_of_ten", F(hundredths, 10), F(hundredths, 1000))],
    )


FAMILIES = {
    "place_value": place_value,
    "compare": compare,
    "add_sub": add_sub,
    "multiply": multiply,
    "divide": divide,
    "fraction_to_decimal": fraction_to_decimal,
    "decimal_to_fraction": decimal_to_fraction,
}
