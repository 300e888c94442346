"""Percentages: as decimals, as fractions, of a quantity, percentage change."""

from __future__ import annotations

import random
from fractions import Fraction as F

from tutor.curriculum.generators.base import Draft, dec, draft, frac, number_key, percent_key, step
from tutor.curriculum.generators.written import MINUS, slip
from tutor.curriculum.misconceptions import rule


def to_decimal(rng: random.Random) -> Draft:
    p = rng.randint(1, 199)
    value = F(p, 100)
    return draft(
        f"Write {p}% as a decimal.",
        {"operation": "percent_to_decimal", "percent": f"{p}%"},
        number_key(value, style="decimal"),
        [
            step(
                f"Per cent means out of 100, so {p}% is {p}/100, that is {p} ÷ 100.",
                operation="percent",
                operands=(f"{p}%",),
            ),
            step(
                f"Dividing by 100 moves every digit two places to the right (the point moves "
                f"two places left): {p} ÷ 100 = {dec(value)}.",
                f"{p} ÷ 100",
                dec(value),
                operation="divide",
                operands=(str(p), "100"),
                place="decimal point",
                question=f"What is {p} ÷ 100?",
            ),
        ],
        [
            rule(
                "percent_as_decimal",
                F(p, 10),
                slips=[slip(1, f"{p} ÷ 10 = {dec(F(p, 10))}, one place instead of two")],
            ),
            rule("percent_as_whole", p, slips=[slip(1, f"{p}, without dividing by 100")]),
        ],
    )


def from_fraction(rng: random.Random) -> Draft:
    d = rng.choice((2, 4, 5, 10, 20, 25, 50))
    n = rng.randint(1, d - 1)
    value = F(n, d)
    k = 100 // d
    percent = n * k
    steps = []
    if k > 1:
        steps.append(
            step(
                f"Write {n}/{d} out of 100: multiply top and bottom by {k}: "
                f"{n} × {k} = {percent}, so {n}/{d} = {percent}/100.",
                f"{n} × {k}",
                str(percent),
                operation="rewrite",
                operands=(f"{n}/{d}", "100"),
                place="numerator",
                question=f"{n}/{d} = ?/100. What is the new numerator?",
            )
        )
    steps.append(
        step(
            f"Per cent means out of 100, so {percent}/100 = {percent}%.",
            f"{percent}/100",
            f"{percent}%",
            operation="percent",
            operands=(f"{percent}/100",),
            question=f"How do you write {percent}/100 as a percentage?",
        )
    )
    return draft(
        f"Write {n}/{d} as a percentage.",
        {"operation": "fraction_to_percent", "fraction": f"{n}/{d}"},
        percent_key(value),
        steps,
        [
            rule(
                "fraction_digits_percent",
                F(int(f"{n}{d}"), 100),
                slips=[slip(0, f"{n}{d}%, the top and bottom side by side")],
            ),
            rule(
                "decimal_for_percent",
                value / 100,
                slips=[slip(len(steps) - 1, f"{dec(value)}, the decimal, not out of 100")],
            ),
        ],
    )


def of_quantity(rng: random.Random) -> Draft:
    p = rng.choice((5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 80))
    total = rng.randint(2, 30) * 20
    answer = F(p * total, 100)
    ten = F(total, 10)
    tens, five = divmod(p, 10)
    steps = [
        step(
            f"Find 10% first: 10% of {total} is {total} ÷ 10 = {dec(ten)}.",
            f"{total} ÷ 10",
            dec(ten),
            operation="percent",
            operands=(str(total), "10%"),
            question=f"What is 10% of {total}?",
        )
    ]
    if five:
        steps.append(
            step(
                f"5% is half of 10%: {dec(ten)} ÷ 2 = {dec(ten / 2)}.",
                f"{dec(ten)} ÷ 2",
                dec(ten / 2),
                operation="percent",
                operands=(dec(ten), "5%"),
                question=f"What is half of {dec(ten)}?",
            )
        )
    if tens == 1 and five:
        text = f"{p}% is 10% + 5%: {dec(ten)} + {dec(ten / 2)} = {dec(answer)}."
        expression = f"{dec(ten)} + {dec(ten / 2)}"
    elif tens and five:
        text = f"{p}% is {tens} × 10% + 5%: {tens} × {dec(ten)} + {dec(ten / 2)} = {dec(answer)}."
        expression = f"{tens} × {dec(ten)} + {dec(ten / 2)}"
    elif tens:
        text = f"{p}% is {tens} × 10%: {tens} × {dec(ten)} = {dec(answer)}."
        expression = f"{tens} × {dec(ten)}"
    else:
        text, expression = f"So 5% of {total} is {dec(answer)}.", f"{dec(ten)} ÷ 2"
    if tens:
        steps.append(
            step(
                text,
                expression,
                dec(answer),
                operation="add" if tens == 1 else "multiply",
                operands=(str(tens), dec(ten)),
                question=f"What is {expression}?",
            )
        )
    else:
        steps.append(step(text, expression, dec(answer), operation="answer"))
    return draft(
        f"What is {p}% of {total}?",
        {"operation": "percent_of", "percent": f"{p}%", "of": str(total)},
        number_key(answer, style="decimal"),
        steps,
        [
            rule(
                "percent_as_whole",
                p * total,
                slips=[slip(0, f"{p} × {total} = {p * total}, without dividing by 100")],
            ),
            rule(
                "divides_by_percent",
                F(total, p),
                slips=[slip(0, f"{total} ÷ {p} = {frac(F(total, p))}")],
            ),
        ],
    )


def change(rng: random.Random) -> Draft:
    p = rng.choice((5, 10, 15, 20, 25, 30, 40, 50, 60, 75))
    original = rng.randint(1, 20) * 20
    up = rng.random() < 0.5
    new = original + original * p // 100 if up else original - original * p // 100
    word = "increase" if up else "decrease"
    diff = abs(new - original)
    share = F(diff, original)
    return draft(
        f"A price changes from ${original} to ${new}. What is the percentage {word}?",
        {"operation": f"percent_{word}", "from": str(original), "to": str(new)},
        percent_key(F(p, 100)),
        [
            step(
                f"Find the change: {max(new, original)} {MINUS} {min(new, original)} = {diff}.",
                f"{max(new, original)} {MINUS} {min(new, original)}",
                str(diff),
                operation="subtract",
                operands=(str(max(new, original)), str(min(new, original))),
                question=f"By how much did the price change from ${original} to ${new}?",
            ),
            step(
                f"Compare the change with the original price: {diff} out of {original} is "
                f"{diff}/{original} = {frac(share)}.",
                f"{diff}/{original}",
                frac(share),
                operation="divide",
                operands=(str(diff), str(original)),
                place="original",
                question=f"What is {diff}/{original} in its simplest form?",
            ),
            step(
                f"As a percentage: {frac(share)} × 100 = {p}, so the {word} is {p}%.",
                f"{frac(share)}",
                f"{p}%",
                operation="percent",
                operands=(frac(share), "100"),
                question=f"What is {frac(share)} as a percentage?",
            ),
        ],
        [
            rule(
                "divides_by_new",
                F(diff, new),
                slips=[slip(1, f"{diff} ÷ {new}, dividing by the new price")],
            ),
            rule(
                "change_as_percent",
                F(diff, 100),
                slips=[slip(1, f"{diff}%, the change itself, not out of {original}")],
            ),
        ],
    )


FAMILIES = {
    "to_decimal": to_decimal,
    "from_fraction": from_fraction,
    "of_quantity": of_quantity,
    "change": change,
}
