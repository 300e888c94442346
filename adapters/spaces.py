"""`@spaces.GPU` around generation on Hugging Face ZeroGPU Spaces; nothing anywhere else.

ZeroGPU attaches a GPU only while a function decorated with `spaces.GPU` runs, so every
forward pass of a request must happen inside that call. The wrapped `stream` is therefore the
generator's `stream_inline` (the request is decoded in the calling thread, from prefill to the
last token), never the worker-thread `stream`, whose forward passes would run outside the GPU
call. The `spaces` package exists only on Spaces: the wrapper is applied when it imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from prompts.request import GenerationRequest


class InlineGenerator(Protocol):
    """What the wrapper needs: a generator that can decode a request in the caller's thread."""

    @property
    def available(self) -> bool: ...

    @property
    def unavailable_reason(self) -> str | None: ...

    def stream_inline(self, request: GenerationRequest) -> Iterator[str]: ...


GpuDecorator = Callable[[Callable[..., Iterator[str]]], Callable[..., Iterator[str]]]


class GpuGenerator:
    """A generator whose `stream` runs, forward passes included, under `spaces.GPU`."""

    def __init__(self, inner: InlineGenerator, gpu: GpuDecorator) -> None:
        self._inner = inner
        self._stream = gpu(inner.stream_inline)

    @property
    def available(self) -> bool:
        return bool(self._inner.available)

    @property
    def unavailable_reason(self) -> str | None:
        return self._inner.unavailable_reason

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        yield from self._stream(request)

    def __getattr__(self, name: str) -> Any:  # count_tokens, last_failure, close, ...
        return getattr(self._inner, name)


def on_spaces_gpu(generator: InlineGenerator) -> Any:
    """`generator` wrapped for ZeroGPU when the `spaces` package is present, else itself."""
    try:
        spaces = importlib.import_module("spaces")
    except ImportError:
        return generator
    return GpuGenerator(generator, spaces.GPU)
