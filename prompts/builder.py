"""THE function that turns a task, its fields and a learner context into prompt text.

Training data (`training_example`, with a target) and inference requests (`build_request`,
without) both go through `render`, so a format changed here changes both (DESIGN.md,
principle 2). The prompt is a fixed sequence of sections:

    ### Task: hint (v1)          <- task name, format version, one-line instruction
    ### Learner                  <- grade, style, mastery, mistakes, misconceptions (droppable)
    ### Conversation             <- recent turns, oldest first (dropped first)
    ### Input                    <- the task's own fields (never dropped)
    ### Response                 <- the model writes from here; a completion ends "\\n### End"

To fit a token budget the builder drops the oldest turns first, then learner lines from the
least important (mastery) to the most (grade); the task's own fields are never cut, and if
they alone do not fit, `BudgetError` is raised rather than a truncated prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from prompts.context import LearnerContext, Turn
from prompts.errors import BudgetError, FieldValueError
from prompts.fallbacks import TEMPLATES
from prompts.fields import Value, delimit_student, format_number, normalise_fields, render_field
from prompts.formats import TaskFormat, get_format
from prompts.markers import (
    CONVERSATION_SECTION,
    END_MARKER,
    EXERCISE_SECTION,
    LEARNER_SECTION,
    RESPONSE_SECTION,
    ROLE_LABELS,
    TASK_SECTION,
    section,
)
from prompts.request import GenerationRequest
from prompts.sanitize import clean_student_text

TokenCounter = Callable[[str], int]

# Learner lines in the order they are dropped to fit a budget: least important first.
DROP_ORDER = ("mastery", "recent_mistakes", "misconceptions", "style", "grade")
_LEARNER_ORDER = ("grade", "style", "mastery", "recent_mistakes", "misconceptions")


@dataclass(frozen=True)
class Rendered:
    """A rendered prompt (and, for training, its completion) with what was dropped to fit."""

    prompt: str
    completion: str | None
    dropped_turns: int
    task: str
    version: int
    dropped_context: tuple[str, ...] = ()  # learner lines dropped, by name (see DROP_ORDER)

    @property
    def text(self) -> str:
        """Prompt and completion as one training text."""
        return self.prompt + (self.completion or "")


@dataclass(frozen=True)
class BuiltRequest:
    """An inference request, and how many of the oldest turns were dropped to fit the budget."""

    request: GenerationRequest
    dropped_turns: int


@dataclass(frozen=True)
class TrainingExample:
    """One supervised example: the model learns to write `completion` after `prompt`."""

    task: str
    version: int
    prompt: str
    completion: str


@dataclass(frozen=True)
class _Parts:
    header: str
    learner: tuple[tuple[str, str], ...]  # (name, line), in prompt order
    turns: tuple[str, ...]  # rendered turn lines, oldest first
    task_block: str

    def assemble(self) -> str:
        blocks = [self.header]
        if self.learner:
            blocks.append("\n".join([section(LEARNER_SECTION), *(ln for _, ln in self.learner)]))
        if self.turns:
            blocks.append("\n".join([section(CONVERSATION_SECTION), *self.turns]))
        blocks.append(self.task_block)
        blocks.append(section(RESPONSE_SECTION))
        return "\n".join(blocks) + "\n"


def _learner_lines(context: LearnerContext) -> tuple[tuple[str, str], ...]:
    lines: dict[str, str] = {}
    if context.grade_level is not None:
        lines["grade"] = f"Grade: {context.grade_level}"
    lines["style"] = f"Style: {context.style}"
    if context.mastery:
        shown = ", ".join(
            f"{clean_student_text(skill)} {round(p * 100)}%" for skill, p in context.mastery
        )
        lines["mastery"] = f"Mastery: {shown}"
    for name, label in (
        ("recent_mistakes", "Recent mistakes"),
        ("misconceptions", "Misconceptions"),
    ):
        items = [c for c in (clean_student_text(v) for v in getattr(context, name)) if c]
        if items:
            lines[name] = f"{label}: " + "; ".join(items)
    return tuple((name, lines[name]) for name in _LEARNER_ORDER if name in lines)


def _turn_line(turn: Turn) -> str | None:
    """One turn as a prompt line; student text cleaned and delimited, tutor text cleaned."""
    text = clean_student_text(turn.text)
    if not text:
        return None
    shown = delimit_student(text) if turn.role == "student" else text
    return f"{ROLE_LABELS[turn.role]}: {shown}"


def _parts(fmt: TaskFormat, values: Mapping[str, Value], context: LearnerContext) -> _Parts:
    header = f"{section(TASK_SECTION)}: {fmt.name} (v{fmt.version})\n{fmt.instruction}"
    task_block = "\n".join(
        [section(EXERCISE_SECTION), *(render_field(n, v) for n, v in values.items())]
    )
    turns = tuple(line for line in map(_turn_line, context.recent_turns) if line)
    return _Parts(header, _learner_lines(context), turns, task_block)


def _fit(
    parts: _Parts, fmt: TaskFormat, count_tokens: TokenCounter, budget: int
) -> tuple[_Parts, int, tuple[str, ...]]:
    """Drop oldest turns, then learner lines in DROP_ORDER, until the prompt fits `budget`."""
    bare = _Parts(parts.header, (), (), parts.task_block)
    needed = count_tokens(bare.assemble())
    if needed > budget:
        raise BudgetError(
            f"task {fmt.name!r}: its own fields need {needed} tokens, the budget is {budget}"
        )
    turns, learner = list(parts.turns), list(parts.learner)
    dropped_turns, dropped_lines = 0, []
    while (
        count_tokens(
            _Parts(parts.header, tuple(learner), tuple(turns), parts.task_block).assemble()
        )
        > budget
    ):
        if turns:
            turns.pop(0)
            dropped_turns += 1
            continue
        # `bare` fits, so some learner line is left to drop here.
        name = next(n for n in DROP_ORDER if any(k == n for k, _ in learner))
        learner = [(k, ln) for k, ln in learner if k != name]
        dropped_lines.append(name)
    fitted = _Parts(parts.header, tuple(learner), tuple(turns), parts.task_block)
    return fitted, dropped_turns, tuple(dropped_lines)


def _completion(target: str) -> str:
    if not isinstance(target, str):
        raise FieldValueError(f"target must be a str, got {type(target).__name__}")
    cleaned = clean_student_text(target)
    if not cleaned:
        raise FieldValueError("target is empty after cleaning")
    return cleaned + END_MARKER


def render(
    task: str,
    fields: Mapping[str, object],
    context: LearnerContext,
    *,
    target: str | None = None,
    count_tokens: TokenCounter | None = None,
    budget_tokens: int | None = None,
) -> Rendered:
    """Render `task` for `context`: the prompt, and with `target` the training completion.

    `budget_tokens` bounds the prompt alone (leave room for the completion or for
    `decoding.max_new_tokens`; see `prompt_budget`) and needs `count_tokens`. The completion
    is the cleaned target followed by `END_MARKER`, the inference stop string.
    Raises `KeyError` (unknown task), `MissingFieldError`, `UnknownFieldError`,
    `FieldValueError` and `BudgetError`.
    """
    fmt = get_format(task)
    if not isinstance(context, LearnerContext):
        raise TypeError(f"context must be a LearnerContext, got {type(context).__name__}")
    if (count_tokens is None) != (budget_tokens is None):
        raise ValueError("count_tokens and budget_tokens go together: give both or neither")
    values = normalise_fields(task, fields, required=fmt.required, optional=fmt.optional)
    completion = None if target is None else _completion(target)
    parts = _parts(fmt, values, context)
    dropped_turns = 0
    dropped_lines: tuple[str, ...] = ()
    if count_tokens is not None and budget_tokens is not None:
        parts, dropped_turns, dropped_lines = _fit(parts, fmt, count_tokens, budget_tokens)
    return Rendered(
        prompt=parts.assemble(),
        completion=completion,
        dropped_turns=dropped_turns,
        task=fmt.name,
        version=fmt.version,
        dropped_context=dropped_lines,
    )


def prompt_budget(task: str, context_window: int) -> int:
    """The prompt's token budget: the model's context window minus the task's max new tokens."""
    budget = context_window - get_format(task).decoding.max_new_tokens
    if budget < 1:
        raise BudgetError(f"context window {context_window} leaves no room for a {task} prompt")
    return budget


def build_request(
    task: str,
    fields: Mapping[str, object],
    context: LearnerContext,
    *,
    count_tokens: TokenCounter | None = None,
    budget_tokens: int | None = None,
) -> BuiltRequest:
    """An inference request for `task`, with the adapter and decoding of its format."""
    fmt = get_format(task)
    rendered = render(task, fields, context, count_tokens=count_tokens, budget_tokens=budget_tokens)
    request = GenerationRequest(
        task=fmt.name, prompt=rendered.prompt, adapter=fmt.adapter, decoding=fmt.decoding
    )
    return BuiltRequest(request=request, dropped_turns=rendered.dropped_turns)


def training_example(
    task: str,
    fields: Mapping[str, object],
    context: LearnerContext,
    target: str,
    *,
    count_tokens: TokenCounter | None = None,
    budget_tokens: int | None = None,
) -> TrainingExample:
    """A training example for `task`: `render` with a target, so it matches inference."""
    rendered = render(
        task,
        fields,
        context,
        target=target,
        count_tokens=count_tokens,
        budget_tokens=budget_tokens,
    )
    assert rendered.completion is not None  # render always completes when given a target
    return TrainingExample(
        task=rendered.task,
        version=rendered.version,
        prompt=rendered.prompt,
        completion=rendered.completion,
    )


def fallback(task: str, fields: Mapping[str, object], context: LearnerContext | None = None) -> str:
    """The template text for `task` from the same fields: what the tutor says with no model."""
    fmt = get_format(task)
    values = normalise_fields(task, fields, required=fmt.required, optional=fmt.optional)
    style = (context or LearnerContext()).style
    return TEMPLATES[fmt.name](values, style)


__all__ = [
    "BuiltRequest",
    "Rendered",
    "TokenCounter",
    "TrainingExample",
    "build_request",
    "fallback",
    "format_number",
    "prompt_budget",
    "render",
    "training_example",
]
