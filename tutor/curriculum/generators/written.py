"""Written methods as step traces: the column work, lists and rewritings a teacher puts on
the board, each step with its numbers (see `SolutionStep`).

Every builder returns the steps and, for the misconceptions it knows, where a wrong rule
leaves the trace (`StepSlip`), so a generator's rules and its trace are built from the same
numbers. Text uses proper notation: ×, ÷, − (U+2212) and a/b.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

from tutor.curriculum.generators.base import dec, frac, step
from tutor.curriculum.model import SolutionStep, StepSlip

MINUS = "−"
PLACES = ("ones", "tens", "hundreds", "thousands", "ten thousands", "hundred thousands", "millions")
UNITS = ("one", "ten", "hundred", "thousand", "ten thousand", "hundred thousand", "million")
LIST_CAP = 10  # multiples or factors shown before "…"


def show(value: Fraction | int) -> str:
    """A number as a child reads it: '−3', '3/4', '5' (a true minus sign)."""
    return frac(value).replace("-", MINUS)


def show_dec(value: Fraction | int) -> str:
    return dec(value).replace("-", MINUS)


def bracket(value: Fraction | int) -> str:
    """'(−3)' for a negative number inside a sum, else the number."""
    return f"({show(value)})" if value < 0 else show(value)


def slip(step_index: int, student_step: str, *also: str) -> StepSlip:
    """A StepSlip whose numbers are those in the student's step, then `also` (the right ones)."""
    found = re.findall(r"\d+(?:\.\d+)?(?:/\d+)?", student_step)
    numbers = tuple(dict.fromkeys([*found, *also]))
    return StepSlip(step_index, student_step, numbers)


def sup(n: int) -> str:
    """An exponent as superscript digits: 3 -> '³'."""
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def digits(n: int) -> list[int]:
    """Digits from the ones column up."""
    return [int(c) for c in reversed(str(n))]


def column(i: int, labels: tuple[str, ...] = PLACES) -> str:
    return f"{labels[i]} column"


@dataclass(frozen=True)
class Trace:
    """Steps of a written method, and where named wrong rules leave it."""

    steps: tuple[SolutionStep, ...]
    slips: dict[str, StepSlip]

    def after(self, *first: SolutionStep) -> Trace:
        """The same trace with `first` steps put before it (slips re-indexed)."""
        moved = {
            k: StepSlip(v.step_index + len(first), v.student_step, v.numbers)
            for k, v in self.slips.items()
        }
        return Trace((*first, *self.steps), moved)


def column_addition(
    a: int,
    b: int,
    *,
    labels: tuple[str, ...] = PLACES,
    units: tuple[str, ...] = UNITS,
    shown: tuple[str, str] | None = None,
) -> Trace:
    """Column addition from the ones up, one step per column, carrying tens.

    `labels` / `units` name the columns (hundredths, tenths, ones… for decimals scaled to
    whole numbers); `shown` is how the two numbers are displayed in the last step.

    Slip `forgets_carry`: the first column that should add a carried 1 but does not (or, when
    only the top column carries, the top column where the carried 1 is dropped).
    """
    top, bottom = digits(a), digits(b)
    width = max(len(top), len(bottom))
    top += [0] * (width - len(top))
    bottom += [0] * (width - len(bottom))
    steps: list[SolutionStep] = []
    slips: dict[str, StepSlip] = {}
    carry = 0
    for i in range(width):
        x, y = top[i], bottom[i]
        total = x + y + carry
        parts = [str(x), str(y)] + (["1"] if carry else [])
        expression = " + ".join(parts)
        last = i == width - 1
        if carry and "forgets_carry" not in slips:
            slips["forgets_carry"] = StepSlip(
                len(steps), f"{x} + {y} = {x + y}", (str(x), str(y), str(x + y), str(total))
            )
        name = column(i, labels).capitalize()
        carried = f" (with the 1 carried from the {labels[i - 1]})" if carry else ""
        if total >= 10 and not last:
            text = (
                f"{name}: {expression} = {total}{carried}. Write {total % 10} and carry 1 "
                f"{units[i + 1]} to the {column(i + 1, labels)}."
            )
        else:
            text = f"{name}: {expression} = {total}{carried}. Write {total}."
        steps.append(
            step(
                text,
                expression,
                str(total),
                operation="carry" if total >= 10 and not last else "add",
                operands=tuple(parts),
                place=column(i, labels),
                question=f"What is {expression} in the {column(i, labels)}?",
            )
        )
        if total >= 10 and last and "forgets_carry" not in slips:
            slips["forgets_carry"] = StepSlip(
                len(steps) - 1,
                f"{expression} = {total}, writing only {total % 10}",
                (*parts, str(total), str(total % 10)),
            )
        carry = 1 if total >= 10 else 0
    a_text, b_text = shown or (str(a), str(b))
    total_shown = str(a + b) if shown is None else _scaled_like(a + b, a_text, b_text)
    steps.append(
        step(
            f"So {a_text} + {b_text} = {total_shown}.",
            f"{a_text} + {b_text}",
            total_shown,
            operation="answer",
        )
    )
    return Trace(tuple(steps), slips)


def _scaled_like(n: int, *shown: str) -> str:
    """n written with as many decimal places as the shown numbers have."""
    places = max((len(t.split(".")[1]) if "." in t else 0) for t in shown)
    return dec(Fraction(n, 10**places))


def column_subtraction(
    a: int,
    b: int,
    *,
    labels: tuple[str, ...] = PLACES,
    units: tuple[str, ...] = UNITS,
    shown: tuple[str, str] | None = None,
) -> Trace:
    """Column subtraction from the ones up, one step per column, borrowing when the top digit
    is smaller (across zeros when the next digit is 0), in the numbers after each borrow.

    Slip `smaller_from_larger`: the first column that needs a borrow, where the student takes
    the smaller digit from the larger instead.
    """
    top, bottom = digits(a), digits(b)
    bottom += [0] * (len(top) - len(bottom))
    work = list(top)
    steps: list[SolutionStep] = []
    slips: dict[str, StepSlip] = {}
    for i in range(len(top)):
        x, y = work[i], bottom[i]
        name = column(i, labels).capitalize()
        if x < y:
            lender = next(j for j in range(i + 1, len(work)) if work[j] > 0)
            before = work[lender]
            work[lender] -= 1
            for k in range(i + 1, lender):
                work[k] = 9
            work[i] += 10
            top_now = work[i]
            if lender == i + 1:
                how = (
                    f"borrow 1 {units[i + 1]} from the {column(i + 1, labels)} "
                    f"({before} becomes {before - 1})"
                )
            else:
                zeros = " and ".join(f"the {labels[k]}" for k in range(i + 1, lender))
                how = (
                    f"{zeros} {'has' if lender == i + 2 else 'have'} nothing to lend, so borrow "
                    f"from the {column(lender, labels)} ({before} becomes {before - 1}) and "
                    "every 0 in between becomes 9"
                )
            text = (
                f"{name}: {x} is smaller than {y}, so {how}. "
                f"Now {top_now} {MINUS} {y} = {top_now - y}."
            )
            if "smaller_from_larger" not in slips:
                slips["smaller_from_larger"] = StepSlip(
                    len(steps),
                    f"{y} {MINUS} {x} = {y - x}",
                    (str(y), str(x), str(y - x), str(top_now), str(top_now - y)),
                )
            operation = "borrow"
        else:
            top_now = x
            after = f" (the {top[i]} is {x} after lending 1)" if x != top[i] else ""
            text = f"{name}: {x} {MINUS} {y} = {x - y}{after}."
            operation = "subtract"
        expression = f"{top_now} {MINUS} {y}"
        steps.append(
            step(
                text,
                expression,
                str(top_now - y),
                operation=operation,
                operands=(str(top_now), str(y)),
                place=column(i, labels),
                question=f"What is {expression} in the {column(i, labels)}?",
            )
        )
    a_text, b_text = shown or (str(a), str(b))
    difference = str(a - b) if shown is None else _scaled_like(a - b, a_text, b_text)
    steps.append(
        step(
            f"So {a_text} {MINUS} {b_text} = {difference}.",
            f"{a_text} {MINUS} {b_text}",
            difference,
            operation="answer",
        )
    )
    return Trace(tuple(steps), slips)


def listed(values: list[int]) -> str:
    """'6, 12, 18' or, for a long list, its first few and last two with '…'."""
    if len(values) <= LIST_CAP:
        return ", ".join(map(str, values))
    return ", ".join(map(str, values[: LIST_CAP - 3])) + ", …, " + ", ".join(map(str, values[-2:]))


def multiples_list(n: int, upto: int) -> list[int]:
    return list(range(n, upto + 1, n))


def factors_of(n: int) -> list[int]:
    return [k for k in range(1, n + 1) if n % k == 0]


def lcm_steps(a: int, b: int) -> Trace:
    """The lowest common multiple by listing multiples of each number up to the first one in
    both lists (and one more, so the list visibly goes on).

    Slips `gives_product` (a × b) and `gives_gcd` (a common factor), both on the last step.
    """
    m = a * b // math.gcd(a, b)
    steps = [
        step(
            f"Multiples of {a}: {listed(multiples_list(a, m + a))} and so on.",
            operation="multiples",
            operands=(str(a),),
        ),
        step(
            f"Multiples of {b}: {listed(multiples_list(b, m + b))} and so on.",
            operation="multiples",
            operands=(str(b),),
        ),
        step(
            f"The first number in both lists is {m} = {a} × {m // a} = {b} × {m // b}.",
            f"{a} × {m // a}",
            str(m),
            operation="common_multiple",
            operands=(str(a), str(b)),
            question=f"Which is the first number in both lists of multiples of {a} and {b}?",
        ),
    ]
    g = math.gcd(a, b)
    last = len(steps) - 1
    slips = {
        "gives_product": StepSlip(
            last, f"{a} × {b} = {a * b}", (str(a), str(b), str(a * b), str(m))
        ),
        "gives_gcd": StepSlip(
            last,
            f"{g}, a number that divides both {a} and {b}",
            (str(g), str(a), str(b), str(m)),
        ),
    }
    return Trace(tuple(steps), slips)


def gcd_steps(a: int, b: int) -> Trace:
    """The greatest common factor by listing the factors of each number.

    Slips `gives_lcm` and `smaller_number`, both on the last step.
    """
    g = math.gcd(a, b)
    common = [k for k in factors_of(a) if b % k == 0]
    steps = [
        step(f"Factors of {a}: {listed(factors_of(a))}.", operation="factors", operands=(str(a),)),
        step(f"Factors of {b}: {listed(factors_of(b))}.", operation="factors", operands=(str(b),)),
        step(
            f"The factors in both lists are {', '.join(map(str, common))}; the largest is {g}: "
            f"{a} = {g} × {a // g} and {b} = {g} × {b // g}.",
            f"{a} ÷ {a // g}",
            str(g),
            operation="common_factor",
            operands=(str(a), str(b)),
            question=f"Which is the largest number in both lists of factors of {a} and {b}?",
        ),
    ]
    last = len(steps) - 1
    small, large = min(a, b), max(a, b)
    slips = {
        "gives_lcm": StepSlip(
            last,
            f"{a * b // g}, a number that both {a} and {b} divide",
            (str(a * b // g), str(a), str(b), str(g)),
        ),
        "smaller_number": StepSlip(
            last,
            f"{small}, but {large} ÷ {small} is not a whole number",
            (str(small), str(large), str(g)),
        ),
    }
    return Trace(tuple(steps), slips)


def simplify_step(top: int, bottom: int) -> SolutionStep | None:
    """'Simplify: divide top and bottom by g' for top/bottom, or None when it is in lowest
    terms (a whole-number result is written whole: 12/4 = 3)."""
    value = Fraction(top, bottom)
    g = math.gcd(top, bottom)
    if g == 1:
        return None
    return step(
        f"Simplify: divide top and bottom by {g}: {top}/{bottom} = {frac(value)}.",
        f"{top}/{bottom}",
        frac(value),
        operation="simplify",
        operands=(f"{top}/{bottom}", str(g)),
        question=f"What is {top}/{bottom} in its simplest form?",
    )


def unlike_fractions(a: int, b: int, c: int, d: int, sign: str) -> Trace:
    """a/b ± c/d over the lowest common denominator: find it, rewrite each fraction that
    changes, add or subtract the numerators, simplify.

    Slips: `add_denominators` / `subtract_denominators` (the denominator step: b ± d),
    `multiplies_denominators_only` (the first rewrite: the top not scaled).
    """
    symbol = "+" if sign == "+" else MINUS
    m = b * d // math.gcd(b, d)
    x, y = a * m // b, c * m // d
    steps: list[SolutionStep] = []
    if m in (b, d):
        other = d if m == b else b
        why = f"{m} is already a multiple of {other}: {other} × {m // other} = {m}"
        expression = f"{other} × {m // other}"
    else:
        why = (
            f"the first number in both lists of multiples is {m} = {b} × {m // b} = {d} × {m // d}"
        )
        expression = f"{b} × {m // b}"
    steps.append(
        step(
            f"Find a common denominator of {b} and {d}: {why}.",
            expression,
            str(m),
            operation="common_denominator",
            operands=(str(b), str(d)),
            place="denominator",
            question=f"What is the lowest common multiple of {b} and {d}?",
        )
    )
    rewrites: list[int] = []
    for n, q, new in ((a, b, x), (c, d, y)):
        if q == m:
            continue
        k = m // q
        rewrites.append(len(steps))
        steps.append(
            step(
                f"Write {n}/{q} over {m}: multiply top and bottom by {k}: "
                f"{n} × {k} = {new}, so {n}/{q} = {new}/{m}.",
                f"{n} × {k}",
                str(new),
                operation="rewrite",
                operands=(f"{n}/{q}", str(m)),
                place="numerator",
                question=f"{n}/{q} = ?/{m}. What is the new numerator?",
            )
        )
    total = x + y if sign == "+" else x - y
    verb = "Add" if sign == "+" else "Subtract"
    steps.append(
        step(
            f"{verb} the numerators and keep the denominator {m}: "
            f"{x}/{m} {symbol} {y}/{m} = {total}/{m}.",
            f"{x}/{m} {symbol} {y}/{m}",
            f"{total}/{m}",
            operation="add" if sign == "+" else "subtract",
            operands=(str(x), str(y)),
            place="numerator",
            question=f"What is {x} {symbol} {y}?",
        )
    )
    if (simplified := simplify_step(total, m)) is not None:
        steps.append(simplified)
    slips = {
        "add_denominators" if sign == "+" else "subtract_denominators": StepSlip(
            0,
            f"{b} {symbol} {d} = {show(b + d if sign == '+' else b - d)} as the denominator",
            (str(b), str(d), show(b + d if sign == "+" else b - d), str(m)),
        )
    }
    first = rewrites[0]
    n, q = (a, b) if b != m else (c, d)
    slips["multiplies_denominators_only"] = StepSlip(
        first,
        f"{n}/{q} = {n}/{b * d}: the bottom multiplied by {b * d // q} but not the top",
        (f"{n}/{q}", str(n), str(b * d), str(n * (b * d // q))),
    )
    return Trace(tuple(steps), slips)


__all__ = [
    "MINUS",
    "PLACES",
    "Trace",
    "bracket",
    "column",
    "column_addition",
    "column_subtraction",
    "digits",
    "gcd_steps",
    "lcm_steps",
    "listed",
    "show",
    "show_dec",
    "simplify_step",
    "slip",
    "sup",
    "unlike_fractions",
]
