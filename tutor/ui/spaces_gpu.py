"""`@spaces.GPU` around generation on Hugging Face ZeroGPU Spaces; nothing anywhere else.

ZeroGPU attaches a GPU only while a function decorated with `spaces.GPU` runs. The `spaces`
package exists only there, so the wrapper is applied when it imports and skipped otherwise.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

from prompts.request import GenerationRequest


class GpuGenerator:
    """A generator whose `stream` runs under `spaces.GPU`; everything else is delegated."""

    def __init__(self, inner: Any, gpu: Any) -> None:
        self._inner = inner
        self._stream = gpu(inner.stream)

    @property
    def available(self) -> bool:
        return bool(self._inner.available)

    @property
    def unavailable_reason(self) -> str | None:
        return self._inner.unavailable_reason

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        yield from self._stream(request)

    def __getattr__(self, name: str) -> Any:  # count_tokens, max_prompt_tokens, close, ...
        return getattr(self._inner, name)


def on_spaces_gpu(generator: Any) -> Any:
    """`generator` wrapped for ZeroGPU when the `spaces` package is present, else itself."""
    try:
        spaces = importlib.import_module("spaces")
    except ImportError:
        return generator
    return GpuGenerator(generator, spaces.GPU)
