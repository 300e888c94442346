"""Words for a plan: the one place the tutor asks the model to word a `MovePlan`.

    MovePlan ──► request_for(plan) ──► GenerationRequest ──► model text
                                                                 │
                         check_words(text, plan).ok and no leak? │
                               yes ─► shown            no ─► plan.template

`request_for` renders the plan with `prompts.planprompt.build_plan_request`, the very function
that renders the adapters' training examples (`plan_training_example`): the plan's `task`
names the format, and so the adapter. The verifier
(`prompts.verify.check_words`) and the curriculum's leak guard (`reveals_answer`, for plans
that do not reveal the answer) both must pass before a model's words are shown; a missing
adapter, an unavailable model or a prompt that does not fit falls back to the template.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from prompts import LearnerContext, PromptError, Turn
from prompts.formats import FORMATS
from prompts.plan import MovePlan
from prompts.planprompt import build_plan_request, plan_block
from prompts.request import GenerationRequest
from prompts.verify import check_words
from tutor.curriculum import reveals_answer
from tutor.curriculum.model import Exercise
from tutor.dialogue.moves import leaks
from tutor.dialogue.pipeline import ModelPart
from tutor.dialogue.texts import NUMBERLESS
from tutor.generation import TextGenerator, prompt_budget, token_counter

log = logging.getLogger(__name__)

# The conversation a plan prompt carries: the last two turns, as in training
# (`tutor.training_data`); the plan itself holds what the words need.
RECENT_TURNS = 2
TURN_CHARS = 160
# A plan whose template needs more tokens than this share of the format's `max_new_tokens`
# is worded by its template: the model's words would be cut off before the end.
WORDS_PER_TEMPLATE = 0.85


def _shortened(text: str) -> str:
    """A turn as the prompt carries it: at most `TURN_CHARS` characters (a long earlier
    reply costs prefill time and says nothing the plan does not)."""
    return text if len(text) <= TURN_CHARS else text[: TURN_CHARS - 1].rstrip() + "…"


def model_may_word(plan: MovePlan, count_tokens: Callable[[str], int]) -> bool:
    """True when a format words `plan` and its template fits what the model may write; a
    longer plan (a long worked example) could only be cut off and refused, so its template
    is shown without asking (and `tutor adapters evaluate` leaves it out too)."""
    if plan.task not in FORMATS:
        return False
    limit = FORMATS[plan.task].decoding.max_new_tokens * WORDS_PER_TEMPLATE
    return count_tokens(plan.template) <= limit


def request_for(
    plan: MovePlan, context: LearnerContext, generator: TextGenerator
) -> tuple[GenerationRequest, int] | None:
    """The model request that words `plan` (the plan-to-text format its task names, the one
    function training uses too) and its prompt's token count; None: no format takes this
    plan, or the plan does not fit the budget (the template says it instead)."""
    if plan.task not in FORMATS:
        return None
    count = token_counter(generator)
    if not model_may_word(plan, count):
        return None
    recent = tuple(
        Turn(turn.role, _shortened(turn.text)) for turn in context.recent_turns[-RECENT_TURNS:]
    )
    context = replace(context, recent_turns=recent)
    try:
        built = build_plan_request(
            plan, context, count_tokens=count, budget_tokens=prompt_budget(generator)
        )
    except PromptError:
        return None
    return built.request, count(built.request.prompt)


def accepts(plan: MovePlan, exercise: Exercise | None) -> Callable[[str], bool]:
    """The check model words pass: the verifier against the plan, and (unless the plan
    reveals the answer) the curriculum's own leak guard. The plan's template always passes:
    it is code's wording of the plan, whose numbers were checked when it was built."""

    def accept(text: str) -> bool:
        if text == plan.template:  # a template that would leak is refused too (a safety net)
            return plan.reveals_answer or exercise is None or not leaks(text, exercise)
        if not check_words(text, plan).ok:
            return False
        return plan.reveals_answer or exercise is None or not reveals_answer(text, exercise)

    return accept


def words_part(
    plan: MovePlan,
    context: LearnerContext,
    *,
    generator: TextGenerator,
    exercise: Exercise | None,
) -> ModelPart | str:
    """A reply part for `plan`: model words when they pass the checks, else the template.
    A plan no format words (its `task` is not a format) is its template, as plain text."""
    if plan.task not in FORMATS:
        return plan.template
    accept = accepts(plan, exercise)
    if not generator.available:
        return ModelPart(None, plan.template, accept, NUMBERLESS)
    built = request_for(plan, context, generator)
    if built is None:
        return ModelPart(None, plan.template, accept, NUMBERLESS)
    request, prompt_tokens = built
    log.debug("plan for the %s adapter:\n%s", request.adapter, plan_block(plan))
    return ModelPart(
        request, plan.template, accept, NUMBERLESS, prompt_tokens=prompt_tokens, move=plan.move
    )
