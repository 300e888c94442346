"""Choosing the next token of one row from its logits, by that row's own decoding settings.

A batch mixes requests with different settings (a greedy hint beside a sampled exercise
wording), so these work on one row at a time; the generator calls `choose_greedy` for all
greedy rows at once and `choose_token` for the others. The order follows transformers'
logits processors: repetition penalty, temperature, top-k, top-p, then draw.
"""

from __future__ import annotations

import torch

from prompts.request import Decoding


def apply_repetition_penalty(logits: torch.Tensor, seen: torch.Tensor, penalty: float) -> None:
    """Make every token already in the text less likely, in place (CTRL, Keskar et al. 2019).

    `logits`: (vocab,), `seen`: (n,) token ids of prompt and generated text so far.
    """
    if penalty == 1.0 or seen.numel() == 0:
        return
    scores = logits.gather(0, seen)
    scores = torch.where(scores < 0, scores * penalty, scores / penalty)
    logits.scatter_(0, seen, scores)


def filter_top_k(logits: torch.Tensor, top_k: int) -> torch.Tensor:
    if top_k >= logits.shape[-1]:
        return logits
    kth = torch.topk(logits, top_k).values[-1]
    return logits.masked_fill(logits < kth, float("-inf"))


def filter_top_p(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    """Keep the smallest set of most likely tokens whose probabilities sum to at least top_p."""
    if top_p >= 1.0:
        return logits
    sorted_logits, order = torch.sort(logits, descending=True)
    cumulative = sorted_logits.softmax(-1).cumsum(-1)
    drop_sorted = cumulative - sorted_logits.softmax(-1) >= top_p  # mass before this token
    drop = torch.zeros_like(drop_sorted).scatter(0, order, drop_sorted)
    return logits.masked_fill(drop, float("-inf"))


def choose_token(
    logits: torch.Tensor,
    seen: torch.Tensor,
    decoding: Decoding,
    rng: torch.Generator | None,
) -> int:
    """The next token id for one row. `logits` (vocab,) float32 on the CPU; modified in place."""
    apply_repetition_penalty(logits, seen, decoding.repetition_penalty)
    if not decoding.do_sample:
        return int(logits.argmax())
    scores = logits / decoding.temperature
    if decoding.top_k is not None:
        scores = filter_top_k(scores, decoding.top_k)
    if decoding.top_p is not None:
        scores = filter_top_p(scores, decoding.top_p)
    probs = scores.softmax(-1)
    if not torch.isfinite(probs).all():
        raise FloatingPointError("the model produced non-finite probabilities for this request")
    return int(torch.multinomial(probs, 1, generator=rng))


def make_rng(decoding: Decoding) -> torch.Generator | None:
    """A private random stream per request: seeded when asked, so sampled text repeats."""
    if not decoding.do_sample:
        return None
    rng = torch.Generator()
    if decoding.seed is None:
        rng.seed()
    else:
        rng.manual_seed(decoding.seed)
    return rng
