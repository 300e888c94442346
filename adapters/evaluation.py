"""Behaviour, not loss: base vs adapter on held-out plans, judged by the verifier.

For each task, the same held-out plans (seeds and skills never trained on) are worded twice,
by the base model alone and with the task's adapter, with the same prompt and greedy
decoding. Each output is checked by `prompts.verify.check_words`:

- pass rate: share of outputs the verifier accepts (what the student would see as written);
- slot error rate: share with a required fact missing or a number not in the plan (E2E's
  slot error, the measure LoRA's data-to-text results were judged by alongside BLEU);
- leak rate: share that gives the answer away; after the guard (the template shown instead
  of a failed output) the leaks a student sees, which must be 0;
- distinct-2: distinct word bigrams over all bigrams (variety);
- mean length in words; and validation perplexity of the reference words.

Plans arrive as (plan, reference) pairs; this module needs no `tutor` import.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from prompts.formats import get_format
from prompts.plan import MovePlan
from prompts.planprompt import build_plan_request, plan_training_example
from prompts.verify import check_words

STOP = ("\n###", "### End", "<|im_end|>")
PERPLEXITY_EXAMPLES = 6  # reference texts per task scored for perplexity (a CPU forward each)


@dataclass(frozen=True)
class Output:
    plan: MovePlan
    text: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Scores:
    """One model variant's scores on one task's plans."""

    outputs: list[Output] = field(default_factory=list)
    perplexity: float = math.nan
    seconds: float = 0.0

    def _share(self, check: str) -> float:
        hit = sum(any(p.startswith(check) for p in o.problems) for o in self.outputs)
        return hit / max(1, len(self.outputs))

    @property
    def pass_rate(self) -> float:
        return sum(o.ok for o in self.outputs) / max(1, len(self.outputs))

    @property
    def slot_error_rate(self) -> float:
        hit = sum(
            any(p.startswith(("numbers", "required")) for p in o.problems) for o in self.outputs
        )
        return hit / max(1, len(self.outputs))

    @property
    def leak_rate(self) -> float:
        return self._share("leak")

    @property
    def leaks_after_guard(self) -> int:
        """Leaks in what is shown: the output when it passes, else the plan's template."""
        shown = [o.text if o.ok else o.plan.template for o in self.outputs]
        return sum(
            any(p.startswith("leak") for p in check_words(t, o.plan).problems)
            for t, o in zip(shown, self.outputs, strict=True)
        )

    @property
    def distinct_2(self) -> float:
        bigrams = [
            (a, b)
            for o in self.outputs
            for a, b in zip(o.text.lower().split(), o.text.lower().split()[1:], strict=False)
        ]
        return len(set(bigrams)) / max(1, len(bigrams))

    @property
    def mean_words(self) -> float:
        return sum(len(o.text.split()) for o in self.outputs) / max(1, len(self.outputs))


def _cut(text: str) -> str:
    for stop in STOP:
        at = text.find(stop)
        if at >= 0:
            text = text[:at]
    return text.strip()


def generate(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    *,
    max_new_tokens: int,
    batch_size: int = 8,
    repetition_penalty: float = 1.0,
) -> list[str]:
    """Greedy continuations of `prompts`, left-padded in batches, cut at the end marker."""
    tokenizer.padding_side = "left"
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    out: list[str] = []
    device = next(model.parameters()).device
    for start in range(0, len(prompts), batch_size):
        chunk = list(prompts[start : start + batch_size])
        enc = tokenizer(chunk, return_tensors="pt", padding=True).to(device)
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ids = model.generate(
                **enc,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                repetition_penalty=repetition_penalty,
                pad_token_id=pad,
                eos_token_id=tokenizer.eos_token_id,
            )
        for row in ids[:, enc["input_ids"].shape[1] :]:
            out.append(_cut(tokenizer.decode(row, skip_special_tokens=True)))
    return out


def perplexity(model: Any, tokenizer: Any, pairs: Sequence[tuple[MovePlan, str]]) -> float:
    """exp(mean completion-token loss) of the reference words, as in training."""
    from adapters.training import encode_example, evaluate

    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    encoded = [
        encode_example(tokenizer, plan_training_example(p, ref), 384)
        for p, ref in pairs[:PERPLEXITY_EXAMPLES]
    ]
    device = next(model.parameters()).device
    return evaluate(model, encoded, pad_id=pad, device=device, batch_size=8).perplexity


def evaluate_task(
    model: Any,
    tokenizer: Any,
    pairs: Sequence[tuple[MovePlan, str]],
    *,
    adapter: str | None,
    max_new_tokens: int | None = None,
) -> Scores:
    """Word every plan with `adapter` (None: the base alone) and score the outputs."""
    plans = [p for p, _ in pairs]
    if not plans:
        return Scores()
    decoding = get_format(plans[0].task).decoding  # as served: the format's own decoding
    limit = max_new_tokens or decoding.max_new_tokens
    penalty = decoding.repetition_penalty
    prompts = [build_plan_request(p).request.prompt for p in plans]
    started = time.perf_counter()
    if adapter is None:
        context = model.disable_adapter() if hasattr(model, "disable_adapter") else _null()
        with context:
            texts = generate(
                model, tokenizer, prompts, max_new_tokens=limit, repetition_penalty=penalty
            )
            ppl = perplexity(model, tokenizer, pairs)
    else:
        model.set_adapter(adapter)
        texts = generate(
            model, tokenizer, prompts, max_new_tokens=limit, repetition_penalty=penalty
        )
        ppl = perplexity(model, tokenizer, pairs)
    outputs = [Output(p, t, check_words(t, p).problems) for p, t in zip(plans, texts, strict=True)]
    return Scores(outputs, ppl, time.perf_counter() - started)


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def load_with_adapters(base: str, folders: dict[str, Path], device: str = "cpu") -> tuple[Any, Any]:
    """The base model in fp32 with each task's adapter folder attached under its task name."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model: Any = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32).to(device)
    for name, folder in folders.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if isinstance(model, PeftModel):
                model.load_adapter(str(folder), adapter_name=name, is_trainable=False)
            else:
                model = PeftModel.from_pretrained(model, str(folder), adapter_name=name)
    return model.eval(), tokenizer
