"""Throughput and time to first token of our batching generator against a naive server.

A GPT-2-small-shaped model with random weights (same cost as the real one, no hub) and a
synthetic 50,257-word tokenizer are saved to a temporary folder and loaded through the real
`from_pretrained` path. Every request has a 256-token prompt and gets exactly 64 new tokens
(greedy; end-of-text does not stop it). For 1 and 8 requests that arrive together it measures:

- ours: `Generator.stream` called from one thread per request (the worker batches them);
- baseline: one `model.generate` per request, one after another, as a naive server would.

Both run in this process, one after the other, on the same number of threads; the load
average before and after is printed because the CPU may be shared.

    python benchmarks/generate.py [--threads 1] [--prompt-tokens 256] [--new-tokens 64]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: no spinning OpenMP threads
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.generator import Generator
from prompts.request import Decoding, GenerationRequest

VOCAB = 50257
EOS = "<|endoftext|>"


@dataclass(frozen=True)
class Run:
    label: str
    requests: int
    wall_s: float
    ttft_s: tuple[float, ...]  # per request, from the moment all requests arrived
    tokens: int

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.wall_s

    @property
    def ttft_median(self) -> float:
        return statistics.median(self.ttft_s)


def build_model(folder: Path) -> None:
    """GPT-2 small with random weights and a word-level tokenizer: `t123` is token 123."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    vocab = {f"t{i}": i for i in range(VOCAB - 1)} | {EOS: VOCAB - 1}
    words = Tokenizer(models.WordLevel(vocab=vocab, unk_token=EOS))
    words.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=words, eos_token=EOS, bos_token=EOS, unk_token=EOS
    )
    torch.manual_seed(0)
    GPT2LMHeadModel(GPT2Config()).save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def prompts(count: int, length: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(f"t{rng.randrange(VOCAB - 1)}" for _ in range(length)) for _ in range(count)]


def run_ours(gen: Generator, texts: list[str], new_tokens: int, tokenizer: object) -> Run:
    decoding = Decoding(max_new_tokens=new_tokens, time_limit_s=3600)
    ttft = [0.0] * len(texts)
    outputs = [""] * len(texts)
    ready = threading.Barrier(len(texts) + 1)
    t0 = 0.0

    def client(i: int) -> None:
        ready.wait()
        chunks = []
        for chunk in gen.stream(GenerationRequest("bench", texts[i], None, decoding)):
            if not chunks:
                ttft[i] = time.perf_counter() - t0
            chunks.append(chunk)
        outputs[i] = "".join(chunks)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    t0 = time.perf_counter()
    ready.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    counts = [len(tokenizer(text)["input_ids"]) for text in outputs]  # type: ignore[operator]
    assert counts == [new_tokens] * len(texts), counts
    return Run("ours (batched)", len(texts), wall, tuple(ttft), sum(counts))


def run_baseline(model: object, tokenizer: object, texts: list[str], new_tokens: int) -> Run:
    from transformers import LogitsProcessor, LogitsProcessorList

    class FirstStep(LogitsProcessor):
        def __init__(self) -> None:
            self.at: float | None = None

        def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
            if self.at is None:
                self.at = time.perf_counter()
            return scores

    ttft, tokens = [], 0
    t0 = time.perf_counter()
    for text in texts:  # one request at a time, in arrival order
        inputs = tokenizer(text, return_tensors="pt")  # type: ignore[operator]
        first = FirstStep()
        with torch.inference_mode():
            out = model.generate(  # type: ignore[attr-defined]
                **inputs,
                max_new_tokens=new_tokens,
                min_new_tokens=new_tokens,
                do_sample=False,
                pad_token_id=VOCAB - 1,
                logits_processor=LogitsProcessorList([first]),
            )
        ttft.append((first.at or time.perf_counter()) - t0)
        tokens += out.shape[1] - inputs["input_ids"].shape[1]
    wall = time.perf_counter() - t0
    assert tokens == new_tokens * len(texts)
    return Run("model.generate loop", len(texts), wall, tuple(ttft), tokens)


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1, help="torch threads for both sides")
    parser.add_argument("--prompt-tokens", type=int, default=256)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    print(f"torch {torch.__version__}, {args.threads} thread(s), load average {loadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench-gpt2-") as tmp:
        folder = Path(tmp)
        build_model(folder)
        tokenizer = AutoTokenizer.from_pretrained(folder)
        baseline_model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
        top = max(args.concurrency)
        gen = Generator(str(folder), None, max_batch_size=top, batch_wait_ms=20, stop_at_eos=False)
        if not gen.available:
            raise SystemExit(f"generator unavailable: {gen.unavailable_reason}")
        warm = prompts(1, 16, seed=99)
        run_ours(gen, warm, 4, tokenizer)
        run_baseline(baseline_model, tokenizer, warm, 4)

        results: list[tuple[Run, Run]] = []
        for count in args.concurrency:
            texts = prompts(count, args.prompt_tokens, seed=count)
            assert all(len(tokenizer(t)["input_ids"]) == args.prompt_tokens for t in texts)
            base = run_baseline(baseline_model, tokenizer, texts, args.new_tokens)
            ours = run_ours(gen, texts, args.new_tokens, tokenizer)
            results.append((ours, base))
            print(
                f"  {count} request(s): ours {ours.tokens_per_s:.1f} tok/s, "
                f"baseline {base.tokens_per_s:.1f} tok/s (load {loadavg()})",
                flush=True,
            )
        gen.close()

    print()
    print(
        f"prompt {args.prompt_tokens} tokens, {args.new_tokens} new tokens, greedy, "
        f"GPT-2 small (random weights), fp32 CPU, {args.threads} thread(s)"
    )
    header = f"{'requests':>8} {'engine':<20} {'tok/s':>8} {'TTFT median s':>14} {'wall s':>8}"
    print(header)
    print("-" * len(header))
    for ours, base in results:
        for run in (base, ours):
            print(
                f"{run.requests:>8} {run.label:<20} {run.tokens_per_s:>8.1f} "
                f"{run.ttft_median:>14.2f} {run.wall_s:>8.1f}"
            )
    print()
    for ours, base in results:
        print(
            f"{ours.requests} request(s): throughput ours/baseline "
            f"{ours.tokens_per_s / base.tokens_per_s:.2f}x, median TTFT ours/baseline "
            f"{ours.ttft_median / base.ttft_median:.2f}x"
        )
    print(f"load average after: {loadavg()}")


if __name__ == "__main__":
    main()
