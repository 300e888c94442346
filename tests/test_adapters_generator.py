"""The generator on the tiny GPT-2 with two trained adapters: loading, refusing, streaming,
per-request decoding, and mixed-adapter batches that give each row its single-request text."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

import adapters.generator as generator_module
from adapters.generator import Generator, ModelUnavailable, UnknownAdapter
from adapters.manifest import MANIFEST_NAME, WEIGHTS_NAME
from prompts.request import Decoding, GenerationRequest

PROMPT = "Question: what is 4 + 7?\nAnswer:"


def request(adapter: str | None, prompt: str = PROMPT, **decoding: object) -> GenerationRequest:
    return GenerationRequest(
        task=adapter or "explain", prompt=prompt, adapter=adapter, decoding=Decoding(**decoding)
    )


@pytest.fixture(scope="module")
def gen(tiny_gpt2_dir: Path, tiny_adapters_dir: Path) -> Iterator[Generator]:
    with Generator(str(tiny_gpt2_dir), tiny_adapters_dir, batch_wait_ms=1) as generator:
        assert generator.load()
        yield generator


def hf_greedy(model_dir: Path, adapters_dir: Path, adapter: str | None, new: int) -> str:
    """The same request through transformers' own generate: the reference our loop must hit."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    if adapter is not None:
        model = PeftModel.from_pretrained(model, str(adapters_dir / adapter), adapter_name=adapter)
    inputs = tokenizer(PROMPT, return_tensors="pt")
    with torch.inference_mode():
        out = model.eval().generate(
            **inputs, max_new_tokens=new, do_sample=False, pad_token_id=tokenizer.eos_token_id
        )
    return tokenizer.decode(out[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)


def test_it_loads_the_base_model_once_and_attaches_every_adapter(gen: Generator) -> None:
    assert gen.available
    assert gen.unavailable_reason is None
    assert gen.adapter_names == ("explain", "hint")
    assert gen.refused == {}
    assert gen.device.type == "cpu"


@pytest.mark.parametrize("adapter", [None, "explain", "hint"])
def test_streamed_text_equals_transformers_generate(
    gen: Generator, tiny_gpt2_dir: Path, tiny_adapters_dir: Path, adapter: str | None
) -> None:
    chunks = list(gen.stream(request(adapter, max_new_tokens=16)))
    assert len(chunks) > 1
    assert "".join(chunks) == hf_greedy(tiny_gpt2_dir, tiny_adapters_dir, adapter, 16)


def test_the_adapters_write_what_they_were_trained_to(gen: Generator) -> None:
    assert gen.generate(request("explain", max_new_tokens=8)).startswith(" 1")
    assert gen.generate(request("hint", max_new_tokens=8)).startswith(" Hint")


def test_a_mixed_batch_gives_each_row_its_single_request_text(
    gen: Generator, tiny_gpt2_dir: Path, tiny_adapters_dir: Path
) -> None:
    names: list[str | None] = [None, "explain", "hint", "explain"]
    prompts = [PROMPT, PROMPT, "Question: what is 2 + 5?\nAnswer:", "Short"]
    alone = [
        gen.generate(request(a, p, max_new_tokens=12)) for a, p in zip(names, prompts, strict=True)
    ]
    # A second generator whose worker waits for all four before it starts a batch.
    with Generator(
        str(tiny_gpt2_dir), tiny_adapters_dir, max_batch_size=len(names), batch_wait_ms=10_000
    ) as batching:
        results: list[str | None] = [None] * len(names)
        start = threading.Barrier(len(names))

        def client(i: int) -> None:
            start.wait()
            results[i] = batching.generate(request(names[i], prompts[i], max_new_tokens=12))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(len(names))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        stats = batching.stats()
    assert stats.batch_sizes == (len(names),)  # one batch, all four rows
    assert sorted(stats.batch_adapters[-1]) == ["__base__", "explain", "explain", "hint"]
    assert results == alone
    assert len({alone[0], alone[1], alone[2]}) == 3  # the adapters really differ


def test_stop_strings_end_the_text_before_them(gen: Generator) -> None:
    full = gen.generate(request("explain", max_new_tokens=24))
    stop = full[6:9]
    assert stop and stop in full
    cut = gen.generate(request("explain", max_new_tokens=24, stop=(stop, "never-there")))
    assert cut == full[: full.index(stop)]


def test_max_new_tokens_is_respected(
    gen: Generator, tiny_gpt2_dir: Path, tiny_adapters_dir: Path
) -> None:
    short = gen.generate(request("hint", max_new_tokens=3))
    assert short == hf_greedy(tiny_gpt2_dir, tiny_adapters_dir, "hint", 3)
    assert len(short) < len(gen.generate(request("hint", max_new_tokens=12)))


def test_sampling_with_a_seed_repeats_and_differs_from_greedy(gen: Generator) -> None:
    settings = dict(max_new_tokens=20, do_sample=True, temperature=1.5, top_k=50, top_p=0.95)
    first = gen.generate(request(None, seed=3, **settings))
    assert first == gen.generate(request(None, seed=3, **settings))
    assert first != gen.generate(request(None, seed=4, **settings))


def test_the_time_limit_ends_a_long_generation(gen: Generator) -> None:
    started = time.monotonic()
    text = gen.generate(request(None, max_new_tokens=200, time_limit_s=0.02))
    elapsed = time.monotonic() - started
    assert elapsed < 1.0
    assert len(text) < len(gen.generate(request(None, max_new_tokens=200)))


def test_an_unknown_adapter_is_a_clear_error(gen: Generator) -> None:
    with pytest.raises(UnknownAdapter, match=r"unknown adapter 'poem' \(loaded: explain, hint\)"):
        gen.stream(request("poem"))


def test_an_error_in_one_request_leaves_the_others_whole(
    gen: Generator, tiny_gpt2_dir: Path, tiny_adapters_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = gen.generate(request("explain", max_new_tokens=10))
    real_choose = generator_module.choose_token

    def choose(logits: torch.Tensor, seen: torch.Tensor, decoding: Decoding, rng: object) -> int:
        if decoding.seed == 13:
            raise RuntimeError("broken row")
        return real_choose(logits, seen, decoding, rng)  # type: ignore[arg-type]

    monkeypatch.setattr(generator_module, "choose_token", choose)
    with Generator(
        str(tiny_gpt2_dir), tiny_adapters_dir, max_batch_size=2, batch_wait_ms=10_000
    ) as batching:
        failing = batching.stream(request("hint", do_sample=True, seed=13))
        fine = batching.stream(request("explain", max_new_tokens=10))
        with pytest.raises(RuntimeError, match="broken row"):
            list(failing)
        assert "".join(fine) == expected
        assert batching.stats().batch_sizes == (2,)


def test_refused_adapters_are_listed_with_reasons_and_never_loaded(
    tiny_gpt2_dir: Path, tiny_adapters_dir: Path, tmp_path: Path
) -> None:
    root = tmp_path / "adapters"
    for name in ("explain", "tampered", "pickled", "unlisted", "elsewhere"):
        shutil.copytree(tiny_adapters_dir / "explain", root / name)
    weights = root / "tampered" / WEIGHTS_NAME
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    (root / "pickled" / "adapter_model.bin").write_bytes(b"not loaded")
    (root / "unlisted" / MANIFEST_NAME).unlink()
    manifest = root / "elsewhere" / MANIFEST_NAME
    manifest.write_text(
        manifest.read_text().replace(str(tiny_gpt2_dir.resolve()), "openai-community/gpt2")
    )
    (root / "notes").mkdir()  # not an adapter folder at all: ignored

    with Generator(str(tiny_gpt2_dir), root) as gen:
        assert gen.adapter_names == ("explain",)
        refused = gen.refused
        assert set(refused) == {"tampered", "pickled", "unlisted", "elsewhere"}
        assert "does not match its sha256" in refused["tampered"]
        assert "pickle weights adapter_model.bin" in refused["pickled"]
        assert f"no {MANIFEST_NAME}" in refused["unlisted"]
        assert (
            "was trained on openai-community/gpt2, the loaded base model is" in refused["elsewhere"]
        )
        with pytest.raises(UnknownAdapter, match="'tampered' was refused: .*sha256"):
            gen.stream(request("tampered"))


def test_a_missing_base_model_makes_it_unavailable_with_a_reason_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "no-such-model"
    gen = Generator(str(missing), None)
    with caplog.at_level(logging.ERROR, logger="adapters.generator"):
        assert gen.available is False
        assert gen.available is False
        reason = gen.unavailable_reason
        with pytest.raises(ModelUnavailable, match="could not be loaded"):
            gen.stream(request(None))
    assert reason is not None and str(missing) in reason
    assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 1


def test_a_closed_generator_refuses_new_requests(tiny_gpt2_dir: Path) -> None:
    gen = Generator(str(tiny_gpt2_dir), None)
    assert gen.generate(request(None, max_new_tokens=2))
    gen.close()
    assert not gen.available
    with pytest.raises(ModelUnavailable, match="closed"):
        gen.stream(request(None))


def test_generator_counts_tokens_with_its_tokenizer(tiny_gpt2_dir) -> None:
    from transformers import AutoTokenizer

    from adapters.generator import Generator

    text = "What is 3/4 of 12? Think about the denominator first."
    expected = len(AutoTokenizer.from_pretrained(tiny_gpt2_dir)(text)["input_ids"])
    with Generator(str(tiny_gpt2_dir), None) as generator:
        assert generator.count_tokens(text) == expected
        assert 16 <= generator.max_prompt_tokens < 512
