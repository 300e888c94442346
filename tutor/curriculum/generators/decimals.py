"""Decimal families: place value, comparing, the four operations, fractions and decimals."""

from __future__ import annotations

import random
from fractions import Fraction as F

from tutor.curriculum.generators.base import Draft, dec, draft, frac, number_key, step
from tutor.curriculum.generators.written import (
    MINUS,
    column_addition,
    column_subtraction,
    simplify_step,
    slip,
)
from tutor.curriculum.misconceptions import rule

PLACES = ("tenths", "hundredths", "thousandths")
COLUMNS = ("hundredths", "tenths", "ones", "tens")  # columns of a number scaled by 100
UNITS = ("hundredth", "tenth", "one", "ten")


def place_value(rng: random.Random) -> Draft:
    whole = rng.randint(0, 99)
    digits = rng.sample(range(1, 10), 3)
    number = whole + F(digits[0] * 100 + digits[1] * 10 + digits[2], 1000)
    place = rng.randint(0, 1)
    other = 1 - place
    chart = ", ".join(f"{d} {PLACES[i]}" for i, d in enumerate(digits))
    return draft(
        f"Which digit is in the {PLACES[place]} place of {dec(number)}?",
        {"operation": "decimal_place_value", "number": dec(number), "place": PLACES[place]},
        number_key(digits[place]),
        [
            step(
                f"Place-value chart of {dec(number)}: {whole} before the point, then {chart}. "
                "After the point come the tenths, then the hundredths, then the thousandths.",
                operation="place_value",
                operands=(dec(number),),
            ),
            step(
                f"The {PLACES[place]} place is the {('first', 'second')[place]} digit after "
                f"the point: {digits[place]}.",
                None,
                str(digits[place]),
                operation="place_value",
                operands=(dec(number),),
                place=f"{PLACES[place]} place",
                question=f"Which is the {('first', 'second')[place]} digit after the point "
                f"in {dec(number)}?",
            ),
        ],
        [
            rule(
                "tenths_hundredths",
                digits[other],
                slips=[slip(1, f"{digits[other]}, the {PLACES[other]} digit")],
            )
        ],
    )


def compare(rng: random.Random) -> Draft:
    short = F(rng.randint(2, 9), 10)
    long = F(rng.randint(11, int(short * 100) - 1), 100)
    while long.denominator != 100:
        long = F(rng.randint(11, int(short * 100) - 1), 100)
    first, second = (short, long) if rng.random() < 0.5 else (long, short)
    s100, l100 = int(short * 100), int(long * 100)
    return draft(
        f"Which is larger, {dec(first)} or {dec(second)}?",
        {"operation": "compare_decimals", "a": dec(first), "b": dec(second)},
        number_key(short, style="decimal"),
        [
            step(
                f"Write both with two decimal places: {dec(short)} = {dec(short)}0, "
                f"which is {s100} hundredths, and {dec(long)} is {l100} hundredths.",
                f"{dec(short)} × 100",
                str(s100),
                operation="rewrite",
                operands=(dec(short), dec(long)),
                place="hundredths",
                question=f"How many hundredths is {dec(short)}?",
            ),
            step(
                f"{s100} hundredths is more than {l100} hundredths, so {dec(short)} is larger.",
                None,
                dec(short),
                operation="compare",
                operands=(f"{dec(short)}0", dec(long)),
                question=f"Which is larger, {dec(short)}0 or {dec(long)}?",
            ),
        ],
        [
            rule(
                "longer_is_larger",
                long,
                slips=[slip(1, f"{dec(long)}, because it has more digits")],
            )
        ],
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
    padded = _two_places(b)
    line_up = step(
        f"Line up the decimal points: write {dec(b)} as {padded}, so tenths sit under "
        "tenths and hundredths under hundredths.",
        f"{dec(b)} × 100",
        str(int(b * 100)),
        operation="rewrite",
        operands=(dec(a), dec(b)),
        place="decimal point",
        question=f"How many hundredths is {dec(b)}?",
    )
    method = column_addition if sign == "+" else column_subtraction
    trace = method(
        int(a * 100), int(b * 100), labels=COLUMNS, units=UNITS, shown=(_two_places(a), padded)
    ).after(line_up)
    symbol = "+" if sign == "+" else MINUS
    misaligned = dec(b / 10)
    return draft(
        f"What is {text}?",
        {"operation": "add" if sign == "+" else "subtract", "a": dec(a), "b": dec(b)},
        number_key(answer, style="decimal"),
        list(trace.steps),
        [
            rule(
                "aligns_right",
                aligned_right,
                slips=[
                    slip(
                        0,
                        f"{dec(b)} lined up at the right end, as if it were {misaligned}: "
                        f"{dec(a)} {symbol} {misaligned}",
                    )
                ],
            )
        ],
    )


def _two_places(value: F) -> str:
    """'6.00', '8.30', '9.65': a number with hundredths written out, as lined up."""
    hundredths = int(value * 100)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


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
            step(
                f"Multiply as whole numbers first: {x} × {y} = {x * y}.",
                f"{x} × {y}",
                str(x * y),
                operation="multiply",
                operands=(str(x), str(y)),
                question=f"What is {x} × {y}?",
            ),
            step(
                f"Count the decimal places: {dec(a)} has 1 and {dec(b)} has {b_places}, "
                f"so the answer has 1 + {b_places} = {places}.",
                f"1 + {b_places}",
                str(places),
                operation="place_value",
                operands=(dec(a), dec(b)),
                place="decimal places",
                question=f"How many decimal places do {dec(a)} and {dec(b)} have in all?",
            ),
            step(
                f"Put the point {places} places from the right of {x * y}: "
                f"{x * y} ÷ {10**places} = {dec(answer)}.",
                f"{x * y} ÷ {10**places}",
                dec(answer),
                operation="place_value",
                operands=(str(x * y), str(places)),
                place="decimal point",
                question=f"What is {x * y} with the point {places} places from the right?",
            ),
        ],
        [
            rule(
                "decimal_places",
                answer * 10,
                answer / 10,
                slips=[
                    slip(2, f"{dec(answer * 10)}, with {places - 1} decimal places"),
                    slip(2, f"{dec(answer / 10)}, with {places + 1} decimal places"),
                ],
            )
        ],
    )


def divide(rng: random.Random) -> Draft:
    b = F(rng.randint(2, 9), 10)
    q = rng.randint(2, 15)
    a = b * q
    a10, b10 = a * 10, int(b * 10)
    return draft(
        f"What is {dec(a)} ÷ {dec(b)}?",
        {"operation": "divide", "a": dec(a), "b": dec(b)},
        number_key(q, style="decimal"),
        [
            step(
                f"Multiply both numbers by 10 so the divisor is whole: {dec(a)} × 10 = "
                f"{dec(a10)} and {dec(b)} × 10 = {b10}. The answer does not change.",
                f"{dec(a)} × 10",
                dec(a10),
                operation="multiply",
                operands=(dec(a), dec(b)),
                place="decimal point",
                question=f"What is {dec(a)} × 10?",
            ),
            step(
                f"Divide: {dec(a10)} ÷ {b10} = {q}, because {b10} × {q} = {dec(a10)}.",
                f"{dec(a10)} ÷ {b10}",
                str(q),
                operation="divide",
                operands=(dec(a10), str(b10)),
                question=f"What is {dec(a10)} ÷ {b10}?",
            ),
        ],
        [
            rule(
                "misplaced_point",
                F(q, 10),
                q * 10,
                slips=[
                    slip(0, f"{dec(a)} ÷ {b10} = {dec(F(q, 10))}: only {dec(b)} was × 10"),
                    slip(0, f"{dec(a10)} ÷ {dec(b)} = {q * 10}: only {dec(a)} was × 10"),
                ],
            ),
            rule(
                "divides_wrong_way",
                b / a,
                slips=[
                    slip(1, f"{b10} ÷ {dec(a10)} = {dec(b / a) if _ends(b / a) else frac(b / a)}")
                ],
            ),
        ],
    )


def _ends(value: F) -> bool:
    """Whether a fraction has a terminating decimal."""
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def fraction_to_decimal(rng: random.Random) -> Draft:
    d = rng.choice((2, 4, 5, 8, 10, 20, 25))
    n = rng.randint(1, d - 1)
    value = F(n, d)
    scale = next(10**k for k in range(1, 4) if (10**k) % d == 0)
    k = scale // d
    name = {10: "tenths", 100: "hundredths", 1000: "thousandths"}[scale]
    steps = []
    if k > 1:
        steps.append(
            step(
                f"Make the denominator {scale}: multiply top and bottom by {k}: "
                f"{n} × {k} = {n * k}, so {n}/{d} = {n * k}/{scale}.",
                f"{n} × {k}",
                str(n * k),
                operation="rewrite",
                operands=(f"{n}/{d}", str(scale)),
                place="numerator",
                question=f"{n}/{d} = ?/{scale}. What is the new numerator?",
            )
        )
    steps.append(
        step(
            f"{n * k}/{scale} is {n * k} {name}, so as a decimal it is {dec(value)}.",
            f"{n * k}/{scale}",
            dec(value),
            operation="place_value",
            operands=(f"{n * k}/{scale}",),
            place=name,
            question=f"How do you write {n * k} {name} as a decimal?",
        )
    )
    return draft(
        f"Write {n}/{d} as a decimal.",
        {"operation": "fraction_to_decimal", "fraction": f"{n}/{d}"},
        number_key(value, style="decimal"),
        steps,
        [
            rule(
                "digits_as_decimal",
                F(f"{n}.{d}"),
                slips=[slip(len(steps) - 1, f"{n}.{d}, the top and bottom written with a point")],
            ),
            rule(
                "divides_wrong_way",
                F(d, n),
                slips=[slip(len(steps) - 1, f"{d} ÷ {n}, the bottom divided by the top")],
            ),
        ],
    )


def decimal_to_fraction(rng: random.Random) -> Draft:
    hundredths = rng.randint(1, 99)
    while hundredths % 10 == 0:
        hundredths = rng.randint(1, 99)
    value = F(hundredths, 100)
    steps = [
        step(
            f"The last digit of {dec(value)} is in the hundredths place, so {dec(value)} is "
            f"{hundredths} hundredths: {hundredths}/100.",
            f"{dec(value)} × 100",
            str(hundredths),
            operation="place_value",
            operands=(dec(value),),
            place="denominator",
            question=f"{dec(value)} = ?/100. What is the top number?",
        )
    ]
    simplified = simplify_step(hundredths, 100)
    if simplified is not None:
        steps.append(simplified)
    else:
        steps.append(
            step(
                f"{hundredths} and 100 share no factor but 1, so {hundredths}/100 is already "
                "in its simplest form.",
                f"{hundredths}/100",
                frac(value),
                operation="simplify",
                operands=(f"{hundredths}/100",),
            )
        )
    return draft(
        f"Write {dec(value)} as a fraction in its simplest form.",
        {"operation": "decimal_to_fraction", "decimal": dec(value)},
        number_key(value, simplest=True),
        steps,
        [
            rule(
                "wrong_power_of_ten",
                F(hundredths, 10),
                F(hundredths, 1000),
                slips=[
                    slip(0, f"{hundredths}/10, counting tenths"),
                    slip(0, f"{hundredths}/1000, counting thousandths"),
                ],
            )
        ],
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
