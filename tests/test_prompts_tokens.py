"""The formats under a real GPT-2 tokenizer (the tiny one of the fixtures, byte-level BPE).

A trainer masks the prompt's tokens and learns the completion's; that only works if the
prompt's tokens are a prefix of the whole text's tokens, i.e. no BPE merge crosses the
boundary. The prompt ends with a newline and the completion starts a new line, so none can.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from prompts import END_MARKER, TASKS, render, training_example
from tests.test_prompts_builder import CONTEXT, SAMPLES


@pytest.fixture(scope="module")
def tokenizer(tiny_gpt2_dir: Path) -> Any:  # a transformers tokenizer, imported lazily
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_gpt2_dir)


@pytest.mark.parametrize("task", TASKS)
def test_prompt_tokens_are_a_prefix_of_the_training_text(tokenizer: Any, task: str) -> None:
    example = training_example(task, SAMPLES[task], CONTEXT, "Well done, 3 + 4 = 7.")
    prompt_ids = tokenizer(example.prompt)["input_ids"]
    full_ids = tokenizer(example.prompt + example.completion)["input_ids"]
    assert full_ids[: len(prompt_ids)] == prompt_ids
    decoded = tokenizer.decode(full_ids[len(prompt_ids) :])
    assert decoded == example.completion and decoded.endswith(END_MARKER)


def test_budget_with_a_real_token_counter(tokenizer: Any) -> None:
    count = lambda text: len(tokenizer(text)["input_ids"])  # noqa: E731
    full = render("hint", SAMPLES["hint"], CONTEXT)
    budget = count(full.prompt) - 1
    fitted = render("hint", SAMPLES["hint"], CONTEXT, count_tokens=count, budget_tokens=budget)
    assert count(fitted.prompt) <= budget and fitted.dropped_turns >= 1
