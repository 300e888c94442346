"""What the tutor asks of a generator: a prompt, the adapter that writes it, how to decode.

These types sit in `prompts` because both sides need them: `tutor` builds requests and
`adapters` serves them, and neither may import the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Decoding:
    """Decoding parameters for one task; set per task in `prompts.formats`, nowhere else."""

    max_new_tokens: int = 96
    do_sample: bool = False  # False: greedy
    temperature: float = 1.0
    top_k: int | None = None
    top_p: float | None = None
    repetition_penalty: float = 1.0
    stop: tuple[str, ...] = ()  # generation ends before the first of these strings
    time_limit_s: float = 20.0  # wall-clock budget for the whole generation
    seed: int | None = None  # sampling seed, for reproducible sampled text

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError("max_new_tokens must be at least 1")
        if self.temperature <= 0:
            raise ValueError("temperature must be positive")
        if self.top_p is not None and not 0 < self.top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
        if self.top_k is not None and self.top_k < 1:
            raise ValueError("top_k must be at least 1")
        if self.repetition_penalty <= 0:
            raise ValueError("repetition_penalty must be positive")
        if self.time_limit_s <= 0:
            raise ValueError("time_limit_s must be positive")


@dataclass(frozen=True)
class GenerationRequest:
    """One generation: the finished prompt text, the task it is for, the adapter and decoding.

    `adapter` is the adapter name to use (normally the task name); `None` means the base model.
    """

    task: str
    prompt: str
    adapter: str | None
    decoding: Decoding = field(default_factory=Decoding)
