"""The generator: one base model, every adapter beside it, many requests decoded together.

Fits `tutor.generation.TextGenerator` structurally (the tutor never imports this module).

    stream(request) --> queue --> worker thread (owns the model) --> per-request queues
                                   | takes what is waiting (up to max_batch_size),
                                   | left-pads, prefills once, then one decode loop with a
                                   | KV cache; each row keeps its own adapter (peft's
                                   | per-sample `adapter_names`), decoding, stop strings
                                   | and time limit, and leaves the batch when done.

Per-sample `adapter_names` instead of `set_adapter`: `set_adapter` changes state shared by
every request in flight. A batch of 8 costs about as much per step as a batch of 1 on a CPU
(the weights are read once per step either way), which is where the throughput comes from.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import warnings
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from adapters.manifest import AdapterRefused, Manifest, adapter_folders, verify_adapter_folder
from adapters.sampling import choose_token, make_rng
from adapters.textstream import TextAssembler
from prompts.formats import FORMATS
from prompts.request import GenerationRequest

log = logging.getLogger(__name__)

BASE = "__base__"  # peft's name for "no adapter" in a mixed batch


class ModelUnavailable(RuntimeError):
    """The base model could not be loaded (or the generator is closed): use templates."""


class UnknownAdapter(ValueError):
    """A request named an adapter that is not loaded (absent, or refused at load)."""


@dataclass(frozen=True)
class GeneratorStats:
    """What the worker has done: how many batches, and how large each recent one was."""

    batches: int
    requests: int
    batch_sizes: tuple[int, ...]  # most recent last, at most 100
    batch_adapters: tuple[tuple[str, ...], ...]  # adapter of each row, per recent batch


@dataclass(frozen=True)
class LoadedAdapter:
    name: str
    path: Path
    manifest: Manifest


@dataclass
class _Job:
    """One request in flight: the worker writes chunks, an exception or DONE to `out`."""

    request: GenerationRequest
    adapter: str
    submitted: float
    out: queue.Queue[Any] = field(default_factory=queue.Queue)
    cancelled: threading.Event = field(default_factory=threading.Event)


_DONE = object()
_STOP_WORKER = object()


def pick_device(device: str) -> torch.device:
    """`auto`: CUDA when present, else the CPU; anything else as torch names it."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def _refuse_missing_folder(base_model: str) -> None:
    """A path that names no folder gets a plain message, not the hub's repo-id complaint."""
    looks_like_path = base_model.startswith(("/", "./", "../", "~")) or Path(base_model).is_file()
    if looks_like_path and not Path(base_model).expanduser().is_dir():
        raise FileNotFoundError(f"no model folder at {base_model}")


def known_format_versions() -> dict[str, int]:
    """The prompt-format versions the tutor speaks now: an adapter must match one of them."""
    from prompts import FORMAT_VERSIONS

    return dict(FORMAT_VERSIONS)


def _attach(model: Any, folder: Path, name: str) -> Any:
    """Load one verified adapter folder under `name`; the first one wraps the base model."""
    from peft import PeftModel

    if isinstance(model, PeftModel):
        model.load_adapter(str(folder), adapter_name=name, is_trainable=False)
        return model
    return PeftModel.from_pretrained(model, str(folder), adapter_name=name, is_trainable=False)


class Generator:
    """Serves `base_model` with every adapter in `adapters_dir`, batching concurrent requests.

    Loading happens once, on `load()` or on first use of `available` / `stream`. If the base
    model cannot be loaded, the reason is logged once, `available` is False and `stream`
    raises ModelUnavailable, so the tutor can fall back to its templates.
    """

    def __init__(
        self,
        base_model: str,
        adapters_dir: Path | None,
        *,
        device: str = "auto",
        max_batch_size: int = 8,
        batch_wait_ms: float = 10.0,
        expected_format_versions: Mapping[str, int] | None = None,
        stop_at_eos: bool = True,
    ) -> None:
        if max_batch_size < 1:
            raise ValueError("max_batch_size must be at least 1")
        if batch_wait_ms < 0:
            raise ValueError("batch_wait_ms must not be negative")
        self.base_model = base_model
        self.adapters_dir = adapters_dir
        self.max_batch_size = max_batch_size
        self.batch_wait_s = batch_wait_ms / 1000
        self.stop_at_eos = stop_at_eos  # False only for benchmarks that need fixed lengths
        self._device_name = device
        self._expected_versions = expected_format_versions
        self._load_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._loaded = False
        self._reason: str | None = None
        self._model: Any = None
        self._tokenizer: Any = None
        self._device = torch.device("cpu")
        self._max_positions = 1024
        self._adapters: dict[str, LoadedAdapter] = {}
        self._refused: dict[str, str] = {}
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._closed = False
        self._stats_lock = threading.Lock()
        self._batches = 0
        self._requests = 0
        self._recent: deque[tuple[str, ...]] = deque(maxlen=100)

    # ---- the TextGenerator protocol -------------------------------------------------------

    @property
    def available(self) -> bool:
        self.load()
        return self._model is not None and not self._closed

    @property
    def unavailable_reason(self) -> str | None:
        self.load()
        if self._closed:
            return "the generator is closed"
        return self._reason

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        """Queue `request` now; the iterator yields its text as the worker decodes it.

        Raises ModelUnavailable (no model) or UnknownAdapter at once, before any text.
        """
        if not self.available:
            raise ModelUnavailable(self.unavailable_reason or "the model is unavailable")
        job = _Job(request, self._resolve_adapter(request.adapter), time.monotonic())
        self._jobs.put(job)
        return self._drain(job)

    def generate(self, request: GenerationRequest) -> str:
        """The whole text of `request` (the same as joining its stream)."""
        return "".join(self.stream(request))

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` by the base model's tokenizer (the tutor fits prompts with it).

        Without a model (unavailable) it falls back to a rough over-estimate, so a prompt built
        with it still fits when the model comes back.
        """
        if not self.load() or self._tokenizer is None:
            return len(text) // 3 + 1
        with self._count_lock:  # request threads share one Rust tokenizer
            return len(self._tokenizer(text)["input_ids"])

    @property
    def max_prompt_tokens(self) -> int:
        """Room for a prompt: the context window less the longest reply any task may ask for."""
        self.load()
        longest_reply = max(f.decoding.max_new_tokens for f in FORMATS.values())
        return max(16, self._max_positions - longest_reply)

    # ---- what is loaded ------------------------------------------------------------------

    @property
    def adapter_names(self) -> tuple[str, ...]:
        self.load()
        return tuple(sorted(self._adapters))

    @property
    def adapters(self) -> Mapping[str, LoadedAdapter]:
        self.load()
        return dict(self._adapters)

    @property
    def refused(self) -> Mapping[str, str]:
        """Adapter folders that were not loaded, with the reason for each."""
        self.load()
        return dict(self._refused)

    @property
    def device(self) -> torch.device:
        return self._device

    def stats(self) -> GeneratorStats:
        with self._stats_lock:
            return GeneratorStats(
                batches=self._batches,
                requests=self._requests,
                batch_sizes=tuple(len(names) for names in self._recent),
                batch_adapters=tuple(self._recent),
            )

    def load(self) -> bool:
        """Load the base model, tokenizer and adapters once; True when the model is usable."""
        with self._load_lock:
            if not self._loaded:
                self._loaded = True
                self._load()
        return self._model is not None

    def close(self) -> None:
        """Stop the worker after the batch in progress; later requests raise ModelUnavailable."""
        self._closed = True
        if self._worker is not None:
            self._jobs.put(_STOP_WORKER)
            self._worker.join(timeout=30)
            self._worker = None

    def __enter__(self) -> Generator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- loading -------------------------------------------------------------------------

    def _load(self) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        try:
            _refuse_missing_folder(self.base_model)
            self._device = pick_device(self._device_name)
            dtype = torch.float16 if self._device.type == "cuda" else torch.float32
            tokenizer = AutoTokenizer.from_pretrained(self.base_model)
            model = AutoModelForCausalLM.from_pretrained(self.base_model, dtype=dtype)
            model.to(self._device)
        except Exception as exc:  # any failure means: no model, templates instead
            self._reason = f"base model {self.base_model!r} could not be loaded: {exc}"
            log.error("generator unavailable: %s", self._reason)
            return
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token  # GPT-2 has none; pads are masked anyway
        self._tokenizer = tokenizer
        self._max_positions = int(getattr(model.config, "max_position_embeddings", 1024))
        self._model = self._attach_adapters(model).eval()
        log.info(
            "generator ready: %s on %s with adapters %s",
            self.base_model,
            self._device,
            ", ".join(sorted(self._adapters)) or "none",
        )
        self._worker = threading.Thread(target=self._work, name="tutor-generator", daemon=True)
        self._worker.start()

    def _attach_adapters(self, model: Any) -> Any:
        folders = self._adapter_folders()
        if not folders:
            return model
        from peft import PeftModel

        expected = (
            self._expected_versions
            if self._expected_versions is not None
            else known_format_versions()
        )
        for folder in folders:
            name = folder.name
            try:
                if name == BASE:
                    raise AdapterRefused(f"adapter folder may not be named {BASE}")
                manifest = verify_adapter_folder(
                    folder, base_model=self.base_model, expected_format_versions=expected
                )
                with warnings.catch_warnings():  # transformers' deprecation, inside peft
                    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
                    model = _attach(model, folder, name)
            except Exception as exc:
                reason = exc.reason if isinstance(exc, AdapterRefused) else f"load failed: {exc}"
                self._refused[name] = reason
                log.warning("adapter %s refused: %s", name, reason)
                if isinstance(model, PeftModel) and name in model.peft_config:
                    model.delete_adapter(name)
                continue
            self._adapters[name] = LoadedAdapter(name, folder, manifest)
        return model

    def _adapter_folders(self) -> list[Path]:
        if self.adapters_dir is None:
            return []
        if not self.adapters_dir.is_dir():
            log.info("no adapters folder at %s: serving the base model only", self.adapters_dir)
        return adapter_folders(self.adapters_dir)

    def _resolve_adapter(self, adapter: str | None) -> str:
        if adapter is None or adapter == BASE:
            return BASE
        if adapter in self._adapters:
            return adapter
        if adapter in self._refused:
            raise UnknownAdapter(f"adapter {adapter!r} was refused: {self._refused[adapter]}")
        loaded = ", ".join(sorted(self._adapters)) or "none"
        raise UnknownAdapter(f"unknown adapter {adapter!r} (loaded: {loaded})")

    # ---- the consumer side ---------------------------------------------------------------

    @staticmethod
    def _drain(job: _Job) -> Iterator[str]:
        try:
            while True:
                item = job.out.get()
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            job.cancelled.set()  # a consumer that stops early frees its row

    # ---- the worker ----------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            first = self._jobs.get()
            if first is _STOP_WORKER:
                return
            batch = [first]
            deadline = time.monotonic() + self.batch_wait_s
            stop_after = False
            while len(batch) < self.max_batch_size:
                try:
                    job = self._jobs.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if job is _STOP_WORKER:
                    stop_after = True
                    break
                batch.append(job)
            self._run_batch_safely(batch)
            if stop_after:
                return

    def _run_batch_safely(self, jobs: list[_Job]) -> None:
        with self._stats_lock:
            self._batches += 1
            self._requests += len(jobs)
            self._recent.append(tuple(job.adapter for job in jobs))
        try:
            with torch.inference_mode():
                _BatchRun(self, jobs).run()
        except Exception as exc:  # the whole batch failed (e.g. out of memory)
            log.exception("generation batch of %d failed", len(jobs))
            for job in jobs:
                job.out.put(exc)


class _Row:
    """One request's state inside a running batch."""

    def __init__(self, job: _Job, prompt_ids: list[int], max_new: int, decode: Any) -> None:
        self.job = job
        self.decoding = job.request.decoding
        self.max_new = max_new
        self.seen = list(prompt_ids)  # for the repetition penalty
        self.text = TextAssembler(decode, self.decoding.stop)
        self.rng = make_rng(self.decoding)
        self.produced = 0
        self.deadline = job.submitted + self.decoding.time_limit_s
        self.done = False

    @property
    def simple_greedy(self) -> bool:
        return not self.decoding.do_sample and self.decoding.repetition_penalty == 1.0

    def finish(self, error: BaseException | None = None) -> None:
        self.done = True
        if error is not None:
            self.job.out.put(error)
            return
        tail = self.text.finish()
        if tail:
            self.job.out.put(tail)
        self.job.out.put(_DONE)


class _BatchRun:
    """One static batch: prefill all prompts left-padded, then decode until every row ends."""

    def __init__(self, owner: Generator, jobs: list[_Job]) -> None:
        self.model = owner._model
        self.tokenizer = owner._tokenizer
        self.device = owner._device
        self.stop_at_eos = owner.stop_at_eos
        self.eos_id = self.tokenizer.eos_token_id
        self.max_positions = owner._max_positions
        self.uses_adapters = bool(owner._adapters)
        self.rows = [self._make_row(job) for job in jobs]

    def _decode(self, ids: Any) -> str:
        return self.tokenizer.decode(
            list(ids), skip_special_tokens=True, clean_up_tokenization_spaces=False
        )

    def _make_row(self, job: _Job) -> _Row:
        ids = self.tokenizer(job.request.prompt)["input_ids"] or [self.eos_id]
        max_new = min(job.request.decoding.max_new_tokens, self.max_positions - 1)
        room = self.max_positions - max_new
        if len(ids) > room:
            log.warning("prompt of %d tokens cut to its last %d to fit", len(ids), room)
            ids = ids[-room:]
        return _Row(job, ids, max_new, self._decode)

    def run(self) -> None:
        rows = self.rows
        width = max(len(r.seen) for r in rows)
        pad = self.tokenizer.pad_token_id
        input_ids = torch.tensor(
            [[pad] * (width - len(r.seen)) + r.seen for r in rows], device=self.device
        )  # (B, T), left-padded so every row's next token lands in the last column
        mask = torch.tensor(
            [[0] * (width - len(r.seen)) + [1] * len(r.seen) for r in rows], device=self.device
        )
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        from transformers import DynamicCache

        cache = DynamicCache()
        while rows:
            extra = {"adapter_names": [r.job.adapter for r in rows]} if self.uses_adapters else {}
            out = self.model(
                input_ids=input_ids,
                attention_mask=mask,
                position_ids=positions,
                past_key_values=cache,
                use_cache=True,
                logits_to_keep=1,  # prefill: the last position only, not (B, T, vocab)
                **extra,
            )
            cache = out.past_key_values
            logits = out.logits[:, -1, :]  # (B, vocab)
            next_ids = self._step(rows, logits)
            keep = [i for i, r in enumerate(rows) if not r.done]
            if not keep:
                return
            if len(keep) < len(rows):
                index = torch.tensor(keep, device=self.device)
                cache.batch_select_indices(index)
                mask, positions = mask[index], positions[index]
                rows = [rows[i] for i in keep]
                next_ids = [next_ids[i] for i in keep]
            input_ids = torch.tensor(next_ids, device=self.device).unsqueeze(-1)  # (B, 1)
            mask = torch.cat([mask, mask.new_ones((len(rows), 1))], dim=-1)
            positions = positions[:, -1:] + 1

    def _step(self, rows: list[_Row], logits: torch.Tensor) -> list[int]:
        """Choose, record and stream one token per row; mark rows that are finished."""
        greedy = logits.argmax(-1).tolist()
        now = time.monotonic()
        chosen: list[int] = []
        for i, row in enumerate(rows):
            token = self.eos_id if self.eos_id is not None else 0
            if row.job.cancelled.is_set():
                row.finish()
                chosen.append(token)
                continue
            try:
                token = greedy[i] if row.simple_greedy else self._choose(row, logits[i])
                self._accept(row, token, now)
            except Exception as exc:  # this request only; the others go on
                log.warning("request for %s failed mid-generation: %s", row.job.adapter, exc)
                row.finish(exc)
            chosen.append(token)
        return chosen

    def _choose(self, row: _Row, logits: torch.Tensor) -> int:
        seen = torch.tensor(row.seen, dtype=torch.long)
        return choose_token(logits.float().cpu(), seen, row.decoding, row.rng)

    def _accept(self, row: _Row, token: int, now: float) -> None:
        if self.stop_at_eos and token == self.eos_id:
            row.finish()
            return
        row.seen.append(token)
        row.produced += 1
        delta = row.text.push(token)
        if delta:
            row.job.out.put(delta)
        if row.text.stopped or row.produced >= row.max_new:
            row.finish()
        elif now >= row.deadline:
            log.info("request for %s timed out at %d tokens", row.job.adapter, row.produced)
            row.finish()
