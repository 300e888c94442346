"""Linear equations in one unknown: one step and two steps, solved by inverse operations."""

from __future__ import annotations

import random
from fractions import Fraction as F

from tutor.curriculum.generators.base import Draft, draft, number_key, step
from tutor.curriculum.generators.written import MINUS, bracket, show, slip
from tutor.curriculum.misconceptions import rule
from tutor.curriculum.model import SolutionStep


def _check(equation: str, left: str, right: int, x: int) -> SolutionStep:
    """The last step: put x back in; the result is the solution 'x = …'."""
    return step(
        f"Check: put x = {show(x)} back into {equation}: {left} = {show(right)}. So x = {show(x)}.",
        None,
        f"x = {show(x)}",
        operation="answer",
        operands=(show(x),),
    )


def one_step_add(rng: random.Random) -> Draft:
    x, a = rng.randint(-10, 30), rng.randint(1, 30)
    if rng.random() < 0.5:
        c = x + a
        text = f"x + {a} = {show(c)}"
        undo, verb, inverse = f"{show(c)} {MINUS} {a}", "subtract", "− " + str(a)
        wrong, wrong_step = x + 2 * a, f"x = {show(c)} + {a} = {show(x + 2 * a)}"
        left = f"{bracket(x)} + {a}"
    else:
        c = x - a
        text = f"x − {a} = {show(c)}"
        undo, verb, inverse = f"{show(c)} + {a}", "add", "+ " + str(a)
        wrong, wrong_step = x - 2 * a, f"x = {show(c)} {MINUS} {a} = {show(x - 2 * a)}"
        left = f"{bracket(x)} {MINUS} {a}"
    shown = text.replace("-", MINUS)
    return draft(
        f"Solve {text}.",
        {"operation": "solve_equation", "equation": text},
        number_key(x, variable="x"),
        [
            step(
                f"To get x on its own, undo the {'+' if verb == 'subtract' else MINUS} {a}: "
                f"{verb} {a} on both sides. x = {undo} = {show(x)}.",
                undo,
                show(x),
                operation="inverse",
                operands=(show(c), str(a)),
                place="both sides",
                question=f"What is {undo}?",
            ),
            _check(shown, left, c, x),
        ],
        [
            rule(
                "moves_without_sign_change",
                wrong,
                slips=[slip(0, f"{wrong_step}, keeping the sign of {inverse[2:]}")],
            )
        ],
    )


def one_step_mult(rng: random.Random) -> Draft:
    a, x = rng.randint(2, 12), rng.randint(-10, 15)
    while x == 0:
        x = rng.randint(-10, 15)
    b = a * x
    text = f"{a}x = {show(b)}"
    return draft(
        f"Solve {text}.",
        {"operation": "solve_equation", "equation": text},
        number_key(x, variable="x"),
        [
            step(
                f"{a}x means {a} × x. Undo the × {a}: divide both sides by {a}. "
                f"x = {show(b)} ÷ {a} = {show(x)}.",
                f"{show(b)} ÷ {a}",
                show(x),
                operation="inverse",
                operands=(show(b), str(a)),
                place="both sides",
                question=f"What is {show(b)} ÷ {a}?",
            ),
            _check(text.replace("-", MINUS), f"{a} × {bracket(x)}", b, x),
        ],
        [
            rule(
                "subtracts_coefficient",
                b - a,
                slips=[slip(0, f"x = {show(b)} {MINUS} {a} = {show(b - a)}")],
            ),
            rule(
                "multiplies_by_coefficient",
                a * b,
                slips=[slip(0, f"x = {show(b)} × {a} = {show(a * b)}")],
            ),
        ],
    )


def two_step(rng: random.Random) -> Draft:
    a, x, b = rng.randint(2, 9), rng.randint(-10, 12), rng.randint(1, 20)
    sign = rng.choice("+-")
    c = a * x + b if sign == "+" else a * x - b
    shift = -b if sign == "+" else b
    text = f"{a}x {'+' if sign == '+' else '−'} {b} = {show(c)}"
    undo_op = MINUS if sign == "+" else "+"
    wrong_op = "+" if sign == "+" else MINUS
    middle = c + shift
    return draft(
        f"Solve {text}.",
        {"operation": "solve_equation", "equation": text},
        number_key(x, variable="x"),
        [
            step(
                f"Undo the {'+' if sign == '+' else MINUS} {b} first: "
                f"{'subtract' if sign == '+' else 'add'} {b} on both sides. "
                f"{a}x = {show(c)} {undo_op} {b} = {show(middle)}.",
                f"{show(c)} {undo_op} {b}",
                show(middle),
                operation="inverse",
                operands=(show(c), str(b)),
                place="both sides",
                question=f"What is {show(c)} {undo_op} {b}?",
            ),
            step(
                f"Then undo the × {a}: divide both sides by {a}. "
                f"x = {show(middle)} ÷ {a} = {show(x)}.",
                f"{show(middle)} ÷ {a}",
                show(x),
                operation="inverse",
                operands=(show(middle), str(a)),
                place="both sides",
                question=f"What is {show(middle)} ÷ {a}?",
            ),
        ],
        [
            rule(
                "moves_without_sign_change",
                F(c - shift, a),
                slips=[slip(0, f"{a}x = {show(c)} {wrong_op} {b} = {show(c - shift)}, same sign")],
            ),
            rule(
                "divides_first",
                F(c, a) + shift,
                slips=[slip(0, f"{show(c)} ÷ {a} first, before undoing the {b}")],
            ),
        ],
    )


def two_step_divide(rng: random.Random) -> Draft:
    a, k, b = rng.randint(2, 9), rng.randint(-6, 10), rng.randint(1, 15)
    x = a * k
    c = k + b
    text = f"x/{a} + {b} = {show(c)}"
    return draft(
        f"Solve {text}.",
        {"operation": "solve_equation", "equation": text},
        number_key(x, variable="x"),
        [
            step(
                f"Undo the + {b} first: subtract {b} on both sides. "
                f"x/{a} = {show(c)} {MINUS} {b} = {show(k)}.",
                f"{show(c)} {MINUS} {b}",
                show(k),
                operation="inverse",
                operands=(show(c), str(b)),
                place="both sides",
                question=f"What is {show(c)} {MINUS} {b}?",
            ),
            step(
                f"x/{a} means x ÷ {a}. Undo the ÷ {a}: multiply both sides by {a}. "
                f"x = {bracket(k)} × {a} = {show(x)}.",
                f"{bracket(k)} × {a}",
                show(x),
                operation="inverse",
                operands=(show(k), str(a)),
                place="both sides",
                question=f"What is {bracket(k)} × {a}?",
            ),
        ],
        [
            rule(
                "moves_without_sign_change",
                (c + b) * a,
                slips=[slip(0, f"x/{a} = {show(c)} + {b} = {show(c + b)}, same sign")],
            ),
            rule(
                "divides_first",
                c * a - b,
                slips=[slip(0, f"{show(c)} × {a} = {show(c * a)} first, before undoing the {b}")],
            ),
        ],
    )


FAMILIES = {
    "one_step_add": one_step_add,
    "one_step_mult": one_step_mult,
    "two_step": two_step,
    "two_step_divide": two_step_divide,
}
