"""The verifier: words are shown only when they say what their plan says, and nothing else.

Every check reads the plan (`prompts.plan.MovePlan`) and the text, in one pass over the text
each, so the cost is linear in the text's length. A failed check names itself; the caller
shows `plan.template` instead and logs the problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prompts.plan import MovePlan

# A number as a student or a model writes it: 12, 1,250, 0.75, 3/4, -5. One regex pass.
_NUMBER = re.compile(r"(?<![\w.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])-?\d+(?:[./]\d+)?")
MIN_CHARS = 8
MAX_CHARS = 900


@dataclass(frozen=True)
class Verdict:
    """The verifier's answer: `ok`, or the list of problems found."""

    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def numbers_in(text: str) -> list[str]:
    """Every number in `text`, normalised ("1,250" -> "1250", "-0" kept as written)."""
    return [m.group(0).replace(",", "") for m in _NUMBER.finditer(text)]


def _normalise(number: str) -> str:
    return number.replace(",", "").replace("−", "-").strip()


def check_words(text: str, plan: MovePlan) -> Verdict:
    """Check model words against their plan; see the module docstring."""
    problems: list[str] = []
    stripped = text.strip()
    if len(stripped) < MIN_CHARS:
        problems.append(f"too short ({len(stripped)} chars)")
    if len(stripped) > MAX_CHARS:
        problems.append(f"too long ({len(stripped)} chars, at most {MAX_CHARS})")
    lowered = stripped.lower()
    allowed = {_normalise(n) for n in plan.numbers}
    stray = sorted({n for n in numbers_in(stripped) if n not in allowed})
    if stray:
        problems.append(f"numbers not in the plan: {', '.join(stray)}")
    missing = [s for s in plan.must_say if s.lower() not in lowered]
    if missing:
        problems.append(f"required facts missing: {', '.join(missing)}")
    forbidden = [s for s in plan.must_not_say if s and s.lower() in lowered]
    if forbidden:
        problems.append(f"says what it must not: {', '.join(forbidden)}")
    if not plan.reveals_answer:
        safe = {_normalise(n) for n in plan.safe_equal_to_key}
        present = set(numbers_in(stripped))
        leaked = [
            form
            for form in plan.answer_forms
            if _normalise(form) not in safe
            and (_normalise(form) in present or (not _is_number(form) and form.lower() in lowered))
        ]
        if leaked:
            problems.append(f"gives away the answer: {', '.join(leaked)}")
    return Verdict(tuple(problems))


def _is_number(form: str) -> bool:
    return bool(re.fullmatch(r"-?\d+(?:[./]\d+)?", _normalise(form)))
