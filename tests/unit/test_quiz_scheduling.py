"""FSRS review: right answers push the due date out, wrong ones bring it back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fsrs import Rating

from atlas_app.quiz.scheduling import due_of, rating_for, review

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_rating_rule():
    assert rating_for(True, 1.0, first_time=True) == Rating.Easy
    assert rating_for(True, 1.0, first_time=False) == Rating.Good
    assert rating_for(False, 0.6, first_time=False) == Rating.Hard
    assert rating_for(False, 0.2, first_time=True) == Rating.Again
    assert rating_for(False, None, first_time=False) == Rating.Again


def test_right_answers_move_the_due_date_out():
    card, due1 = review(None, True, NOW)
    assert due1 - NOW >= timedelta(days=1)
    card, due2 = review(card, True, due1)
    assert due2 - due1 > due1 - NOW, "each success spaces the next review further"
    assert json.loads(card)["stability"] > 0
    assert due_of(card) == due2


def test_a_wrong_answer_brings_the_item_back_soon():
    card, due = review(None, True, NOW)
    card, due = review(card, True, due)
    later = due + timedelta(days=1)
    _, again = review(card, False, later, score=0.0)
    assert again - later < timedelta(hours=1)


def test_a_missed_new_item_is_due_within_minutes():
    _, due = review(None, False, NOW)
    assert NOW < due <= NOW + timedelta(minutes=15)


def test_partial_answers_fall_between():
    card, due = review(None, True, NOW)
    card, due = review(card, True, due)
    at = due
    _, hard = review(card, False, at, score=0.7)
    _, again = review(card, False, at, score=0.0)
    _, good = review(card, True, at)
    assert again <= hard <= good


def test_naive_times_are_taken_as_utc_and_results_are_utc():
    _, due = review(None, True, NOW.replace(tzinfo=None))
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)


def test_reviews_are_deterministic():
    a = review(None, True, NOW)[1]
    b = review(None, True, NOW)[1]
    assert a == b
