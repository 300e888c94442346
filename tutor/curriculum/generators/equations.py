"""Linear equations in one unknown: one step and two steps."""

from __future__ import annotations

import random
from fractions import Fraction as F

from tutor.curriculum.generators.base import Draft, draft, number_key, step
from tutor.curriculum.misconceptions import rule


def one_step_add(rng: random.Random) -> Draft:
    x, a = rng.randint(-10, 30), rng.randint(1, 30)
    if rng.random() < 0.5:
        text, undo, wrong = f"x + {a} = {x + a}", f"{x + a} - {a}", x + 2 * a
    else:
        text, undo, wrong = f"x − {a} = {x - a}", f"{x - a} + {a}", x - 2 * a
    return draft(
        f"Solve {text}.",
        {"operation": "solve_equation", "equation": text},
        number_key(x, variable="x"),
        [
            step("Do the opposite to both sides to get x on its own.", undo, str(x)),
            step("Check by putting it back in.", None, f"x = {x}"),
        ],
        [rule("moves_without_sign_change", wrong)],
    )


def one_step_mult(rng: random.Random) -> Draft:
    a, x = rng.randint(2, 12), rng.randint(-10, 15)
    while x == 0:
        x = rng.randint(-10, 15)
    b = a * x
    return draft(
        f"Solve {a}x = {b}.",
        {"operation": "solve_equation", "equation": f"{a}x = {b}"},
        number_key(x, variable="x"),
        [
            step(f"Divide both sides by {a}.", f"{b} / {a}", str(x)),
            step("Check by putting it back in.", f"{a} * {x}", str(b)),
        ],
        [rule("subtracts_coefficient", b - a), rule("multiplies_by_coefficient", a * b)],
    )


def two_step(rng: random.Random) -> Draft:
    a, x, b = rng.randint(2, 9), rng.randint(-10, 12), rng.randint(1, 20)
    sign = rng.choice("+-")
    c = a * x + b if sign == "+" else a * x - b
    shift = -b if sign == "+" else b
    text = f"{a}x {'+' if sign == '+' else '−'} {b} = {c}"
    return draft(
        f"Solve {text}.",
        {"operation": "solve_equation", "equation": text},
        number_key(x, variable="x"),
        [
            step(
                f"{'Subtract' if sign == '+' else 'Add'} {b} on both sides.",
                f"{c} {'-' if sign == '+' else '+'} {b}",
                str(c + shift),
            ),
            step(f"Divide both sides by {a}.", f"{c + shift} / {a}", str(x)),
        ],
        [
            rule("moves_without_sign_change", F(c - shift, a)),
            rule("divides_first", F(c, a) + shift),
        ],
    )


def two_step_divide(rng: random.Random) -> Draft:
    a, k, b = rng.randint(2, 9), rng.randint(-6, 10), rng.randint(1, 15)
    x = a * k
    c = k + b
    text = f"x/{a} + {b} = {c}"
    return draft(
        f"Solve {text}.",
        {"operation": "solve_equation", "equation": text},
        number_key(x, variable="x"),
        [
            step(f"Subtract {b} on both sides.", f"{c} - {b}", str(k)),
            step(f"Multiply both sides by {a}.", f"{k} * {a}", str(x)),
        ],
        [
            rule("moves_without_sign_change", (c + b) * a),
            rule("divides_first", c * a - b),
        ],
    )


FAMILIES = {
    "one_step_add": one_step_add,
    "one_step_mult": one_step_mult,
    "two_step": two_step,
    "two_step_divide": two_step_divide,
}
