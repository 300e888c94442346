"""Deterministic train/validation assignment by a stable key, not by position.

Hashing a key (the normalised problem text, a dialogue id) means a problem lands on the same
side whatever else is in the build: MathDial dialogues on a GSM8K training problem share that
problem's key, so an explain adapter and a hint adapter built with the same seed never
validate on a problem the other one trained on.
"""

from __future__ import annotations

import hashlib
import unicodedata


def problem_key(question: str) -> str:
    """The split key of a word problem: its text, NFC, case- and whitespace-folded."""
    text = unicodedata.normalize("NFC", question).casefold()
    return "problem:" + " ".join(text.split())


def is_validation(key: str, *, seed: int, validation_fraction: float) -> bool:
    """True when `key` belongs to the validation side for this seed and fraction."""
    digest = hashlib.sha256(f"{seed}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < validation_fraction
