"""Remembered password sign-ins: one row per browser that signed in (``login_sessions``).

At sign-in the store opens a login and hands the page a one-time **ticket** (valid two
minutes). The browser trades the ticket, once, at the app's ``/atlas/session`` route
(:mod:`atlas_app.web.routes`) for a random session **token**, which comes back in a signed,
HttpOnly cookie; only the token's SHA-256 is stored. A reload presents the cookie: the token
names the login, which must be open, unexpired, and of an active account.

A login ends (``ended_why``) when its browser signs out, when the account's password or role
changes, or when the account is deactivated. Ended for a role change, the cookie no longer
signs anyone in, but the browser session already open goes on (with the new role, read at
each click); ended for any other reason, that open session is signed out at its next click.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, Update, delete, or_, select, update
from sqlalchemy.orm import Session

from atlas_app.storage.db import retry_when_safe, writer
from atlas_app.storage.models import LoginSessionRecord, UserRecord, as_utc, utc_now

TICKET_LIFETIME = timedelta(minutes=2)
KEPT_AFTER_EXPIRY = timedelta(days=1)  # ended or expired rows are deleted after this
ENDS_OPEN_SESSIONS = frozenset({"sign-out", "password", "deactivated"})
"""Why a login ends that also signs out the browser session holding it ("role" does not)."""


@dataclass(frozen=True)
class NewLogin:
    """A login just opened: its id, and the ticket its browser may trade once for a cookie."""

    id: int
    ticket: str


@retry_when_safe
def open_login(
    engine: Engine, user_id: int, lifetime: timedelta, now: datetime | None = None
) -> NewLogin:
    """Open a login for the account ``user_id`` (just signed in), lasting ``lifetime``."""
    now = as_utc(now) if now is not None else utc_now()
    ticket = secrets.token_urlsafe(32)
    record = LoginSessionRecord(
        user_id=user_id,
        ticket_hash=_digest(ticket),
        ticket_expires_at=now + TICKET_LIFETIME,
        created_at=now,
        expires_at=now + lifetime,
    )
    with Session(writer(engine), expire_on_commit=False) as session, session.begin():
        session.execute(  # housekeeping: logins long over
            delete(LoginSessionRecord).where(
                LoginSessionRecord.expires_at < now - KEPT_AFTER_EXPIRY
            )
        )
        session.add(record)
    return NewLogin(record.id, ticket)


@retry_when_safe
def take_cookie(engine: Engine, ticket: str, now: datetime | None = None) -> str | None:
    """Trade a login's ticket (once, within two minutes) for its session token, or None."""
    if not isinstance(ticket, str) or not ticket:
        return None
    now = as_utc(now) if now is not None else utc_now()
    with Session(writer(engine)) as session, session.begin():
        record = session.scalar(
            select(LoginSessionRecord).where(LoginSessionRecord.ticket_hash == _digest(ticket))
        )
        if record is None:
            return None
        record.ticket_hash = None  # once, whatever comes next
        expired = record.ticket_expires_at is None or record.ticket_expires_at <= now
        if expired or not _open_now(session, record, now):
            return None
        token = secrets.token_urlsafe(32)
        record.token_hash = _digest(token)
        return token


def login_of(engine: Engine, token: str, now: datetime | None = None) -> tuple[int, int] | None:
    """(account id, login id) of a remembered sign-in's token, if the login is open, not
    expired, and its account active; else None."""
    if not isinstance(token, str) or not token:
        return None
    now = as_utc(now) if now is not None else utc_now()
    with Session(engine) as session:
        record = session.scalar(
            select(LoginSessionRecord).where(LoginSessionRecord.token_hash == _digest(token))
        )
        if record is None or not _open_now(session, record, now):
            return None
        return record.user_id, record.id


def keeps_session(engine: Engine, login_id: int) -> bool:
    """Whether the browser session that signed in with this login stays signed in: the login
    was not ended for a reason that ends open sessions (a role change does not)."""
    with Session(engine) as session:
        record = session.get(LoginSessionRecord, login_id)
        return record is not None and record.ended_why not in ENDS_OPEN_SESSIONS


@retry_when_safe
def end_login(engine: Engine, login_id: int, why: str) -> None:
    """End one login (its browser signed out)."""
    with Session(writer(engine)) as session, session.begin():
        session.execute(_ending(why).where(LoginSessionRecord.id == login_id))


@retry_when_safe
def end_login_of_token(engine: Engine, token: str, why: str) -> None:
    """End the login a cookie's token names (the browser asked its cookie to be dropped)."""
    with Session(writer(engine)) as session, session.begin():
        session.execute(_ending(why).where(LoginSessionRecord.token_hash == _digest(token)))


def end_logins(session: Session, user_id: int, why: str) -> None:
    """End every login of an account, in the caller's transaction (its password, role or
    activity changed)."""
    session.execute(_ending(why).where(LoginSessionRecord.user_id == user_id))


def _ending(why: str) -> Update:
    """Ending logins for ``why``: those still open, and, when ``why`` also ends open sessions,
    those ended only for a role change (their browser session is still signed in)."""
    still_signed_in: ColumnElement[bool] = LoginSessionRecord.ended_at.is_(None)
    if why in ENDS_OPEN_SESSIONS:
        still_signed_in = or_(
            still_signed_in, LoginSessionRecord.ended_why.not_in(ENDS_OPEN_SESSIONS)
        )
    return (
        update(LoginSessionRecord)
        .where(still_signed_in)
        .values(ended_at=utc_now(), ended_why=why, ticket_hash=None)
    )


def _open_now(session: Session, record: LoginSessionRecord, now: datetime) -> bool:
    if record.ended_at is not None or record.expires_at <= now:
        return False
    account = session.get(UserRecord, record.user_id)
    return account is not None and account.active


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
