"""Spaced review with FSRS (the ``fsrs`` package): one card per user and item.

The rating rule turns a graded answer into an FSRS rating:

==========================================  ========
answer                                      rating
==========================================  ========
right, the first time the item is seen      Easy
right                                       Good
wrong, but half or more of it right         Hard
wrong                                       Again
==========================================  ========

A card is stored as FSRS's own JSON, with its due time beside it for querying.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler

PARTIAL = 0.5
_scheduler = Scheduler(enable_fuzzing=False)  # the same answers give the same due dates


def rating_for(correct: bool, score: float | None, first_time: bool) -> Rating:
    """The FSRS rating of an answer (see the table above)."""
    if correct:
        return Rating.Easy if first_time else Rating.Good
    if score is not None and score >= PARTIAL:
        return Rating.Hard
    return Rating.Again


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def review(
    card_json: str | None, correct: bool, when: datetime, score: float | None = None
) -> tuple[str, datetime]:
    """The card after this answer, as JSON, and when the item is next due (UTC)."""
    card = Card.from_json(card_json) if card_json else Card()
    rating = rating_for(correct, score, first_time=card_json is None)
    card, _ = _scheduler.review_card(card, rating, _utc(when))
    return card.to_json(), _utc(card.due)


def due_of(card_json: str) -> datetime:
    return _utc(Card.from_json(card_json).due)
