"""Chat history as Gradio's Chatbot wants it, and back: plain functions, no handlers.

The Chatbot sends `content` as a list of blocks (`{"type": "text", "text": ...}`) and accepts
plain strings back; the history a handler receives is only ever echoed to the same student,
never used to decide anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from tutor.tutor import HistoryItem

# Rendered by KaTeX in the browser; "$" inline too, as the tutor writes "$\frac{1}{2}$".
LATEX_DELIMITERS: list[dict[str, str | bool]] = [
    {"left": "$$", "right": "$$", "display": True},
    {"left": "\\[", "right": "\\]", "display": True},
    {"left": "\\(", "right": "\\)", "display": False},
    {"left": "$", "right": "$", "display": False},
]


_LIST_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s")


def separate_lists(text: str) -> str:
    """A blank line between a list and an unindented paragraph right after it: Markdown would
    otherwise read the paragraph ("Next question: ...") as part of the list's last item."""
    lines = text.split("\n")
    result: list[str] = []
    for line in lines:
        if (
            result
            and _LIST_ITEM.match(result[-1])
            and line.strip()
            and not _LIST_ITEM.match(line)
            and not line.startswith((" ", "\t"))
        ):
            result.append("")
        result.append(line)
    return "\n".join(result)


def content_to_text(content: Any) -> str:
    """Text of a message's content: a string, a list of blocks, or one block."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        if content.get("type") == "text":
            return str(content.get("text", ""))
        return ""
    if isinstance(content, list | tuple):
        return "".join(content_to_text(block) for block in content)
    return str(content)


def normalise(history: Any) -> list[dict[str, str]]:
    """The Chatbot value as `{"role", "content": str}` dicts (anything else dropped)."""
    result: list[dict[str, str]] = []
    for message in history or []:
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        if role not in ("user", "assistant"):
            continue
        result.append({"role": role, "content": content_to_text(message.get("content"))})
    return result


def from_store(items: Iterable[HistoryItem]) -> list[dict[str, str]]:
    """The stored messages as Chatbot messages (a pending or failed reply shows what it has)."""
    messages = []
    for item in items:
        role = "user" if item.role == "student" else "assistant"
        text = item.text or ("(no reply was stored)" if role == "assistant" else "")
        messages.append({"role": role, "content": separate_lists(text)})
    return messages
