"""Plan in, words out: THE function that renders a `MovePlan` as a prompt, for training and use.

Data-to-text, as LoRA on GPT-2 was first shown on (E2E NLG): code decides the move, its
facts, the numbers the words may use and the question to end on; the model only words it.

    ### Task: hint (v3)               <- the plan's task, its format version, one instruction
    ### Learner                       <- name, grade, style, interests (tone and theme only)
    ### Conversation                  <- recent turns, oldest first (dropped first to fit)
    ### Plan                          <- move, exercise, operation, facts, numbers, must-say,
                                         the question to end with (never dropped)
    ### Response                      <- the words; a training completion ends "\\n### End"

`plan_training_example` (with the reference words) and `build_plan_request` (without) both
call `render_plan`, so training and inference can never see different prompts. What the plan
must NOT say (the answer's forms, the misconception's rule) is never written into the prompt:
a model cannot copy what it is not shown; the verifier checks it afterwards.
"""

from __future__ import annotations

from prompts.builder import (
    BuiltRequest,
    Rendered,
    TokenCounter,
    TrainingExample,
    _Parts,
    _turn_line,
)
from prompts.context import LearnerContext
from prompts.errors import BudgetError, FieldValueError
from prompts.formats import get_format
from prompts.markers import END_MARKER, TASK_SECTION, section
from prompts.plan import MovePlan
from prompts.request import GenerationRequest
from prompts.sanitize import clean_student_text

PLAN_SECTION = "Plan"
_LEARNER_DROP = ("interests", "style", "grade")  # dropped in this order to fit a budget


def _clean(text: str) -> str:
    return " ".join(clean_student_text(text).split())


def _learner_lines(plan: MovePlan) -> tuple[tuple[str, str], ...]:
    learner = plan.learner
    lines: list[tuple[str, str]] = [("name", f"Name: {_clean(learner.name) or 'the student'}")]
    if learner.grade is not None:
        lines.append(("grade", f"Grade: {learner.grade}"))
    lines.append(("style", f"Style: {learner.style}"))
    interests = [c for c in (_clean(i) for i in learner.interests) if c]
    if interests:
        lines.append(("interests", "Interests: " + ", ".join(interests)))
    return tuple(lines)


def plan_block(plan: MovePlan) -> str:
    """The plan as prompt lines: everything the words may use, nothing they must not say."""
    lines = [section(PLAN_SECTION), f"Move: {plan.move}"]
    if plan.skill_name:
        lines.append(f"Skill: {_clean(plan.skill_name)}")
    lines.append(f"Exercise: {_clean(plan.statement)}")
    if plan.operation:
        lines.append(f"Operation: {plan.operation}")
    if plan.facts:
        lines.append("Facts:")
        lines += [f"- {_clean(fact)}" for fact in plan.facts]
    lines.append("Numbers: " + (", ".join(plan.numbers) if plan.numbers else "none"))
    if plan.must_say:
        lines.append("Say: " + "; ".join(_clean(s) for s in plan.must_say))
    said = " ".join(_clean(fact) for fact in plan.facts)
    for key, value in plan.extra:
        cleaned = _clean(value)
        if cleaned and cleaned not in said:  # an extra the facts already say costs tokens only
            lines.append(f"{key.capitalize()}: {cleaned}")
    if plan.question:
        lines.append(f"End with: {_clean(plan.question)}")
    return "\n".join(lines)


def _parts(plan: MovePlan, context: LearnerContext | None) -> _Parts:
    fmt = get_format(plan.task)
    header = f"{section(TASK_SECTION)}: {fmt.name} (v{fmt.version})\n{fmt.instruction}"
    turns: tuple[str, ...] = ()
    if context is not None:
        turns = tuple(line for line in map(_turn_line, context.recent_turns) if line)
    return _Parts(header, _learner_lines(plan), turns, plan_block(plan))


def render_plan(
    plan: MovePlan,
    context: LearnerContext | None = None,
    *,
    target: str | None = None,
    count_tokens: TokenCounter | None = None,
    budget_tokens: int | None = None,
) -> Rendered:
    """The prompt for `plan` (and with `target` its training completion).

    To fit `budget_tokens` the oldest turns go first, then interests, style and grade; the
    plan itself is never cut (`BudgetError` instead).
    """
    if not isinstance(plan, MovePlan):
        raise TypeError(f"plan must be a MovePlan, got {type(plan).__name__}")
    if (count_tokens is None) != (budget_tokens is None):
        raise ValueError("count_tokens and budget_tokens go together: give both or neither")
    fmt = get_format(plan.task)
    parts = _parts(plan, context)
    dropped_turns: int = 0
    dropped: tuple[str, ...] = ()
    if count_tokens is not None and budget_tokens is not None:
        parts, dropped_turns, dropped = _fit_plan(parts, fmt.name, count_tokens, budget_tokens)
    completion = None
    if target is not None:
        cleaned = clean_student_text(target).strip()
        if not cleaned:
            raise FieldValueError("reference text is empty after cleaning")
        completion = cleaned + END_MARKER
    return Rendered(
        prompt=parts.assemble(),
        completion=completion,
        dropped_turns=dropped_turns,
        task=fmt.name,
        version=fmt.version,
        dropped_context=dropped,
    )


def _fit_plan(
    parts: _Parts, task: str, count_tokens: TokenCounter, budget: int
) -> tuple[_Parts, int, tuple[str, ...]]:
    """Drop the oldest turns, then learner lines in `_LEARNER_DROP` order, until it fits."""
    bare = _Parts(parts.header, parts.learner[:1], (), parts.task_block)
    needed = count_tokens(bare.assemble())
    if needed > budget:
        raise BudgetError(f"task {task!r}: the plan alone needs {needed} tokens, budget {budget}")
    turns, learner, dropped = list(parts.turns), list(parts.learner), []

    def current() -> _Parts:
        return _Parts(parts.header, tuple(learner), tuple(turns), parts.task_block)

    dropped_turns = 0
    while count_tokens(current().assemble()) > budget:
        if turns:
            turns.pop(0)
            dropped_turns += 1
            continue
        name = next(n for n in _LEARNER_DROP if any(k == n for k, _ in learner))
        learner = [item for item in learner if item[0] != name]
        dropped.append(name)
    return current(), dropped_turns, tuple(dropped)


def build_plan_request(
    plan: MovePlan,
    context: LearnerContext | None = None,
    *,
    count_tokens: TokenCounter | None = None,
    budget_tokens: int | None = None,
) -> BuiltRequest:
    """An inference request wording `plan`, with its task's adapter and decoding."""
    fmt = get_format(plan.task)
    rendered = render_plan(plan, context, count_tokens=count_tokens, budget_tokens=budget_tokens)
    request = GenerationRequest(
        task=fmt.name, prompt=rendered.prompt, adapter=fmt.adapter, decoding=fmt.decoding
    )
    return BuiltRequest(request=request, dropped_turns=rendered.dropped_turns)


def plan_training_example(
    plan: MovePlan, reference_text: str, context: LearnerContext | None = None
) -> TrainingExample:
    """A supervised example: the plan's prompt, and `reference_text` as the completion."""
    rendered = render_plan(plan, context, target=reference_text)
    assert rendered.completion is not None
    return TrainingExample(
        task=rendered.task,
        version=rendered.version,
        prompt=rendered.prompt,
        completion=rendered.completion,
    )
