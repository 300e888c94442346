"""Does a tutor move state the answer? Used to keep answer-leaking moves out of training.

The tutor's output guard refuses a hint that states the answer; training on such hints would
teach the model the very thing the guard then throws away. A number counts as stated when it
appears as a whole number token ("10 spoons", "$10.", not "100" or "10.5").
"""

from __future__ import annotations

import re


def final_number(solution: str) -> str | None:
    """The number on the last non-blank line of a worked solution ("1,000" -> "1000")."""
    lines = [line for line in solution.splitlines() if line.strip()]
    if not lines:
        return None
    found = re.findall(r"-?\d+(?:,\d{3})*(?:\.\d+)?", lines[-1])
    return found[-1].replace(",", "") if found else None


def states_number(text: str, number: str) -> bool:
    """True when `number` appears in `text` as a whole number (thousands separators ignored)."""
    plain = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    return re.search(rf"(?<![\d.]){re.escape(number)}(?!\d|\.\d)", plain) is not None


def states_phrase(text: str, phrase: str) -> bool:
    """True when `phrase` appears in `text`, ignoring case and spacing."""
    fold = lambda s: " ".join(s.casefold().split())  # noqa: E731
    return fold(phrase) in fold(text)
