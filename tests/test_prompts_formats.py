"""The format registry: every task is there, versioned, with its decoding set in one place."""

from __future__ import annotations

import pytest

from prompts import END_MARKER, FORMAT_VERSIONS, FORMATS, TASKS, TaskFormat, get_format
from prompts.fields import FIELDS

EXPECTED = {
    "explain": (("skill_name", "statement", "solution_steps", "answer"), ("focus",)),
    "hint": (
        ("skill_name", "statement", "level"),
        ("student_answer", "misconception", "similar_example"),
    ),
    "feedback": (("skill_name", "statement", "student_answer"), ("misconception",)),
    "exercise": (("skill_name", "spec"), ()),
    "answer": (("question",), ("skill_name", "statement")),
    "summary": (
        (
            "student_name",
            "skills_practised",
            "accuracy",
            "misconceptions",
            "hints_used",
            "minutes",
        ),
        (),
    ),
}


def test_every_task_has_a_format_with_the_agreed_fields() -> None:
    assert set(FORMATS) == set(EXPECTED) == set(TASKS)
    for name, (required, optional) in EXPECTED.items():
        fmt = FORMATS[name]
        assert (fmt.name, fmt.required, fmt.optional) == (name, required, optional)
        assert all(f in FIELDS for f in fmt.fields)


def test_versions_are_published_per_task() -> None:
    assert dict(FORMAT_VERSIONS) == {name: f.version for name, f in FORMATS.items()}
    assert all(v >= 1 for v in FORMAT_VERSIONS.values())


@pytest.mark.parametrize("task", sorted(EXPECTED))
def test_decoding_stops_at_the_end_marker_and_adapter_defaults_to_the_task(task: str) -> None:
    fmt = get_format(task)
    assert END_MARKER in fmt.decoding.stop
    assert fmt.adapter == task
    assert fmt.instruction


@pytest.mark.parametrize("task", ["hint", "feedback"])
def test_the_answer_is_not_a_field_of_hint_or_feedback(task: str) -> None:
    assert "answer" not in get_format(task).fields


def test_unknown_task_is_a_key_error_naming_the_known_ones() -> None:
    with pytest.raises(KeyError, match="explain.*summary"):
        get_format("poem")


def test_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        FORMATS["poem"] = FORMATS["hint"]  # type: ignore[index]


def test_a_format_refuses_an_unknown_field_kind_or_a_duplicate() -> None:
    with pytest.raises(ValueError, match="no field kind"):
        TaskFormat(name="x", version=1, required=("colour",))
    with pytest.raises(ValueError, match="twice"):
        TaskFormat(name="x", version=1, required=("question",), optional=("question",))
