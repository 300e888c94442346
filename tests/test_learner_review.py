"""FSRS review cards: JSON round-trip, deterministic scheduling, timezone discipline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tutor.learner.review import due_at, is_due, new_review_card, review

NOW = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)


def test_a_new_card_is_json_safe_and_due_in_days_not_now() -> None:
    card = new_review_card(NOW)
    assert json.loads(json.dumps(card)) == card
    assert not is_due(card, NOW)
    assert timedelta(days=1) <= due_at(card) - NOW <= timedelta(days=4)
    assert is_due(card, due_at(card))


def test_review_round_trip_through_json() -> None:
    card = json.loads(json.dumps(new_review_card(NOW)))
    when = due_at(card)
    good, good_due = review(card, correct=True, now=when)
    again, again_due = review(card, correct=False, now=when)
    assert json.loads(json.dumps(good)) == good
    assert good_due > again_due > when  # remembering pushes the next review further out
    assert good["stability"] > again["stability"]
    # deterministic: no fuzz
    assert review(card, correct=True, now=when) == (good, good_due)


def test_times_in_other_zones_are_the_same_instant() -> None:
    card = new_review_card(NOW)
    paris = due_at(card).astimezone(timezone(timedelta(hours=1)))
    assert is_due(card, paris)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        new_review_card(datetime(2025, 3, 10))
    with pytest.raises(ValueError, match="not a review card"):
        review({"nonsense": 1}, correct=True, now=NOW)
