"""The one seam between the tutor and a language model, and a scripted fake for tests.

The real generator (`adapters.generator.Generator`) fits `TextGenerator` structurally; the
tutor never imports it. `app.py` or the CLI hands one in.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from prompts.request import GenerationRequest


class GeneratorUnavailable(RuntimeError):
    """The model cannot serve this request (not loaded, out of memory, ...): use a template."""


@runtime_checkable
class TextGenerator(Protocol):
    """Streams text for a request. `available` is False when no model could be loaded."""

    @property
    def available(self) -> bool: ...

    @property
    def unavailable_reason(self) -> str | None: ...

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        """Yield chunks of text; raise `GeneratorUnavailable` or any error mid-stream."""
        ...


class UnavailableGenerator:
    """A generator that never generates: the tutor falls back to templates for everything."""

    def __init__(self, reason: str = "no language model is configured") -> None:
        self._reason = reason

    @property
    def available(self) -> bool:
        return False

    @property
    def unavailable_reason(self) -> str | None:
        return self._reason

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        raise GeneratorUnavailable(self._reason)


Reply = str | Callable[[GenerationRequest], Iterable[str] | str]


class ScriptedGenerator:
    """A fake model for tests: replies from a queue (or a function), and records every call.

    A reply is a string (streamed word by word) or a callable taking the request and returning
    a string or an iterable of chunks (which may raise midway, to test failures).
    """

    def __init__(self, replies: Iterable[Reply] = (), *, default: Reply | None = None) -> None:
        self._replies: deque[Reply] = deque(replies)
        self._default = default
        self._lock = threading.Lock()
        self.requests: list[GenerationRequest] = []

    @property
    def available(self) -> bool:
        return True

    @property
    def unavailable_reason(self) -> str | None:
        return None

    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        with self._lock:
            self.requests.append(request)
            reply = self._replies.popleft() if self._replies else self._default
        if reply is None:
            raise AssertionError(f"ScriptedGenerator has no reply queued for task {request.task}")
        produced = reply(request) if callable(reply) else reply
        if isinstance(produced, str):
            words = produced.split(" ")
            for i, word in enumerate(words):
                yield word if i == len(words) - 1 else word + " "
        else:
            yield from produced


DEFAULT_PROMPT_BUDGET = 700  # tokens of prompt when the generator does not say (GPT-2: 1024)


def token_counter(generator: object) -> Callable[[str], int]:
    """The generator's own `count_tokens(text)` when it has one, else a rough estimate.

    Optional on the protocol: a fake or remote generator may not know its tokenizer. The
    estimate (a token per three characters) errs towards overcounting English text for GPT-2's
    BPE, so a prompt built with it fits the real budget.
    """
    counter = getattr(generator, "count_tokens", None)
    if callable(counter):
        return counter
    return estimate_tokens


def estimate_tokens(text: str) -> int:
    return len(text) // 3 + 1


def prompt_budget(generator: object) -> int:
    """The generator's `max_prompt_tokens` when it has one, else `DEFAULT_PROMPT_BUDGET`."""
    budget = getattr(generator, "max_prompt_tokens", None)
    return budget if isinstance(budget, int) and budget > 0 else DEFAULT_PROMPT_BUDGET


@dataclass(frozen=True)
class ServingStatus:
    """What writes the tutor's words now: for the teacher view and `tutor adapters list`."""

    available: bool
    base_model: str | None  # the id adapters name (a hub id, or the offline base's id)
    adapters: tuple[str, ...]  # loaded adapter names (tasks)
    refused: tuple[tuple[str, str], ...]  # (adapter, reason) for folders not loaded
    reason: str | None  # why the model is unavailable, when it is

    def describe(self) -> str:
        """One line: "SmolLM2 ... with adapters hint, feedback" or why templates are used."""
        if not self.available:
            return f"templates only: {self.reason or 'no model'}"
        loaded = ", ".join(self.adapters) or "none (templates for every task)"
        return f"{self.base_model} with adapters {loaded}"


def serving_status(generator: object) -> ServingStatus:
    """Read what `generator` serves, by attribute (any TextGenerator; torch-free).

    The base is named by the id its adapters' manifests record (stable across machines),
    falling back to the generator's `base_model`.
    """
    available = bool(getattr(generator, "available", False))
    adapters: Mapping[str, object] = getattr(generator, "adapters", None) or {}
    refused: Mapping[str, str] = getattr(generator, "refused", None) or {}
    base = getattr(generator, "base_model", None)
    for loaded in adapters.values():
        manifest = getattr(loaded, "manifest", None)
        base = getattr(manifest, "base_model", None) or base
        break
    return ServingStatus(
        available=available,
        base_model=base if isinstance(base, str) else None,
        adapters=tuple(sorted(adapters)) if available else (),
        refused=tuple(sorted(refused.items())) if available else (),
        reason=getattr(generator, "unavailable_reason", None),
    )
