"""The audit trail: who did what, to whom, when.

Recorded: role, cohort, activity and password changes of accounts, cases shared, unshared and
deleted, co-editors named, failed and refused sign-ins, and throttles lifted. Each event is
written **in the same transaction as the change it records**, so a change never lands without
its event, nor an event without its change. The trail is read by admins only (a list, or CSV),
judged on the reader's account as stored at the moment of reading; the command line reads
it too (whoever runs it can read the database anyway).

An event names its actor by account id and username (kept as text: the trail outlives the
account), or, for the command line, by a label such as ``command line (root)``.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atlas_app.quiz.stats import to_csv
from atlas_app.storage.access import require_admin
from atlas_app.storage.models import (
    ACTOR_MAX,
    CLIENT_MAX,
    TARGET_MAX,
    AuditEventRecord,
    UserRecord,
    as_utc,
    storable_text,
    utc_now,
)

ACTIONS: dict[str, str] = {
    "role": "role changed",
    "cohort": "cohort changed",
    "active": "account activated or deactivated",
    "password": "password set",
    "share": "case shared with a person (read-only)",
    "coeditor": "co-editor named",
    "unshare": "person taken off a case",
    "cohort_sharing": "case shared or unshared with the owner's cohort",
    "delete_case": "case deleted",
    "sign_in_failure": "sign-in failed (wrong username or password)",
    "sign_in_refused": "sign-in refused (too many attempts)",
    "unlock": "sign-in throttle lifted",
}
"""Every action the trail records, with what it means (shown to admins)."""

SIGN_IN_ACTIONS = ("sign_in_failure", "sign_in_refused")
NOT_SIGNED_IN = "(not signed in)"

By = int | str
"""Who asks, for functions an admin may call from the app or anyone from the command line:
an account id (checked: an active admin now) or a command-line label (trusted)."""


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: datetime
    actor: str
    actor_id: int | None
    action: str
    target: str
    detail: str
    client: str | None


def command_line() -> str:
    """The actor label of a change made with ``python -m atlas_app users ...``."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        who = "unknown user"
    return f"command line ({who})"


def acting(session: Session, by: By) -> UserRecord | str:
    """The actor of an admin's change: the admin's account (checked now), or the label."""
    return require_admin(session, by) if isinstance(by, int) else str(by)


def record_event(
    session: Session,
    actor: UserRecord | str,
    action: str,
    target: str,
    detail: str = "",
    client: str | None = None,
) -> None:
    """Add one event to the caller's transaction (it commits, or not, with the change)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if isinstance(actor, UserRecord):
        actor_id, actor_name = actor.id, actor.username
    else:
        actor_id, actor_name = None, actor
    session.add(
        AuditEventRecord(
            at=utc_now(),
            actor_id=actor_id,
            actor=_clip(actor_name, ACTOR_MAX),
            action=action,
            target=_clip(target, TARGET_MAX),
            detail=storable_text(detail),
            client=_clip(client, CLIENT_MAX) if client else None,
        )
    )


def audit_events(
    engine: Engine,
    by: By,
    *,
    actions: tuple[str, ...] = (),
    since: datetime | None = None,
    limit: int | None = 1000,
) -> list[AuditEvent]:
    """The newest events first (of ``actions`` if given, since ``since``); for an admin's
    account id (AccessDenied for anyone else) or the command line."""
    query = select(AuditEventRecord).order_by(
        AuditEventRecord.at.desc(), AuditEventRecord.id.desc()
    )
    if actions:
        query = query.where(AuditEventRecord.action.in_(actions))
    if since is not None:
        query = query.where(AuditEventRecord.at >= as_utc(since))
    if limit is not None:
        query = query.limit(limit)
    with Session(engine) as session:
        acting(session, by)
        return [_event(r) for r in session.scalars(query)]


def audit_csv(
    engine: Engine,
    by: By,
    *,
    actions: tuple[str, ...] = (),
    since: datetime | None = None,
) -> str:
    """The whole trail (or ``actions`` since ``since``) as CSV, newest first, read when called.
    Cells a spreadsheet would run as a formula are quoted as text."""
    events = audit_events(engine, by, actions=actions, since=since, limit=None)
    return to_csv(events) or ",".join(f.name for f in fields(AuditEvent)) + "\n"


def _clip(text: str, limit: int) -> str:
    return storable_text(str(text))[:limit]


def _event(record: AuditEventRecord) -> AuditEvent:
    return AuditEvent(
        id=record.id,
        at=record.at,
        actor=record.actor,
        actor_id=record.actor_id,
        action=record.action,
        target=record.target,
        detail=record.detail,
        client=record.client,
    )
