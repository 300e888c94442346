"""The chat's text as shown: a solution's numbered steps stay apart from the next question."""

from __future__ import annotations

from tutor.tutor import HistoryItem
from tutor.ui.chat_view import from_store, separate_lists


def test_a_paragraph_after_a_list_is_not_its_last_item() -> None:
    text = "Solution:\n1. Add 3 and 4.\n2. That is 7.\nNext question: what is 5 + 6?"
    shown = separate_lists(text)
    assert shown == "Solution:\n1. Add 3 and 4.\n2. That is 7.\n\nNext question: what is 5 + 6?"
    assert separate_lists(shown) == shown  # already apart: unchanged


def test_lists_and_indented_continuations_are_left_alone() -> None:
    text = "- a\n- b\n  still b\n\nafter"
    assert separate_lists(text) == text


def test_history_from_the_store_is_shown_apart_too() -> None:
    items = [HistoryItem(role="tutor", text="1. step\nNext: 2 + 2?", status="ok")]
    (message,) = from_store(items)
    assert message["content"].endswith("1. step\n\nNext: 2 + 2?")
