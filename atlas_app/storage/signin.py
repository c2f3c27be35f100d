"""Signing in with a password, throttled in the database.

Every attempt that does not sign in — a wrong username or password, or an attempt refused
because of earlier ones — counts against two keys: the username as typed (whether or not such
an account exists, so the throttle says nothing about which usernames exist) and the client
(its network address). Past a few free attempts each key must wait, longer after each attempt
(1 s, 2 s, 4 s, … up to a minute); after many, it is locked for a while. A refused attempt is
answered at once, before any password is checked, with the same words whatever the reason:
"Too many sign-in attempts. Try again later." A successful sign-in clears its username's
count (not the client's: one good account must not reset a guesser's address).

The counts live in the database (``sign_in_throttles``), so they hold across app servers and
restarts; every failed or refused attempt is also an event of the audit trail. Admins see the
keys held now (:func:`throttles`) and lift them (:func:`unlock`).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, Engine, and_, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from atlas_app.storage.accounts import User, authenticate
from atlas_app.storage.audit import NOT_SIGNED_IN, By, acting, record_event
from atlas_app.storage.db import retry_when_safe, writer
from atlas_app.storage.models import (
    CLIENT_MAX,
    USERNAME_MAX,
    SignInThrottleRecord,
    as_utc,
    storable_text,
    utc_now,
)

Scope = Literal["account", "client"]
LOCAL_CLIENT = "local"  # the address Streamlit reports as none (the app's own machine)
WRONG = "Wrong username or password."
TRY_LATER = "Too many sign-in attempts. Try again later."


@dataclass(frozen=True)
class Policy:
    """How one kind of key is throttled."""

    free: int  # attempts without any wait
    first_wait: timedelta  # the wait after the first attempt past ``free``; doubles after each
    longest_wait: timedelta
    lock_after: int  # attempts in the window that lock the key
    lock_for: timedelta
    window: timedelta  # attempts older than this (counted from the last) are forgotten

    def retry_at(self, attempts: int, last: datetime, locked_until: datetime | None) -> datetime:
        """When the next attempt of a key with ``attempts`` so far may be made."""
        if locked_until is not None:
            return locked_until
        if attempts < self.free:
            return last
        wait = self.first_wait * 2 ** min(attempts - self.free, 20)
        return last + min(wait, self.longest_wait)


POLICIES: dict[Scope, Policy] = {
    # A person who forgot their password gets three tries, then waits a little longer after
    # each; ten in a quarter of an hour lock the username for a quarter of an hour.
    "account": Policy(
        free=3,
        first_wait=timedelta(seconds=1),
        longest_wait=timedelta(minutes=1),
        lock_after=10,
        lock_for=timedelta(minutes=15),
        window=timedelta(minutes=15),
    ),
    # An address may be a whole hospital behind one gateway: more room before it waits.
    "client": Policy(
        free=10,
        first_wait=timedelta(seconds=1),
        longest_wait=timedelta(minutes=1),
        lock_after=50,
        lock_for=timedelta(minutes=15),
        window=timedelta(minutes=15),
    ),
}


@dataclass(frozen=True)
class SignInResult:
    """What a sign-in came to: the user, or the message to show (never saying which part was
    wrong, nor whether the username exists)."""

    user: User | None
    message: str | None = None
    throttled: bool = False


@dataclass(frozen=True)
class Throttle:
    """A key with attempts counted now."""

    scope: Scope
    key: str
    attempts: int
    last_attempt_at: datetime
    locked_until: datetime | None
    retry_at: datetime


def sign_in(
    engine: Engine,
    username: str,
    password: str,
    client: str | None,
    now: datetime | None = None,
) -> SignInResult:
    """Check a password sign-in against the throttle, then the password; count what fails."""
    now = as_utc(now) if now is not None else utc_now()
    typed = username.strip() if isinstance(username, str) else ""
    keys = _keys(typed, client)
    if _held(engine, keys, now):
        _count(engine, keys, now, typed, client, refused=True)
        return SignInResult(None, TRY_LATER, throttled=True)
    user = authenticate(engine, typed, password)
    if user is None:
        _count(engine, keys, now, typed, client, refused=False)
        return SignInResult(None, WRONG)
    with Session(writer(engine)) as session, session.begin():
        session.execute(delete(SignInThrottleRecord).where(_matching(keys[:1])))
    return SignInResult(user)


def throttles(engine: Engine, by: By, now: datetime | None = None) -> list[Throttle]:
    """Every key with attempts in its window now, the most recent first; for an admin's
    account id (AccessDenied for anyone else) or the command line."""
    now = as_utc(now) if now is not None else utc_now()
    with Session(engine) as session:
        acting(session, by)
        rows = session.scalars(
            select(SignInThrottleRecord).order_by(SignInThrottleRecord.last_failure_at.desc())
        ).all()
        out = []
        for row in rows:
            policy = POLICIES[row.scope]  # type: ignore[index]
            if _expired(row, policy, now):
                continue
            out.append(
                Throttle(
                    scope=row.scope,  # type: ignore[arg-type]
                    key=row.key,
                    attempts=row.failures,
                    last_attempt_at=row.last_failure_at,
                    locked_until=row.locked_until,
                    retry_at=policy.retry_at(row.failures, row.last_failure_at, row.locked_until),
                )
            )
        return out


def unlock(engine: Engine, by: By, scope: Scope, key: str) -> bool:
    """Forget the attempts of one key (``account``: a username as typed; ``client``: an
    address), so it may sign in at once; an event of the audit trail. ``by`` is the acting
    admin's account id, or a command-line label. Whether there was anything to forget."""
    if scope not in POLICIES:
        raise ValueError(f"unknown scope {scope!r} (account or client)")
    with Session(writer(engine)) as session, session.begin():
        actor = acting(session, by)
        matching = _matching([(scope, _key(scope, key))])
        done = session.scalars(
            delete(SignInThrottleRecord).where(matching).returning(SignInThrottleRecord.id)
        ).all()
        if done:
            record_event(session, actor, "unlock", f"{scope} {key}")
        return bool(done)


def _keys(typed: str, client: str | None) -> list[tuple[Scope, str]]:
    return [("account", _key("account", typed)), ("client", _key("client", client or ""))]


def _key(scope: Scope, value: str) -> str:
    if scope == "client":
        return client_key(value)
    return storable_text(value)[:USERNAME_MAX]


def client_key(address: str | None) -> str:
    """One key per client however the server reports its address: an IPv4 client of a
    dual-stack socket comes as ``::ffff:10.0.0.5``, which is ``10.0.0.5``; this machine (no
    address, or a loopback one) is ``local``."""
    text = storable_text(address or "").strip()
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return (text or LOCAL_CLIENT)[:CLIENT_MAX]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return LOCAL_CLIENT if ip.is_loopback else str(ip)


def _matching(keys: list[tuple[Scope, str]]) -> ColumnElement[bool]:
    """The rows of these keys."""
    return or_(
        *(and_(SignInThrottleRecord.scope == s, SignInThrottleRecord.key == k) for s, k in keys)
    )


def _expired(row: SignInThrottleRecord, policy: Policy, now: datetime) -> bool:
    if row.locked_until is not None and row.locked_until > now:
        return False
    return row.last_failure_at + policy.window <= now


def _held(engine: Engine, keys: list[tuple[Scope, str]], now: datetime) -> bool:
    """Whether any key must still wait (or is locked) at ``now``."""
    with Session(engine) as session:
        rows = session.scalars(select(SignInThrottleRecord).where(_matching(keys))).all()
    for row in rows:
        policy = POLICIES[row.scope]  # type: ignore[index]
        if _expired(row, policy, now):
            continue
        if policy.retry_at(row.failures, row.last_failure_at, row.locked_until) > now:
            return True
    return False


@retry_when_safe
def _count(
    engine: Engine,
    keys: list[tuple[Scope, str]],
    now: datetime,
    typed: str,
    client: str | None,
    refused: bool,
) -> None:
    """Add one attempt to each key (a lock when one reaches its limit) and the event to the
    audit trail, in one transaction."""
    with Session(writer(engine)) as session, session.begin():
        for scope, key in keys:
            row = _locked_row(session, scope, key, now)
            policy = POLICIES[scope]
            if _expired(row, policy, now):
                row.failures, row.first_failure_at, row.locked_until = 0, now, None
            row.failures += 1
            row.last_failure_at = now
            if row.failures >= policy.lock_after and row.locked_until is None:
                row.locked_until = now + policy.lock_for
        record_event(
            session,
            NOT_SIGNED_IN,
            "sign_in_refused" if refused else "sign_in_failure",
            typed,
            client=client_key(client),
        )


def _locked_row(session: Session, scope: Scope, key: str, now: datetime) -> SignInThrottleRecord:
    """The key's row, created if missing, locked for this transaction (FOR UPDATE on
    PostgreSQL; SQLite's write transaction already holds the whole database)."""
    dialect = session.get_bind().dialect.name
    values = {
        "scope": scope,
        "key": key,
        "failures": 0,
        "first_failure_at": now,
        "last_failure_at": now,
    }
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        session.execute(insert(SignInThrottleRecord).values(**values).on_conflict_do_nothing())
    row = session.scalar(
        select(SignInThrottleRecord)
        .where(SignInThrottleRecord.scope == scope, SignInThrottleRecord.key == key)
        .with_for_update()
    )
    if row is None:  # another database: make it here
        row = SignInThrottleRecord(**values)
        session.add(row)
        session.flush()
    return row
