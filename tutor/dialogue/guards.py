"""Output guards: what a model's text must pass before a student sees it.

A model's words are untrusted (OWASP LLM05): markdown images and links are an exfiltration
channel, a runaway generation floods the chat, and a hint that states the answer defeats the
exercise. The answer check itself is the curriculum's `reveals_answer`, passed in as a
predicate so these functions stay independent of how an exercise is represented.
"""

from __future__ import annotations

import re
from collections.abc import Callable

MAX_MODEL_CHARS = 800  # longest model text shown in one reply part

_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)?")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)?")
_REF_LINK = re.compile(r"^\s*\[[^\]\n]*\]:\s*\S+.*$", re.MULTILINE)
_URL = re.compile(r"\b(?:https?|ftp|file|data|javascript):\S*", re.IGNORECASE)
_WWW = re.compile(r"\bwww\.\S+", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>\n]*>")
_SPACES = re.compile(r"[ \t]{2,}")


def strip_markup(text: str) -> str:
    """Drop markdown images, keep a link's words but not its target, drop URLs and HTML tags."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub("", text)
    text = _URL.sub("", text)
    text = _WWW.sub("", text)
    text = _TAG.sub("", text)
    return _SPACES.sub(" ", text)


def cap_length(text: str, max_chars: int = MAX_MODEL_CHARS) -> str:
    """Cut an over-long text at the last sentence end within the cap (else at the cap)."""
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    cut = max(head.rfind(". "), head.rfind("? "), head.rfind("! "), head.rfind("\n"))
    return head[: cut + 1].rstrip() if cut > max_chars // 3 else head.rstrip() + "…"


def clean_model_text(text: str, max_chars: int = MAX_MODEL_CHARS) -> str:
    """The formatting guard every model text passes: markup out, length capped, trimmed."""
    return cap_length(strip_markup(text), max_chars).strip()


def unbalanced(text: str) -> bool:
    """True while `text` may still be inside a link, image or tag that a later chunk closes."""
    return (
        text.count("[") > text.count("]")
        or text.count("(") > text.count(")")
        or (text.count("<") > text.count(">"))
    )


def guard_text(
    text: str, *, leaks: Callable[[str], bool], template: str, last_resort: str
) -> tuple[str, bool]:
    """Return (text to show, replaced?): the template when `text` leaks, and the last-resort
    text should even the template leak (it never should; this keeps the promise anyway)."""
    if text and not leaks(text):
        return text, False
    if not leaks(template):
        return template, True
    return last_resort, True
