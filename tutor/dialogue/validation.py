"""The checks a student's raw message passes before anything is stored or cleaned.

The length limit applies to the text as received: a 100 KB message is refused before any
normalisation work is spent on it, and before a row is written.
"""

from __future__ import annotations

from tutor.dialogue import texts
from tutor.dialogue.views import MessageRejected


def validate_message(message: object, *, max_chars: int) -> str:
    """Return `message` unchanged when acceptable, else raise `MessageRejected`."""
    if not isinstance(message, str):
        raise MessageRejected(texts.REJECT_NOT_TEXT)
    if len(message) > max_chars:
        raise MessageRejected(texts.reject_too_long(len(message), max_chars))
    if not message.strip():
        raise MessageRejected(texts.REJECT_EMPTY)
    if "\x00" in message:
        raise MessageRejected(texts.REJECT_INVALID)
    try:
        message.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: not text any store can keep
        raise MessageRejected(texts.REJECT_INVALID) from None
    return message
