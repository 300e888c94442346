"""The kinds of field a task format takes: how each is checked and how it is written out.

A field's kind decides three things: what values are accepted (a hint level is 1, 2 or 3; a
list of steps is a sequence of strings, not one string), how the value is cleaned (every text
goes through `clean_student_text`, so no field can forge a section), and whether it is
delimited as student-originated text. Checking happens once, in `normalise_fields`, and
everything downstream (prompt and fallback) reads the normalised values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

from prompts.errors import FieldValueError, MissingFieldError, UnknownFieldError
from prompts.markers import STUDENT_CLOSE, STUDENT_OPEN
from prompts.sanitize import clean_student_text

MAX_FIELD_CHARS = 4000  # one field longer than this is an error, not a prompt


class Kind(Enum):
    TEXT = "text"  # trusted text from code or content (statement, skill name)
    STUDENT = "student"  # student-originated text: cleaned and delimited
    LINES = "lines"  # a sequence of strings (solution steps, skills)
    LEVEL = "level"  # hint level: 1, 2 or 3
    COUNT = "count"  # a non-negative int
    NUMBER = "number"  # a non-negative int or float
    RATIO = "ratio"  # a float in [0, 1] or a preformatted string
    SPEC = "spec"  # Mapping[str, object], rendered as sorted "key: value" lines


@dataclass(frozen=True)
class FieldSpec:
    """How one field is labelled in the prompt and what kind of value it holds."""

    label: str
    kind: Kind


FIELDS: Mapping[str, FieldSpec] = MappingProxyType(
    {
        "skill_name": FieldSpec("Skill", Kind.TEXT),
        "statement": FieldSpec("Exercise", Kind.TEXT),
        "solution_steps": FieldSpec("Solution steps", Kind.LINES),
        "answer": FieldSpec("Answer", Kind.TEXT),
        "focus": FieldSpec("Focus", Kind.TEXT),
        "level": FieldSpec("Hint level", Kind.LEVEL),
        "student_answer": FieldSpec("Student answer", Kind.STUDENT),
        "misconception": FieldSpec("Misconception", Kind.TEXT),
        "similar_example": FieldSpec("Similar worked example", Kind.TEXT),
        "spec": FieldSpec("Spec", Kind.SPEC),
        "question": FieldSpec("Student question", Kind.STUDENT),
        "student_name": FieldSpec("Student", Kind.TEXT),
        "skills_practised": FieldSpec("Skills practised", Kind.LINES),
        "accuracy": FieldSpec("Accuracy", Kind.RATIO),
        "misconceptions": FieldSpec("Misconceptions", Kind.LINES),
        "hints_used": FieldSpec("Hints used", Kind.COUNT),
        "minutes": FieldSpec("Minutes", Kind.NUMBER),
    }
)

Value = str | int | float | tuple[str, ...] | tuple[tuple[str, str], ...]


def lines_value(value: Value) -> tuple[str, ...]:
    """A normalised LINES field's items (`normalise_value` made it a tuple of str)."""
    if isinstance(value, tuple):
        items = tuple(item for item in value if isinstance(item, str))
        if len(items) == len(value):
            return items
    raise TypeError(f"not a normalised LINES value: {value!r}")


def spec_value(value: Value) -> tuple[tuple[str, str], ...]:
    """A normalised SPEC field's sorted (key, value) pairs."""
    if isinstance(value, tuple):
        pairs = tuple(item for item in value if isinstance(item, tuple))
        if len(pairs) == len(value):
            return pairs
    raise TypeError(f"not a normalised SPEC value: {value!r}")


def number_value(value: Value) -> int | float:
    """A normalised LEVEL, COUNT or NUMBER field."""
    if isinstance(value, int | float):
        return value
    raise TypeError(f"not a normalised number: {value!r}")


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(task: str, name: str, value: object) -> str:
    if not isinstance(value, str):
        raise FieldValueError(f"{task}.{name} must be a str, got {type(value).__name__}")
    if len(value) > MAX_FIELD_CHARS:
        raise FieldValueError(f"{task}.{name} is {len(value)} chars; at most {MAX_FIELD_CHARS}")
    cleaned = clean_student_text(value)
    if not cleaned:
        raise MissingFieldError(task, name)
    return cleaned


def _lines(task: str, name: str, value: object, *, allow_empty: bool) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise FieldValueError(
            f"{task}.{name} must be a sequence of str, not {type(value).__name__}"
        )
    items = tuple(_text(task, name, item) for item in value if not _is_blank(item))
    if not items and not allow_empty:
        raise MissingFieldError(task, name)
    return items


def format_number(value: int | float) -> str:
    """A number as a person writes it: 2.0 -> "2", 0.25 -> "0.25", no float noise."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise FieldValueError(f"number must be finite, got {value!r}")
        if value.is_integer():
            return str(int(value))
        return f"{value:.6g}"
    return str(value)


def _natural_key(key: str) -> tuple[object, ...]:
    """Sort "n2" before "n10": digits compare as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", key))


def _spec_value(task: str, key: str, value: object) -> str:
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, str):
        return " ".join(clean_student_text(value).split())
    if isinstance(value, Sequence):
        return ", ".join(_spec_value(task, key, v) for v in value)
    if isinstance(value, Mapping):
        raise FieldValueError(f"{task}.spec[{key!r}]: nested mappings are not supported")
    return " ".join(clean_student_text(str(value)).split())  # Fraction, Decimal, ...


def _spec(task: str, value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping) or not value:
        raise FieldValueError(f"{task}.spec must be a non-empty mapping of str to values")
    pairs = []
    for key, item in value.items():
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ ]*", key):
            raise FieldValueError(f"{task}.spec key {key!r} must be a plain name")
        if _is_blank(item):
            raise FieldValueError(f"{task}.spec[{key!r}] is empty")
        pairs.append((key, _spec_value(task, key, item)))
    return tuple(sorted(pairs, key=lambda kv: _natural_key(kv[0])))


def _level(task: str, value: object) -> int:
    if isinstance(value, bool) or value not in (1, 2, 3) or not isinstance(value, int):
        raise FieldValueError(f"{task}.level must be 1, 2 or 3, got {value!r}")
    return value


def _number(task: str, name: str, value: object, *, integer: bool) -> int | float:
    ok_types = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, ok_types):
        want = "an int" if integer else "a number"
        raise FieldValueError(f"{task}.{name} must be {want}, got {value!r}")
    if value < 0 or (isinstance(value, float) and not math.isfinite(value)):
        raise FieldValueError(f"{task}.{name} must be finite and non-negative, got {value!r}")
    return value


def _ratio(task: str, name: str, value: object) -> float | str:
    if isinstance(value, str):
        return _text(task, name, value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise FieldValueError(f"{task}.{name} must be a number in [0, 1] or a str, got {value!r}")
    return float(value)


def normalise_value(task: str, name: str, value: object) -> Value:
    """Check one present, non-blank value and return its cleaned, immutable form."""
    kind = FIELDS[name].kind
    if kind in (Kind.TEXT, Kind.STUDENT):
        return _text(task, name, value)
    if kind is Kind.LINES:
        return _lines(task, name, value, allow_empty=name == "misconceptions")
    if kind is Kind.LEVEL:
        return _level(task, value)
    if kind is Kind.COUNT:
        return _number(task, name, value, integer=True)
    if kind is Kind.NUMBER:
        return _number(task, name, value, integer=False)
    if kind is Kind.RATIO:
        return _ratio(task, name, value)
    return _spec(task, value)


def normalise_fields(
    task: str, fields: Mapping[str, object], *, required: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, Value]:
    """Check `fields` against a format; return cleaned values in the format's field order.

    Raises `UnknownFieldError` for names the format lacks, `MissingFieldError` for a required
    field that is absent, None or blank, and `FieldValueError` for a wrong type or range.
    Optional fields that are None or blank are left out.
    """
    if not isinstance(fields, Mapping):
        raise FieldValueError(f"fields for {task!r} must be a mapping, got {type(fields).__name__}")
    known = required + optional
    unknown = tuple(sorted(k for k in fields if k not in known))
    if unknown:
        raise UnknownFieldError(task, unknown, known)
    out: dict[str, Value] = {}
    for name in known:
        value = fields.get(name)
        if _is_blank(value):
            if name in required:
                raise MissingFieldError(task, name)
            continue
        out[name] = normalise_value(task, name, value)
    return out


def delimit_student(text: str) -> str:
    """Wrap cleaned student text so the model (and a reader) sees where it starts and ends."""
    return f"{STUDENT_OPEN}{text}{STUDENT_CLOSE}"


def render_field(name: str, value: Value) -> str:
    """The prompt lines of one normalised field: "Label: value" or a labelled block."""
    spec = FIELDS[name]
    if spec.kind is Kind.STUDENT:
        return f"{spec.label}: {delimit_student(str(value))}"
    if spec.kind is Kind.LINES:
        lines = lines_value(value)
        items = "\n".join(f"- {item}" for item in lines) if lines else "- none"
        return f"{spec.label}:\n{items}"
    if spec.kind is Kind.SPEC:
        return f"{spec.label}:\n" + "\n".join(f"{k}: {v}" for k, v in spec_value(value))
    if spec.kind is Kind.RATIO and isinstance(value, float):
        return f"{spec.label}: {round(value * 100)}%"
    if isinstance(value, int | float):
        return f"{spec.label}: {format_number(value)}"
    return f"{spec.label}: {value}"
