"""Percentages: as decimals, as fractions, of a quantity, percentage change."""

from __future__ import annotations

import random
from fractions import Fraction as F

from tutor.curriculum.generators.base import Draft, dec, draft, number_key, percent_key, step
from tutor.curriculum.misconceptions import rule


def to_decimal(rng: random.Random) -> Draft:
    p = rng.randint(1, 199)
    return draft(
        f"Write {p}% as a decimal.",
        {"operation": "percent_to_decimal", "percent": f"{p}%"},
        number_key(F(p, 100), style="decimal"),
        [
            step("Per cent means out of 100.", f"{p} / 100"),
            step("Move the decimal point two places left.", None, dec(F(p, 100))),
        ],
        [rule("percent_as_decimal", F(p, 10)), rule("percent_as_whole", p)],
    )


def from_fraction(rng: random.Random) -> Draft:
    d = rng.choice((2, 4, 5, 10, 20, 25, 50))
    n = rng.randint(1, d - 1)
    value = F(n, d)
    return draft(
        f"Write {n}/{d} as a percentage.",
        {"operation": "fraction_to_percent", "fraction": f"{n}/{d}"},
        percent_key(value),
        [
            step("Multiply the fraction by 100.", f"{n}/{d} * 100", dec(value * 100)),
            step("Add the percent sign.", None, f"{dec(value * 100)}%"),
        ],
        [
            rule("fraction_digits_percent", F(int(f"{n}{d}"), 100)),
            rule("decimal_for_percent", value / 100),
        ],
    )


def of_quantity(rng: random.Random) -> Draft:
    p = rng.choice((5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 80))
    total = rng.randint(2, 30) * 20
    answer = F(p * total, 100)
    return draft(
        f"What is {p}% of {total}?",
        {"operation": "percent_of", "percent": f"{p}%", "of": str(total)},
        number_key(answer, style="decimal"),
        [
            step(f"{p}% is {p}/100.", f"{p} / 100", dec(F(p, 100))),
            step(f"Multiply by {total}.", f"{dec(F(p, 100))} * {total}", dec(answer)),
        ],
        [rule("percent_as_whole", p * total), rule("divides_by_percent", F(total, p))],
    )


def change(rng: random.Random) -> Draft:
    p = rng.choice((5, 10, 15, 20, 25, 30, 40, 50, 60, 75))
    original = rng.randint(1, 20) * 20
    up = rng.random() < 0.5
    new = original + original * p // 100 if up else original - original * p // 100
    word = "increase" if up else "decrease"
    diff = abs(new - original)
    return draft(
        f"A price changes from ${original} to ${new}. What is the percentage {word}?",
        {"operation": f"percent_{word}", "from": str(original), "to": str(new)},
        percent_key(F(p, 100)),
        [
            step("Find the change.", f"{max(new, original)} - {min(new, original)}", str(diff)),
            step(
                "Divide by the original and multiply by 100.", f"{diff} / {original} * 100", f"{p}%"
            ),
        ],
        [rule("divides_by_new", F(diff, new)), rule("change_as_percent", F(diff, 100))],
    )


FAMILIES = {
    "to_decimal": to_decimal,
    "from_fraction": from_fraction,
    "of_quantity": of_quantity,
    "change": change,
}
