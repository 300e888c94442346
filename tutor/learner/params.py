"""Bayesian Knowledge Tracing parameters of one skill: what packs declare and fits produce."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BktParams:
    """P(known) before practice, P(learn) per opportunity, P(guess), P(slip), P(forget).

    Guess and slip are bounded below 0.5: above it a "known" skill would predict worse answers
    than an unknown one, and the model would no longer mean what its names say.
    """

    p_init: float = 0.2
    p_learn: float = 0.15
    p_guess: float = 0.2
    p_slip: float = 0.1
    p_forget: float = 0.0

    def __post_init__(self) -> None:
        for name in ("p_init", "p_learn", "p_forget"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {value}")
        for name in ("p_guess", "p_slip"):
            value = getattr(self, name)
            if not 0.0 <= value < 0.5:
                raise ValueError(f"{name} must be within [0, 0.5), got {value}")


MASTERY_THRESHOLD = 0.95
MIN_UNASSISTED_CORRECT = 3
"""Right answers without a hint, worked example or solution that mastery needs besides
P(known) >= 0.95: mastery-learning systems ask for a run of unassisted successes, not a
probability crossed once after help."""
