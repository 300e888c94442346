"""Errors of the prompt builder: loud, specific, and catchable by kind."""

from __future__ import annotations


class PromptError(Exception):
    """Base of every error `prompts` raises on bad input."""


class MissingFieldError(PromptError, KeyError):
    """A required field of a task format is absent, None or blank."""

    def __init__(self, task: str, field: str) -> None:
        super().__init__(f"task {task!r} needs field {field!r}, which is missing or empty")
        self.task = task
        self.field = field

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0])


class UnknownFieldError(PromptError, KeyError):
    """A field the task format does not know: a typo, or data meant for another task."""

    def __init__(self, task: str, fields: tuple[str, ...], known: tuple[str, ...]) -> None:
        super().__init__(
            f"task {task!r} has no field(s) {', '.join(map(repr, fields))}; "
            f"known: {', '.join(known)}"
        )
        self.task = task
        self.fields = fields

    def __str__(self) -> str:
        return str(self.args[0])


class FieldValueError(PromptError, ValueError):
    """A field is present but of the wrong type or out of range (e.g. hint level 4)."""


class BudgetError(PromptError, ValueError):
    """The token budget cannot hold the task's own fields, even with all context dropped."""
