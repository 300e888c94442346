"""Per-row decoding pieces: stop strings and UTF-8 held back while streaming, and sampling."""

from __future__ import annotations

import pytest
import torch

from adapters.sampling import (
    apply_repetition_penalty,
    choose_token,
    filter_top_k,
    filter_top_p,
    make_rng,
)
from adapters.textstream import TextAssembler
from prompts.request import Decoding

# A fake vocabulary: each id decodes to these bytes (byte-level BPE may split a character).
PIECES = {1: b"Hel", 2: b"lo ", 3: b"\xc3", 4: b"\xa9", 5: b"!", 6: b"\n", 7: b"Stu", 8: b"dent"}


def decode(ids: list[int]) -> str:
    return b"".join(PIECES[i] for i in ids).decode("utf-8", errors="replace")


def stream(ids: list[int], stop: tuple[str, ...] = ()) -> tuple[list[str], TextAssembler]:
    text = TextAssembler(decode, stop)
    chunks = []
    for token in ids:
        chunks.append(text.push(token))
        if text.stopped:
            break
    chunks.append(text.finish())
    return [c for c in chunks if c], text


def test_a_character_split_across_tokens_is_held_back_until_complete() -> None:
    chunks, _ = stream([1, 2, 3, 4, 5])
    assert chunks == ["Hel", "lo ", "é", "!"]


def test_a_stop_string_split_across_tokens_ends_the_text_before_it() -> None:
    chunks, text = stream([1, 2, 6, 7, 8, 5], stop=("\nStudent",))
    assert "".join(chunks) == "Hello "
    assert text.stopped


def test_a_possible_stop_prefix_is_released_when_the_stop_does_not_come() -> None:
    chunks, text = stream([1, 6, 2, 5], stop=("\nStudent",))
    assert "".join(chunks) == "Hel\nlo !"
    assert chunks[1] == "lo !" or "\n" not in chunks[0]  # the newline waited
    assert not text.stopped


def test_repetition_penalty_lowers_seen_tokens_both_signs() -> None:
    logits = torch.tensor([2.0, -2.0, 1.0])
    apply_repetition_penalty(logits, torch.tensor([0, 1]), 2.0)
    assert logits.tolist() == [1.0, -4.0, 1.0]


def test_top_k_and_top_p_keep_the_most_likely_tokens() -> None:
    logits = torch.log(torch.tensor([0.5, 0.3, 0.15, 0.05]))
    assert torch.isfinite(filter_top_k(logits, 2)).tolist() == [True, True, False, False]
    assert torch.isfinite(filter_top_p(logits, 0.7)).tolist() == [True, True, False, False]
    assert torch.isfinite(filter_top_p(logits, 0.5)).tolist() == [True, False, False, False]


def test_seeded_sampling_repeats_and_greedy_takes_the_argmax() -> None:
    logits = torch.randn(50, generator=torch.Generator().manual_seed(0))
    sampled = Decoding(do_sample=True, temperature=1.5, top_k=20, seed=7)
    draws = [
        [choose_token(logits.clone(), torch.tensor([]), sampled, rng) for _ in range(20)]
        for rng in (make_rng(sampled), make_rng(sampled))
    ]
    assert draws[0] == draws[1]
    assert len(set(draws[0])) > 1
    assert choose_token(logits.clone(), torch.tensor([]), Decoding(), None) == int(logits.argmax())


def test_non_finite_probabilities_raise_for_that_request() -> None:
    logits = torch.full((5,), float("nan"))
    with pytest.raises(FloatingPointError):
        choose_token(logits, torch.tensor([]), Decoding(do_sample=True), make_rng(Decoding()))
