"""The generator: one base model, every adapter beside it, many requests decoded together.

Fits `tutor.generation.TextGenerator` structurally (the tutor never imports this module).

    stream(request) --> queue --> worker thread (owns the model) --> per-request queues
                                   | fast path (GPT-2, Llama; `adapters.fastpath`): rows
                                   |   join after their own prefill and leave when done
                                   |   (`adapters.continuous`), every row its own adapter;
                                   | reference path (any other model, precision
                                   |   "reference"): left-padded static batches through
                                   |   transformers' forward with peft's `adapter_names`.
    stream_inline(request)  --> the same loop in the caller's thread, one request (ZeroGPU:
                                the forward passes must run inside the `@spaces.GPU` call).

A forward pass that fails is logged at ERROR with its traceback and kept in `last_failure`
(the teacher view shows it): a model that breaks must never look like a quiet template.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import torch

from adapters.manifest import AdapterRefused, Manifest, adapter_folders, verify_adapter_folder
from adapters.rows import DONE as _DONE
from adapters.rows import Job as _Job
from adapters.rows import make_row, step_rows
from adapters.sampling import choose_token  # noqa: F401  (tests patch it here)
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
class ModelFailure:
    """The latest forward pass that failed: what the teacher view shows, and the log says."""

    at: float  # time.time()
    error: str  # "TypeError: ..."
    requests: int  # how many requests it ended
    count: int  # failures since the generator started

    def __str__(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.at))
        return f"{self.error} at {when} ({self.count} failure(s) so far)"


PRECISIONS = ("auto", "reference", "fp32", "int8")


@dataclass(frozen=True)
class LoadedAdapter:
    name: str
    path: Path
    manifest: Manifest


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
        precision: str = "auto",
        prefill_chunk: int = 256,
    ) -> None:
        """`precision`: "auto" (the fast path in fp32 on a CPU where it knows the
        architecture, else transformers' forward), "reference" (always transformers' forward),
        "fp32" or "int8" (the fast path; int8 weights, fp32 LoRA: faster, not token-exact)."""
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}")
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
        self.precision = precision
        self.prefill_chunk = prefill_chunk
        self._fast: Any = None  # adapters.fastpath.FastDecoder when the fast path serves
        self._serving_path = "none"
        self._failures = 0
        self._last_failure: ModelFailure | None = None
        self._worker_lock = threading.Lock()
        self._runner: _Runner | None = None  # the worker's batch (tests read its counters)

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
        self._start_worker()
        self._jobs.put(job)
        return self._drain(job)

    def stream_inline(self, request: GenerationRequest) -> Iterator[str]:
        """Decode `request` alone in the calling thread: every forward pass runs inside this
        call (ZeroGPU attaches the GPU only while a `@spaces.GPU` function runs)."""
        if not self.available:
            raise ModelUnavailable(self.unavailable_reason or "the model is unavailable")
        job = _Job(request, self._resolve_adapter(request.adapter), time.monotonic())
        self._count_batch([job])
        try:
            for _ in self._run(1).steps_for([job]):
                yield from self._ready(job)
            yield from self._ready(job)
        finally:
            job.cancelled.set()

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

    @property
    def serving_path(self) -> str:
        """Which path serves: "fast fp32", "fast int8", "reference" or "none"."""
        self.load()
        return self._serving_path

    @property
    def last_failure(self) -> ModelFailure | None:
        """The latest failed forward pass (None: none yet). Read by the teacher view."""
        return self._last_failure

    @property
    def failure_count(self) -> int:
        return self._failures

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
            # transformers wraps `.to` in functools.wraps, whose type loses the bound self
            model.to(self._device)  # type: ignore[arg-type]
        except Exception as exc:  # any failure means: no model, templates instead
            self._reason = f"base model {self.base_model!r} could not be loaded: {exc}"
            log.error("generator unavailable: %s", self._reason)
            return
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token  # GPT-2 has none; pads are masked anyway
        self._tokenizer = tokenizer
        self._max_positions = int(getattr(model.config, "max_position_embeddings", 1024))
        self._model = self._attach_adapters(model).eval()
        self._fast = self._build_fast_path()
        self._serving_path = (
            f"fast {self._fast.precision}" if self._fast is not None else "reference"
        )
        log.info(
            "generator ready: %s on %s (%s path) with adapters %s",
            self.base_model,
            self._device,
            self._serving_path,
            ", ".join(sorted(self._adapters)) or "none",
        )

    def _build_fast_path(self) -> Any:
        """The fast decoder for this model, or None (reference path) with the reason logged."""
        wanted = self.precision
        if wanted == "reference" or (wanted == "auto" and self._device.type != "cpu"):
            return None
        from adapters.fastpath import FastDecoder, Unsupported

        try:
            return FastDecoder.from_model(
                self._model, precision="fp32" if wanted == "auto" else wanted
            )
        except Unsupported as exc:
            if wanted != "auto":
                log.error("precision %s unavailable (%s): the reference path serves", wanted, exc)
            else:
                log.info("fast path unavailable (%s): transformers' forward serves", exc)
            return None

    def _start_worker(self) -> None:
        """The worker starts on the first queued request (never on ZeroGPU's inline path)."""
        with self._worker_lock:
            if self._worker is None and not self._closed:
                self._worker = threading.Thread(
                    target=self._work, name="tutor-generator", daemon=True
                )
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

    @staticmethod
    def _ready(job: _Job) -> Iterator[str]:
        """What the inline loop has produced for `job` so far, without waiting."""
        while True:
            try:
                item = job.out.get_nowait()
            except queue.Empty:
                return
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    # ---- the worker ----------------------------------------------------------------------

    def _run(self, slots: int) -> _Runner:
        if self._fast is not None:
            from adapters.continuous import ContinuousBatch

            return ContinuousBatch(
                self._fast,
                self._tokenizer,
                slots=slots,
                chunk=self.prefill_chunk,
                stop_at_eos=self.stop_at_eos,
                on_failure=self._record_failure,
            )
        return _ReferenceRuns(self, slots)

    def _work(self) -> None:
        runner = self._runner = self._run(self.max_batch_size)
        stopping = False
        while True:
            if runner.busy:
                group, stop = self._take(wait=False)
            elif stopping:
                return
            else:
                group, stop = self._take(wait=True)
            stopping = stopping or stop
            if group:
                self._count_batch(group)
                for job in group:
                    runner.add(job)
            if runner.busy:
                runner.step()

    def _take(self, *, wait: bool) -> tuple[list[_Job], bool]:
        """Jobs that are waiting. With `wait`, block for the first one, then gather more for
        up to `batch_wait_ms` (up to `max_batch_size`), so requests arriving together start
        together. Returns the jobs and whether the worker was told to stop."""
        group: list[_Job] = []
        if wait:
            first = self._jobs.get()
            if first is _STOP_WORKER:
                return group, True
            group.append(first)
            deadline = time.monotonic() + self.batch_wait_s
            while len(group) < self.max_batch_size:
                try:
                    job = self._jobs.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if job is _STOP_WORKER:
                    return group, True
                group.append(job)
            return group, False
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return group, False
            if job is _STOP_WORKER:
                return group, True
            group.append(job)

    def _count_batch(self, jobs: list[_Job]) -> None:
        with self._stats_lock:
            self._batches += 1
            self._requests += len(jobs)
            self._recent.append(tuple(job.adapter for job in jobs))

    def _record_failure(self, exc: BaseException, requests: int) -> None:
        """Loud: an ERROR with the traceback, and `last_failure` for the teacher view."""
        with self._stats_lock:
            self._failures += 1
            self._last_failure = ModelFailure(
                time.time(), f"{type(exc).__name__}: {exc}", requests, self._failures
            )
        log.error(
            "MODEL FAILURE (%s path): a forward pass failed, %d request(s) fall back to "
            "templates: %r",
            self._serving_path,
            requests,
            exc,
            exc_info=exc,
        )


class _Runner(Protocol):
    @property
    def busy(self) -> bool: ...

    def add(self, job: _Job) -> None: ...

    def step(self) -> None: ...

    def steps_for(self, jobs: list[_Job]) -> Iterator[None]: ...


class _ReferenceRuns:
    """Static batches through transformers' forward, stepped one forward pass at a time."""

    def __init__(self, owner: Generator, slots: int) -> None:
        self.owner = owner
        self.slots = slots
        self.pending: deque[_Job] = deque()
        self._steps: Iterator[None] | None = None
        self._jobs: list[_Job] = []

    @property
    def busy(self) -> bool:
        return bool(self.pending) or self._steps is not None

    def add(self, job: _Job) -> None:
        self.pending.append(job)

    def step(self) -> None:
        if self._steps is None:
            count = min(self.slots, len(self.pending))
            self._jobs = [self.pending.popleft() for _ in range(count)]
            self._steps = _BatchRun(self.owner, self._jobs).steps()
        try:
            with torch.inference_mode():
                next(self._steps)
        except StopIteration:
            self._steps = None
        except Exception as exc:  # the whole batch failed (e.g. out of memory)
            self._steps = None
            self.owner._record_failure(exc, len(self._jobs))
            for job in self._jobs:
                job.out.put(exc)

    def steps_for(self, jobs: list[_Job]) -> Iterator[None]:
        for job in jobs:
            self.add(job)
        while self.busy:
            self.step()
            yield None


class _BatchRun:
    """One static batch: prefill all prompts left-padded, then decode until every row ends."""

    def __init__(self, owner: Generator, jobs: list[_Job]) -> None:
        self.model = owner._model
        self.tokenizer = owner._tokenizer
        self.device = owner._device
        self.stop_at_eos = owner.stop_at_eos
        self.eos_id = self.tokenizer.eos_token_id
        self.uses_adapters = bool(owner._adapters)
        self.rows = [make_row(job, self.tokenizer, owner._max_positions) for job in jobs]

    def steps(self) -> Iterator[None]:
        """One forward pass per iteration (the first is the prefill)."""
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
                cache=cache,  # transformers >= 5.24; `past_key_values` goes in 5.40
                use_cache=True,
                logits_to_keep=1,  # prefill: the last position only, not (B, T, vocab)
                **extra,
            )
            cache = out.cache
            logits = out.logits[:, -1, :]  # (B, vocab)
            next_ids = step_rows(rows, logits, eos_id=self.eos_id, stop_at_eos=self.stop_at_eos)
            yield None
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
