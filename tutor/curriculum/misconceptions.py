"""The named misconceptions generators predict: one catalogue, so names and student-facing
descriptions read the same everywhere (feedback, teacher reports, training data).

A description completes "It looks like you ...".
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from types import MappingProxyType

import sympy

from tutor.curriculum.model import MisconceptionRule, StepSlip

CATALOGUE = MappingProxyType(
    {
        # whole numbers
        "face_value": ("Face value for place value", "gave the digit itself, not its value"),
        "wrong_place": ("Wrong place", "counted the places from the wrong end or one off"),
        "rounds_down": ("Always rounds down", "cut the digits off instead of rounding"),
        "forgets_carry": ("Forgets to carry", "did not carry the extra ten to the next column"),
        "smaller_from_larger": (
            "Smaller from larger digit",
            "took the smaller digit from the larger one in each column instead of borrowing",
        ),
        "adds_instead": ("Adds instead", "added instead of doing the operation asked"),
        "multiplies_instead": ("Multiplies instead", "multiplied instead of dividing"),
        "subtracts_instead": ("Subtracts instead", "subtracted instead of dividing"),
        "gives_quotient": (
            "Quotient for remainder",
            "gave how many times it goes in, not what is left",
        ),
        "gives_product": (
            "Product for multiple",
            "multiplied the numbers, which is a multiple but not the lowest",
        ),
        "gives_gcd": ("Factor for multiple", "found a common factor instead of a common multiple"),
        "gives_lcm": ("Multiple for factor", "found a common multiple instead of a common factor"),
        "smaller_number": (
            "Smaller number",
            "took the smaller number as the greatest common factor",
        ),
        "base_times_exponent": ("Base times exponent", "multiplied the base by the exponent"),
        # order of operations
        "left_to_right": (
            "Left to right",
            "worked left to right, ignoring that x and / come before + and -",
        ),
        "ignores_brackets": ("Ignores brackets", "did not work out the brackets first"),
        # fractions
        "adds_same_to_both": (
            "Adds to top and bottom",
            "added the same number to top and bottom, which changes the fraction's size",
        ),
        "divides_numerator_only": ("Divides one part", "divided only the numerator"),
        "larger_denominator_larger": (
            "Larger denominator is larger",
            "thought a bigger denominator makes a bigger fraction",
        ),
        "add_denominators": (
            "Adds denominators",
            "added the denominators as well as the numerators",
        ),
        "subtract_denominators": (
            "Subtracts denominators",
            "subtracted the denominators as well as the numerators",
        ),
        "multiplies_denominators_only": (
            "Multiplies denominators only",
            "multiplied the denominators but added the numerators without scaling them",
        ),
        "keeps_denominator": (
            "Keeps the denominator",
            "multiplied the numerators but kept the denominator",
        ),
        "multiplies_instead_of_dividing": (
            "Forgets to flip",
            "multiplied the fractions instead of multiplying by the reciprocal",
        ),
        "flips_first": (
            "Flips the wrong fraction",
            "flipped the first fraction instead of the second",
        ),
        "mixed_parts_separately": (
            "Mixed parts separately",
            "added the whole numbers and then added the fractions' tops and bottoms",
        ),
        "divides_by_numerator": (
            "Wrong fraction step",
            "divided by the numerator and multiplied by the denominator",
        ),
        # decimals
        "longer_is_larger": ("Longer is larger", "thought the decimal with more digits is larger"),
        "tenths_hundredths": (
            "Tenths and hundredths",
            "mixed up the tenths and the hundredths place",
        ),
        "aligns_right": (
            "Lines up the right ends",
            "lined up the last digits instead of the decimal points",
        ),
        "decimal_places": ("Decimal places", "put the point in the wrong place in the product"),
        "divides_wrong_way": ("Divides the wrong way", "divided the second number by the first"),
        "misplaced_point": ("Misplaced point", "put the decimal point in the wrong place"),
        "digits_as_decimal": (
            "Digits as a decimal",
            "wrote the numerator and denominator as a decimal's digits",
        ),
        "wrong_power_of_ten": (
            "Wrong power of ten",
            "used the wrong power of ten for the denominator",
        ),
        # percentages
        "percent_as_decimal": ("Percent as decimal", "moved the decimal point only one place"),
        "percent_as_whole": (
            "Percent as a number",
            "used the percentage as a whole number instead of out of 100",
        ),
        "divides_by_percent": (
            "Divides by the percent",
            "divided by the percentage instead of finding a part",
        ),
        "divides_by_new": (
            "Divides by the new value",
            "divided the change by the new value, not the original",
        ),
        "change_as_percent": ("Change as percent", "gave the change itself as the percentage"),
        "fraction_digits_percent": (
            "Digits as a percent",
            "wrote the numerator and denominator side by side as a percentage",
        ),
        "decimal_for_percent": (
            "Decimal for percent",
            "gave the decimal instead of the percentage",
        ),
        # ratios
        "reversed_ratio": ("Reversed ratio", "wrote the ratio in the other order"),
        "shares_equally": ("Shares equally", "shared equally instead of in the ratio"),
        "divides_by_part": ("Divides by a part", "divided the total by one part of the ratio"),
        # negative numbers
        "sign_error": ("Sign error", "lost track of a minus sign"),
        "double_negative": ("Double negative", "treated subtracting a negative as subtracting"),
        "sign_rule": (
            "Sign rule",
            "used the wrong sign rule for multiplying or dividing negatives",
        ),
        # equations
        "moves_without_sign_change": (
            "Moves a term without changing its sign",
            "moved a term to the other side without changing its sign",
        ),
        "subtracts_coefficient": (
            "Subtracts the coefficient",
            "subtracted the number in front of x instead of dividing",
        ),
        "multiplies_by_coefficient": (
            "Multiplies by the coefficient",
            "multiplied by the number in front of x instead of dividing",
        ),
        "divides_first": (
            "Divides first",
            "multiplied or divided only one term instead of the whole side",
        ),
        # fixed items
        "ignores_question": (
            "Answers another question",
            "answered a different question from the one asked",
        ),
    }
)


def rule(
    misconception_id: str,
    *answers: sympy.Basic | Fraction | int,
    slips: Iterable[StepSlip | None] = (),
) -> MisconceptionRule:
    """A catalogued misconception predicting these wrong answers (exact values), with the
    step each answer departs at (`slips`, one per answer) when the generator replayed it."""
    name, description = CATALOGUE[misconception_id]
    slips = tuple(slips)
    if slips and len(slips) != len(answers):
        raise ValueError(f"{misconception_id}: {len(answers)} answers but {len(slips)} slips")
    return MisconceptionRule(
        misconception_id, name, description, tuple(_exact(a) for a in answers), slips
    )


def _exact(value: sympy.Basic | Fraction | int | Iterable[Fraction | int]) -> sympy.Basic:
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, tuple):
        return sympy.Tuple(*(_exact(v) for v in value))
    return value  # a sympy object already
