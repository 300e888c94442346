"""Ratios: simplifying, sharing in a ratio, unit rates."""

from __future__ import annotations

import math
import random
from fractions import Fraction as F

from tutor.curriculum.generators.base import Draft, dec, draft, frac, number_key, ratio_key, step
from tutor.curriculum.generators.written import slip
from tutor.curriculum.misconceptions import rule


def _coprime_pair(rng: random.Random) -> tuple[int, int]:
    a, b = rng.sample(range(1, 10), 2)
    while math.gcd(a, b) != 1:
        a, b = rng.sample(range(1, 10), 2)
    return a, b


def simplify(rng: random.Random) -> Draft:
    a, b = _coprime_pair(rng)
    k = rng.randint(2, 9)
    left, right = a * k, b * k
    return draft(
        f"Write the ratio {left}:{right} in its simplest form.",
        {"operation": "simplify_ratio", "ratio": f"{left}:{right}"},
        ratio_key((a, b)),
        [
            step(
                f"Find the greatest common factor of {left} and {right}: "
                f"{left} = {k} × {a} and {right} = {k} × {b}, so it is {k}.",
                f"{left} ÷ {a}",
                str(k),
                operation="common_factor",
                operands=(str(left), str(right)),
                question=f"What is the greatest common factor of {left} and {right}?",
            ),
            step(
                f"Divide both parts by {k}: {left} ÷ {k} = {a} and {right} ÷ {k} = {b}, "
                f"so {left}:{right} = {a}:{b}.",
                f"{left} ÷ {k} : {right} ÷ {k}",
                f"{a}:{b}",
                operation="simplify",
                operands=(f"{left}:{right}", str(k)),
                question=f"What is {left} ÷ {k}, and {right} ÷ {k}?",
            ),
        ],
        [
            rule(
                "reversed_ratio",
                (b, a),
                slips=[slip(1, f"{b}:{a}, the parts in the other order")],
            )
        ],
    )


def share(rng: random.Random) -> Draft:
    a, b = _coprime_pair(rng)
    k = rng.randint(2, 12)
    total = k * (a + b)
    larger = k * max(a, b)
    return draft(
        f"Share {total} in the ratio {a}:{b}. How much is the larger share?",
        {"operation": "share_in_ratio", "total": str(total), "ratio": f"{a}:{b}"},
        number_key(larger),
        [
            step(
                f"Count the parts: {a} + {b} = {a + b}.",
                f"{a} + {b}",
                str(a + b),
                operation="add",
                operands=(str(a), str(b)),
                place="parts",
                question=f"How many parts are there in the ratio {a}:{b}?",
            ),
            step(
                f"Find one part: {total} ÷ {a + b} = {k}.",
                f"{total} ÷ {a + b}",
                str(k),
                operation="divide",
                operands=(str(total), str(a + b)),
                place="one part",
                question=f"What is {total} ÷ {a + b}?",
            ),
            step(
                f"The larger share is {max(a, b)} parts: {k} × {max(a, b)} = {larger}.",
                f"{k} × {max(a, b)}",
                str(larger),
                operation="multiply",
                operands=(str(k), str(max(a, b))),
                question=f"What is {k} × {max(a, b)}?",
            ),
        ],
        [
            rule(
                "shares_equally",
                F(total, 2),
                slips=[slip(1, f"{total} ÷ 2 = {frac(F(total, 2))}, two equal shares")],
            ),
            rule(
                "divides_by_part",
                F(total, max(a, b)),
                F(total, min(a, b)),
                slips=[
                    slip(1, f"{total} ÷ {p} = {frac(F(total, p))}, dividing by one part")
                    for p in (max(a, b), min(a, b))
                ],
            ),
        ],
    )


def unit_rate(rng: random.Random) -> Draft:
    hours = rng.randint(2, 8)
    speed = rng.randint(5, 90)
    distance = speed * hours
    return draft(
        f"A car travels {distance} km in {hours} hours at a steady speed. "
        "How many km does it travel each hour?",
        {"operation": "unit_rate", "distance": str(distance), "hours": str(hours)},
        number_key(speed),
        [
            step(
                f"At a steady speed every hour has the same distance, so share the {distance} "
                f"km equally among the {hours} hours.",
                operation="divide",
                operands=(str(distance), str(hours)),
            ),
            step(
                f"{distance} ÷ {hours} = {speed}, so {dec(F(speed))} km each hour "
                f"(check: {speed} × {hours} = {distance}).",
                f"{distance} ÷ {hours}",
                str(speed),
                operation="divide",
                operands=(str(distance), str(hours)),
                question=f"What is {distance} ÷ {hours}?",
            ),
        ],
        [
            rule(
                "divides_wrong_way",
                F(hours, distance),
                slips=[slip(1, f"{hours} ÷ {distance}, the hours divided by the distance")],
            ),
            rule(
                "multiplies_instead",
                distance * hours,
                slips=[slip(1, f"{distance} × {hours} = {distance * hours}")],
            ),
        ],
    )


FAMILIES = {"simplify": simplify, "share": share, "unit_rate": unit_rate}
