"""The tables: users, quiz sessions, answers (one row per answer), review cards, cases and
their members, sign-in throttles and the audit trail.

Every time is a timezone-aware UTC ``datetime`` in Python. PostgreSQL stores it as
``timestamptz``; SQLite has no time type, so it is stored as UTC text and given back with
``tzinfo=UTC``. A naive datetime is refused (:class:`UTCDateTime`): its zone is unknown.

Constraints have fixed names (``naming_convention``) so that migrations can alter them later,
also on SQLite (Alembic's batch mode needs the names).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

ROLES = ("trainee", "faculty", "admin")

USERNAME_MAX = 254  # an e-mail address (OpenID Connect accounts use it as the username)
NAME_MAX = 200
COHORT_MAX = 100
ITEM_ID_MAX = 200
TOPIC_MAX = 100
ACTOR_MAX = 300  # a username, or a command-line label
TARGET_MAX = 300
CLIENT_MAX = 64  # an IPv6 address with a zone fits

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str) -> str:
    """``text`` as stored: unchanged, except NUL and lone surrogates (which PostgreSQL text
    cannot hold) become U+FFFD, so that both databases store the same."""
    return _UNSTORABLE.sub("\ufffd", text)


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive datetime raises ValueError (its zone is unknown)."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"naive datetime {value.isoformat()}: give a timezone-aware one (UTC)")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (naive input is refused)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        # SQLite would store the offset as text; keep UTC text without it, sortable as text.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UserRecord(Base):
    """An account. ``password_hash`` is an argon2 hash, NULL for OpenID Connect accounts.

    ``active`` false: deactivated by an admin; it cannot sign in and its open sessions end."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('trainee', 'faculty', 'admin')", name="role"),
        CheckConstraint("auth_source IN ('password', 'oidc')", name="auth_source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    auth_source: Mapped[str] = mapped_column(String(16), default="password")
    role: Mapped[str] = mapped_column(String(16), default="trainee")
    cohort: Mapped[str | None] = mapped_column(String(COHORT_MAX), index=True)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class QuizSessionRecord(Base):
    """One quiz: its topics (a JSON list), length and seed; ``finished_at`` once scored."""

    __tablename__ = "quiz_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    topics_json: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AnswerRecord(Base):
    """One answer, written when it is given."""

    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_user_id_answered_at", "user_id", "answered_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("quiz_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # indexed with answered_at
    item_id: Mapped[str] = mapped_column(String(ITEM_ID_MAX), index=True)
    topic: Mapped[str] = mapped_column(String(TOPIC_MAX))
    seed: Mapped[int] = mapped_column(BigInteger)
    response: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReviewCardRecord(Base):
    """A user's spaced-review card for one item (FSRS state as JSON), due at ``due``."""

    __tablename__ = "review_cards"
    __table_args__ = (
        UniqueConstraint("user_id", "item_id"),
        Index("ix_review_cards_user_id_due", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    item_id: Mapped[str] = mapped_column(String(ITEM_ID_MAX))
    card_json: Mapped[str] = mapped_column(Text)
    due: Mapped[datetime] = mapped_column(UTCDateTime)  # indexed with user_id
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class CaseRecord(Base):
    """A case conference (``data_json``: the case as ``case_data``), owned by its author.

    ``version`` grows by one at each save (optimistic concurrency); ``shared_with_cohort``
    shares it read-only with the trainees of the owner's cohort."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(NAME_MAX))
    data_json: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    shared_with_cohort: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


class CaseMemberRecord(Base):
    """A named person on a case: a read-only trainee (``can_edit`` false) or a co-editor."""

    __tablename__ = "case_members"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    can_edit: Mapped[bool] = mapped_column(Boolean, default=False)


class SignInThrottleRecord(Base):
    """Sign-in attempts that failed or were refused, of one key: a username as typed
    (``scope`` account; whether or not the account exists) or a client address (client).
    ``failures`` counts them since ``first_failure_at``; ``locked_until`` is set when they
    reach the lock limit (see ``signin.POLICIES``)."""

    __tablename__ = "sign_in_throttles"
    __table_args__ = (
        UniqueConstraint("scope", "key"),
        CheckConstraint("scope IN ('account', 'client')", name="scope"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(USERNAME_MAX))
    failures: Mapped[int] = mapped_column(Integer)
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEventRecord(Base):
    """One event of the audit trail: who (``actor_id`` and the name as it was, or a
    command-line label), when, what (``action``), to what (``target``), and from where for
    sign-ins (``client``). No foreign key: the trail outlives the accounts it names."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(ACTOR_MAX))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(TARGET_MAX))
    detail: Mapped[str] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(String(CLIENT_MAX))


class LoginSessionRecord(Base):
    """One browser's password sign-in, remembered by a cookie (see ``storage.logins``).

    ``ticket_hash``: SHA-256 of the one-time ticket the page hands to the browser, until the
    browser trades it for its cookie; ``token_hash``: SHA-256 of the token in that cookie.
    ``ended_why``: sign-out, password, role or deactivated."""

    __tablename__ = "login_sessions"
    __table_args__ = (
        CheckConstraint(
            "ended_why IN ('sign-out', 'password', 'role', 'deactivated')", name="ended_why"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_why: Mapped[str | None] = mapped_column(String(16))
