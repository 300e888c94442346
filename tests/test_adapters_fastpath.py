"""The fast path on the tiny GPT-2 and a tiny Llama: token-exact in fp32 against transformers,
mixed adapters per row, continuous batching, prefix reuse, int8, loud failures, ZeroGPU."""

from __future__ import annotations

import logging
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from adapters.continuous import ContinuousBatch
from adapters.fastpath import int8_available
from adapters.generator import Generator
from adapters.rows import Job
from adapters.spaces import on_spaces_gpu
from prompts.request import Decoding, GenerationRequest

PROMPT = "Question: what is 4 + 7?\nAnswer:"


def request(adapter: str | None, prompt: str = PROMPT, **decoding: object) -> GenerationRequest:
    return GenerationRequest(
        task=adapter or "explain", prompt=prompt, adapter=adapter, decoding=Decoding(**decoding)
    )


@pytest.fixture(scope="module")
def fast(tiny_gpt2_dir: Path, tiny_adapters_dir: Path) -> Iterator[Generator]:
    with Generator(str(tiny_gpt2_dir), tiny_adapters_dir, batch_wait_ms=1) as generator:
        assert generator.load()
        yield generator


@pytest.fixture(scope="module")
def reference(tiny_gpt2_dir: Path, tiny_adapters_dir: Path) -> Iterator[Generator]:
    with Generator(
        str(tiny_gpt2_dir), tiny_adapters_dir, batch_wait_ms=1, precision="reference"
    ) as generator:
        assert generator.load()
        yield generator


def test_the_fast_path_serves_gpt2_by_default_and_the_reference_on_request(
    fast: Generator, reference: Generator
) -> None:
    assert fast.serving_path == "fast fp32"
    assert reference.serving_path == "reference"


@pytest.mark.parametrize("adapter", [None, "explain", "hint"])
@pytest.mark.parametrize("prompt", [PROMPT, "Short", "The area of a rectangle is"])
def test_fp32_fast_path_equals_the_reference_token_for_token(
    fast: Generator, reference: Generator, adapter: str | None, prompt: str
) -> None:
    ours = fast.generate(request(adapter, prompt, max_new_tokens=24))
    assert ours == reference.generate(request(adapter, prompt, max_new_tokens=24))


def test_a_request_arriving_mid_batch_decodes_right_after_its_prefill(fast: Generator) -> None:
    decoder, tokenizer = fast._fast, fast._tokenizer
    batch = ContinuousBatch(
        decoder, tokenizer, slots=4, chunk=4, stop_at_eos=False, on_failure=_raise
    )
    first = Job(request("explain", max_new_tokens=40), "explain", time.monotonic())
    batch.add(first)
    for _ in range(5):  # 3 prefill chunks of 4 tokens (with decode steps once it speaks)
        batch.step()
    assert [r.job for r in batch.running] == [first]
    produced = batch.running[0].produced
    late = Job(request("hint", "Short", max_new_tokens=40), "hint", time.monotonic())
    batch.add(late)
    batch.step()  # the late prompt (1 chunk) is prefilled, then both rows decode together
    assert [r.job for r in batch.running] == [first, late]
    assert batch.running[0].produced == produced + 1
    assert batch.running[1].produced == 2  # prefill's token, then the shared decode step
    batch.step()
    assert [r.produced for r in batch.running] == [produced + 2, 3]


def test_a_shared_prompt_prefix_is_reused_and_changes_nothing(
    tiny_gpt2_dir: Path, tiny_adapters_dir: Path, reference: Generator
) -> None:
    with Generator(str(tiny_gpt2_dir), tiny_adapters_dir, max_batch_size=2) as gen:
        gen.generate(request("hint", PROMPT + " one", max_new_tokens=8))
        before = _reused(gen)
        text = gen.generate(request("hint", PROMPT + " two", max_new_tokens=8))
        assert _reused(gen) - before >= len(gen._tokenizer(PROMPT)["input_ids"]) - 1
    assert text == reference.generate(request("hint", PROMPT + " two", max_new_tokens=8))


def _reused(gen: Generator) -> int:
    return gen._runner.reused_tokens


def test_mixed_adapters_in_one_decode_step_match_single_requests(fast: Generator) -> None:
    names: list[str | None] = [None, "explain", "hint", "explain"]
    prompts = [PROMPT, PROMPT, "Question: what is 2 + 5?\nAnswer:", "Short"]
    pairs = list(zip(names, prompts, strict=True))
    alone = [fast.generate(request(a, p, max_new_tokens=12)) for a, p in pairs]
    batch = ContinuousBatch(
        fast._fast, fast._tokenizer, slots=4, chunk=64, stop_at_eos=True, on_failure=_raise
    )
    jobs = [
        Job(request(a, p, max_new_tokens=12), a or "__base__", time.monotonic()) for a, p in pairs
    ]
    for _ in batch.steps_for(jobs):
        pass
    texts = ["".join(x for x in _drain(job)) for job in jobs]
    assert texts == alone
    assert len(set(alone[:3])) == 3


@pytest.mark.skipif(not int8_available(), reason="no fbgemm int8 kernels on this CPU")
def test_int8_weights_serve_text_and_keep_the_adapters_apart(
    tiny_gpt2_dir: Path, tiny_adapters_dir: Path
) -> None:
    with Generator(str(tiny_gpt2_dir), tiny_adapters_dir, precision="int8") as gen:
        assert gen.serving_path == "fast int8"
        assert gen.generate(request("hint", max_new_tokens=8)).startswith(" Hint")
        assert gen.generate(request("explain", max_new_tokens=8)).startswith(" 1")


def test_a_llama_model_is_token_exact_in_fp32(tmp_path: Path, tiny_gpt2_dir: Path) -> None:
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(tiny_gpt2_dir)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=48,
        intermediate_size=96,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        initializer_range=0.2,
        eos_token_id=tokenizer.eos_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    texts = {}
    for precision in ("fp32", "reference"):
        with Generator(str(tmp_path), None, precision=precision) as gen:
            texts[precision] = [
                gen.generate(request(None, p, max_new_tokens=20)) for p in (PROMPT, "Short")
            ]
    assert texts["fp32"] == texts["reference"]


@pytest.mark.parametrize("precision", ["fp32", "reference"])
def test_a_failing_forward_pass_is_loud_and_kept_for_the_teacher_view(
    tiny_gpt2_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    precision: str,
) -> None:
    with Generator(str(tiny_gpt2_dir), None, precision=precision) as gen:
        assert gen.load() and gen.last_failure is None

        def broken(*args: object, **kwargs: object) -> torch.Tensor:
            raise TypeError("forward() got an unexpected keyword argument 'cache'")

        if precision == "reference":
            monkeypatch.setattr(gen, "_model", broken)
        else:
            monkeypatch.setattr(gen._fast, "prefill", broken)
        with (
            caplog.at_level(logging.ERROR, logger="adapters.generator"),
            pytest.raises(TypeError, match="unexpected keyword"),
        ):
            gen.generate(request(None, max_new_tokens=4))
        failure = gen.last_failure
        assert failure is not None and failure.count == 1 and failure.requests == 1
        assert "TypeError: forward() got an unexpected keyword argument" in str(failure)
        assert any("MODEL FAILURE" in r.getMessage() for r in caplog.records)


def test_on_zerogpu_every_forward_pass_runs_inside_the_gpu_call(
    tiny_gpt2_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = threading.local()
    calls: list[bool] = []

    def gpu(fn):  # the shape of spaces.GPU on a generator function
        def wrapped(*args: object) -> Iterator[str]:
            inside.flag = True
            try:
                yield from fn(*args)
            finally:
                inside.flag = False

        return wrapped

    monkeypatch.setitem(sys.modules, "spaces", types.SimpleNamespace(GPU=gpu))
    with Generator(str(tiny_gpt2_dir), None) as inner:
        assert inner.load()
        real = inner._fast.decode

        def watched(*args: object, **kwargs: object) -> torch.Tensor:
            calls.append(getattr(inside, "flag", False))
            return real(*args, **kwargs)

        monkeypatch.setattr(inner._fast, "decode", watched)
        wrapped = on_spaces_gpu(inner)
        text = "".join(wrapped.stream(request(None, max_new_tokens=6)))
        assert calls and all(calls)
        assert inner._worker is None  # the wrapper never starts the worker thread
        assert text == inner.generate(request(None, max_new_tokens=6))


def _raise(exc: BaseException, requests: int) -> None:
    raise exc


def _drain(job: Job) -> Iterator[str]:
    from adapters.rows import DONE

    while True:
        item = job.out.get_nowait()
        if item is DONE:
            return
        yield item
