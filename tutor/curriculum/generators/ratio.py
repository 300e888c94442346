"""Ratios: simplifying, sharing in a ratio, unit rates."""

from __future__ import annotations

import math
import random
from fractions import Fraction as F

from tutor.curriculum.generators.base import Draft, dec, draft, number_key, ratio_key, step
from tutor.curriculum.misconceptions import rule


def _coprime_pair(rng: random.Random) -> tuple[int, int]:
    a, b = rng.sample(range(1, 10), 2)
    while math.gcd(a, b) != 1:
        a, b = rng.sample(range(1, 10), 2)
    return a, b


def simplify(rng: random.Random) -> Draft:
    a, b = _coprime_pair(rng)
    k = rng.randint(2, 9)
    return draft(
        f"Write the ratio {a * k}:{b * k} in its simplest form.",
        {"operation": "simplify_ratio", "ratio": f"{a * k}:{b * k}"},
        ratio_key((a, b)),
        [
            step(f"The greatest common factor of {a * k} and {b * k} is {k}."),
            step("Divide both parts by it.", f"{a * k}/{k} : {b * k}/{k}", f"{a}:{b}"),
        ],
        [rule("reversed_ratio", (b, a))],
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
            step("Count the parts.", f"{a} + {b}", str(a + b)),
            step("Find one part.", f"{total} / {a + b}", str(k)),
            step(
                "The larger share has the larger number of parts.",
                f"{k} * {max(a, b)}",
                str(larger),
            ),
        ],
        [
            rule("shares_equally", F(total, 2)),
            rule("divides_by_part", F(total, max(a, b)), F(total, min(a, b))),
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
            step("Divide the distance by the time.", f"{distance} / {hours}", str(speed)),
            step(f"So {speed} km each hour.", None, dec(F(speed))),
        ],
        [
            rule("divides_wrong_way", F(hours, distance)),
            rule("multiplies_instead", distance * hours),
        ],
    )


FAMILIES = {"simplify": simplify, "share": share, "unit_rate": unit_rate}
