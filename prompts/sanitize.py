"""Make student text safe to store and to put in a prompt.

GPT-2 is not instruction-tuned, so "prompt injection" here is context contamination: text
that looks like our own section markers could make the model treat a student's words as a
new section (a forged "### Response"), and invisible characters (bidi overrides, zero-width
and Unicode tag characters, the "ASCII smuggling" class) hide text from a teacher who reads
the log while the model still reads it. We remove all of these, deterministically, and keep
every visible word the student wrote (nothing is lost but markup and invisibles).
"""

from __future__ import annotations

import re
import unicodedata

# Bidi embeddings/overrides/isolates and the LRM/RLM marks ("Trojan Source").
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
# Zero-width space/joiners, word joiner, BOM / zero-width no-break space, soft hyphen.
_ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff\u00ad\u180e"
# C0 (except tab and newline) and C1 controls, and DEL. Carriage returns become newlines first.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_INVISIBLE = re.compile(f"[{_BIDI}{_ZERO_WIDTH}{_CONTROLS}\U000e0000-\U000e007f]")

# Anything that looks like our markers: role tags (<student>, </tutor>, <|endoftext|>, ...),
# a line opening a section ("### Response", also "##", "####"), and role prefixes at the start
# of a line ("Tutor:", "Teacher:") that could pass for a turn of the conversation.
_ROLE_TAG = re.compile(
    r"<\s*/?\s*(?:student|tutor|teacher|system|assistant|user)\b\s*>?|<\|[^|>]*\|>", re.I
)
_SECTION_LINE = re.compile(r"^[ \t]*#{2,}[ \t]*", re.M)
_ROLE_PREFIX = re.compile(
    r"^[ \t]*(?:student|tutor|teacher|system|assistant|user)[ \t]*:[ \t]*", re.I | re.M
)
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_MAX_COMBINING = 2  # more combining marks on one base character is a "Zalgo" flood


def _drop_combining_floods(text: str) -> str:
    """Keep at most `_MAX_COMBINING` combining marks after each base character."""
    if text.isascii():  # the common case, and ASCII has no combining marks
        return text
    out: list[str] = []
    run = 0
    for ch in text:
        if unicodedata.combining(ch):
            run += 1
            if run > _MAX_COMBINING:
                continue
        else:
            run = 0
        out.append(ch)
    return "".join(out)


def _strip_markers(text: str) -> str:
    """Remove marker look-alikes until none is left (removal can join two halves into one)."""
    previous = None
    while previous != text:
        previous = text
        text = _ROLE_TAG.sub("", text)
        text = _SECTION_LINE.sub("", text)
        text = _ROLE_PREFIX.sub("", text)
    return text


def clean_student_text(text: str, *, max_chars: int | None = None) -> str:
    """Return `text` normalised (NFC), without invisibles, controls or marker look-alikes.

    Newlines and the visible words are kept; runs of spaces collapse to one, more than one
    blank line collapses to one, and each line is stripped. `max_chars` truncates the result
    (the caller decides whether a long text is an error; this function never raises on
    content). Idempotent: cleaning twice gives the same text.
    """
    if not isinstance(text, str):
        raise TypeError(f"student text must be a str, got {type(text).__name__}")
    if max_chars is not None and max_chars < 0:
        raise ValueError("max_chars must be non-negative")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    text = _drop_combining_floods(text)
    text = _strip_markers(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars].rstrip()
    return text


def looks_like_marker(text: str) -> bool:
    """True when `text` holds something `clean_student_text` would strip as a marker."""
    return bool(_ROLE_TAG.search(text) or _SECTION_LINE.search(text) or _ROLE_PREFIX.search(text))
