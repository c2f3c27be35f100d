"""Quiz sessions, answers and review cards of signed-in users.

Each write is one transaction, committed before the function returns: an answer is in the
database as soon as :func:`record_answer` returns, whatever happens to the tab or the server
afterwards. What the quiz does with each answer, :func:`record_graded_answer`, stores the
answer *and* moves its review card in one transaction: both land, or neither. Guests
(``user_id=None``) are never written: the quiz keeps their answers in the browser session
only, and these functions refuse them (ValueError).

Reading is per user: :func:`user_answers` returns only that user's rows; a cohort's answers
(:func:`cohort_answers`) only to faculty (their own cohort) and admins, judged from the
account as stored at the moment of the call. Writes refuse an account that is gone or
deactivated (:class:`~atlas_app.storage.access.SignedOutError`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Select, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from atlas_app.quiz.scheduling import review
from atlas_app.storage.access import AccessDenied, acting_account
from atlas_app.storage.accounts import can_view_cohort, to_user
from atlas_app.storage.db import retry_when_safe, writer
from atlas_app.storage.models import (
    ITEM_ID_MAX,
    TOPIC_MAX,
    AnswerRecord,
    QuizSessionRecord,
    ReviewCardRecord,
    UserRecord,
    as_utc,
    storable_text,
    utc_now,
)

_INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class AnswerRow:
    """One stored answer, with the username of whoever gave it."""

    id: int
    session_id: int
    user_id: int
    username: str
    item_id: str
    topic: str
    seed: int
    response: str
    correct: bool
    score: float
    answered_at: datetime


@dataclass(frozen=True)
class CardRow:
    """A review card: the scheduler's state (JSON) and when the item is next due."""

    user_id: int
    item_id: str
    card_json: str
    due: datetime


@retry_when_safe
def start_session(
    engine: Engine, user_id: int | None, topics: list[str], length: int, seed: int
) -> int:
    """Store a new quiz session of a signed-in user; its id."""
    user_id = _signed_in(user_id)
    if isinstance(topics, str) or not all(isinstance(t, str) for t in topics):
        raise ValueError("topics must be a list of strings")
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise ValueError(f"a quiz has at least one item (length {length!r})")
    record = QuizSessionRecord(
        user_id=user_id,
        topics_json=json.dumps([storable_text(t) for t in topics]),
        length=length,
        seed=_seed(seed),
        started_at=utc_now(),
    )
    with Session(writer(engine), expire_on_commit=False) as session, session.begin():
        acting_account(session, user_id)
        session.add(record)
    return record.id


@retry_when_safe
def record_answer(
    engine: Engine,
    *,
    session_id: int,
    user_id: int | None,
    item_id: str,
    topic: str,
    seed: int,
    response: str,
    correct: bool,
    score: float,
    answered_at: datetime | None = None,
) -> int:
    """Store one answer in the user's own session, committed before returning; its id."""
    record = _answer_record(
        session_id, user_id, item_id, topic, seed, response, correct, score, answered_at
    )
    with Session(writer(engine), expire_on_commit=False) as session, session.begin():
        _add_answer(session, record)
    return record.id


def _answer_record(
    session_id: int,
    user_id: int | None,
    item_id: str,
    topic: str,
    seed: int,
    response: str,
    correct: bool,
    score: float,
    answered_at: datetime | None,
) -> AnswerRecord:
    """An answer checked and made ready to store (ValueError, TypeError if it cannot be)."""
    user_id = _signed_in(user_id)
    if not isinstance(response, str):
        raise TypeError(f"response must be text, not {type(response).__name__}")
    score = float(score)
    if not math.isfinite(score):
        raise ValueError(f"score must be a finite number, not {score!r}")
    return AnswerRecord(
        session_id=session_id,
        user_id=user_id,
        item_id=_label(item_id, "item_id", ITEM_ID_MAX),
        topic=_label(topic, "topic", TOPIC_MAX),
        seed=_seed(seed),
        response=storable_text(response),
        correct=bool(correct),
        score=score,
        answered_at=as_utc(answered_at) if answered_at is not None else utc_now(),
    )


def _add_answer(session: Session, record: AnswerRecord) -> None:
    """Add the answer to the caller's transaction, into its user's own quiz session only,
    and send it to the database (flush) at once."""
    acting_account(session, record.user_id)
    owner = session.scalar(
        select(QuizSessionRecord.user_id).where(QuizSessionRecord.id == record.session_id)
    )
    if owner is None:
        raise ValueError(f"no quiz session {record.session_id}")
    if owner != record.user_id:
        raise ValueError(f"quiz session {record.session_id} is not user {record.user_id}'s")
    session.add(record)
    session.flush()


@retry_when_safe
def finish_session(engine: Engine, session_id: int) -> None:
    """Mark a session finished (the first time only; ValueError if there is no such session)."""
    with Session(writer(engine)) as session, session.begin():
        record = session.get(QuizSessionRecord, session_id)
        if record is None:
            raise ValueError(f"no quiz session {session_id}")
        if record.finished_at is None:
            record.finished_at = utc_now()


def user_answers(engine: Engine, user_id: int) -> list[AnswerRow]:
    """Every answer of this user (and only theirs), oldest first."""
    return _answers(_answer_query().where(AnswerRecord.user_id == user_id), engine)


def cohort_answers(engine: Engine, viewer_id: int, cohort: str | None = None) -> list[AnswerRow]:
    """Trainees' answers for a faculty member or an admin, oldest first.

    AccessDenied (a PermissionError) unless the account ``viewer_id``, *as stored now*, may
    see a cohort (:func:`can_view_cohort`): a role or cohort changed since sign-in counts.
    Faculty with a cohort see that cohort only (``cohort=None`` means theirs); faculty
    without one and admins see ``cohort``, or every trainee when it is None. The account is
    read in the same transaction as the answers.
    """
    with Session(engine) as session:
        viewer = to_user(acting_account(session, viewer_id))
        if not can_view_cohort(viewer):
            raise AccessDenied("only faculty and admins can see a cohort's answers")
        if viewer.role == "faculty" and viewer.cohort is not None:
            if cohort is None:
                cohort = viewer.cohort
            elif cohort != viewer.cohort:
                raise AccessDenied(f"faculty of {viewer.cohort!r} cannot see cohort {cohort!r}")
        query = _answer_query().where(UserRecord.role == "trainee")
        if cohort is not None:
            query = query.where(UserRecord.cohort == cohort)
        return _answer_rows(session, query)


def due_cards(engine: Engine, user_id: int, now: datetime) -> list[CardRow]:
    """This user's review cards due at ``now`` or earlier, soonest first."""
    now = as_utc(now)
    query = (
        select(ReviewCardRecord)
        .where(ReviewCardRecord.user_id == user_id, ReviewCardRecord.due <= now)
        .order_by(ReviewCardRecord.due, ReviewCardRecord.item_id)
    )
    with Session(engine) as session:
        return [_card(r) for r in session.scalars(query)]


def get_card(engine: Engine, user_id: int, item_id: str) -> CardRow | None:
    """This user's review card for ``item_id``, or None."""
    with Session(engine) as session:
        record = session.scalar(_card_query(user_id, item_id))
        return _card(record) if record is not None else None


@retry_when_safe
def save_card(engine: Engine, user_id: int, item_id: str, card_json: str, due: datetime) -> None:
    """Create or replace this user's review card for ``item_id`` (one statement, atomic)."""
    user_id = _signed_in(user_id)
    if not isinstance(card_json, str):
        raise TypeError(f"card_json must be text, not {type(card_json).__name__}")
    with Session(writer(engine)) as session, session.begin():
        acting_account(session, user_id)
        _put_card(session, user_id, _label(item_id, "item_id", ITEM_ID_MAX), card_json, due)


def _put_card(session: Session, user_id: int, item_id: str, card_json: str, due: datetime) -> None:
    """Create or replace the card in the caller's transaction (one upsert statement)."""
    values: dict[str, Any] = {
        "user_id": user_id,
        "item_id": item_id,
        "card_json": storable_text(card_json),
        "due": as_utc(due),
        "updated_at": utc_now(),
    }
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        statement = insert(ReviewCardRecord).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[ReviewCardRecord.user_id, ReviewCardRecord.item_id],
            set_={k: statement.excluded[k] for k in ("card_json", "due", "updated_at")},
        )
        session.execute(statement)
        return
    record = session.scalar(_card_query(user_id, item_id))  # another database: read, write
    if record is None:
        session.add(ReviewCardRecord(**values))
    else:
        for key in ("card_json", "due", "updated_at"):
            setattr(record, key, values[key])


def _card_query(user_id: int, item_id: str) -> Select[ReviewCardRecord]:
    return select(ReviewCardRecord).where(
        ReviewCardRecord.user_id == user_id, ReviewCardRecord.item_id == item_id
    )


@retry_when_safe
def record_graded_answer(
    engine: Engine,
    *,
    session_id: int,
    user_id: int | None,
    item_id: str,
    topic: str,
    seed: int,
    response: str,
    correct: bool,
    score: float,
    answered_at: datetime,
) -> int:
    """What the quiz does with each answer a signed-in user gives: store it and move the
    user's review card for the item by the FSRS scheduler, **in one transaction** — a server
    killed half-way leaves neither (never an answer whose item would not come back for
    review). An existing card is read under the transaction's lock (SQLite's write lock;
    ``FOR UPDATE`` on PostgreSQL), so two answers at once move it one after the other."""
    record = _answer_record(
        session_id, user_id, item_id, topic, seed, response, correct, score, answered_at
    )
    with Session(writer(engine), expire_on_commit=False) as session, session.begin():
        _add_answer(session, record)
        card = session.scalar(_card_query(record.user_id, record.item_id).with_for_update())
        before = card.card_json if card is not None else None
        card_json, due = review(before, record.correct, record.answered_at, record.score)
        _put_card(session, record.user_id, record.item_id, card_json, due)
    return record.id


def _signed_in(user_id: int | None) -> int:
    if user_id is None:
        raise ValueError("guests' quizzes are not stored: sign in to keep a history")
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise TypeError(f"user_id must be an int, not {type(user_id).__name__}")
    return user_id


def _seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, not {type(seed).__name__}")
    if not _INT64[0] <= seed <= _INT64[1]:
        raise ValueError(f"seed {seed} does not fit in 64 bits")
    return seed


def _label(value: str, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{field} must be non-empty text")
    if len(value) > limit:
        raise ValueError(f"{field} has at most {limit} characters")
    return storable_text(value)


def _answer_query() -> Select[AnswerRecord, str]:
    return (
        select(AnswerRecord, UserRecord.username)
        .join(UserRecord, AnswerRecord.user_id == UserRecord.id)
        .order_by(AnswerRecord.answered_at, AnswerRecord.id)
    )


def _answers(query: Select[AnswerRecord, str], engine: Engine) -> list[AnswerRow]:
    with Session(engine) as session:
        return _answer_rows(session, query)


def _answer_rows(session: Session, query: Select[AnswerRecord, str]) -> list[AnswerRow]:
    return [
        AnswerRow(
            id=a.id,
            session_id=a.session_id,
            user_id=a.user_id,
            username=username,
            item_id=a.item_id,
            topic=a.topic,
            seed=a.seed,
            response=a.response,
            correct=a.correct,
            score=a.score,
            answered_at=a.answered_at,
        )
        for a, username in session.execute(query)
    ]


def _card(record: ReviewCardRecord) -> CardRow:
    return CardRow(
        user_id=record.user_id,
        item_id=record.item_id,
        card_json=record.card_json,
        due=record.due,
    )
