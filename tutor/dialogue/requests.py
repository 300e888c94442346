"""Turn a task and its fields into a reply part: the model's request (within the generator's
token budget) and the template that stands in when the model cannot or must not be used."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from prompts import LearnerContext, PromptError, build_request, fallback
from tutor.dialogue.pipeline import ModelPart
from tutor.generation import TextGenerator, prompt_budget, token_counter


def model_part(
    task: str,
    fields: Mapping[str, object],
    context: LearnerContext,
    *,
    generator: TextGenerator,
    accept: Callable[[str], bool] | None = None,
    template: str | None = None,
    last_resort: str = "",
) -> ModelPart:
    """A `ModelPart` for `task`; `template` defaults to the format's own fallback text."""
    shown_instead = template if template is not None else fallback(task, fields, context)
    if not generator.available:
        return ModelPart(None, shown_instead, accept, last_resort)
    count = token_counter(generator)
    try:
        built = build_request(
            task, fields, context, count_tokens=count, budget_tokens=prompt_budget(generator)
        )
    except PromptError:  # the fields alone overflow the budget: the template says it instead
        return ModelPart(None, shown_instead, accept, last_resort)
    return ModelPart(
        built.request, shown_instead, accept, last_resort, prompt_tokens=count(built.request.prompt)
    )
