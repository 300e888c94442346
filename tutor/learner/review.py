"""Spaced review of mastered skills with FSRS (the `fsrs` package), as JSON-safe card dicts.

A skill gets a card when it is mastered, and that mastery counts as the card's first successful
recall, so the first review falls due days later (about 2 with FSRS-6's defaults), not at once.
Each later attempt on the skill while it is under review is a review: correct is "Good",
wrong is "Again".

Settings, and why:
- no learning or relearning steps: those are minute-scale repetitions meant for flashcards; a
  skill that needs more practice now gets it from the mastery loop, not from the card;
- no fuzz: the same history always gives the same due date, so tests and replays agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from fsrs import Card, Rating, Scheduler
from fsrs.card import CardDict


def _scheduler() -> Scheduler:
    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("review times must be timezone-aware (e.g. datetime.now(UTC))")
    return now.astimezone(UTC)


def _card(card: dict[str, Any]) -> Card:
    try:
        # A stored card is a dict `Card.to_dict` wrote; `from_dict` refuses one that is not.
        return Card.from_dict(cast(CardDict, card))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a review card: {card!r} ({exc})") from None


def new_review_card(now: datetime) -> dict[str, Any]:
    """The card of a skill mastered at `now`, its first recall already recorded."""
    now = _utc(now)
    card = Card(card_id=int(now.timestamp() * 1000), due=now)
    reviewed, _ = _scheduler().review_card(card, Rating.Good, now)
    return dict(reviewed.to_dict())


def review(
    card: dict[str, Any], *, correct: bool, now: datetime
) -> tuple[dict[str, Any], datetime]:
    """The card after an attempt at `now`, and when it is next due."""
    updated, _ = _scheduler().review_card(
        _card(card), Rating.Good if correct else Rating.Again, _utc(now)
    )
    return dict(updated.to_dict()), updated.due


def due_at(card: dict[str, Any]) -> datetime:
    return _card(card).due


def is_due(card: dict[str, Any], now: datetime) -> bool:
    return due_at(card) <= _utc(now)
