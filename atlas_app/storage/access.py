"""Who is acting: the account behind an action, read as stored now, and the refusals.

Every store function that acts for someone calls :func:`acting_account` (or
:func:`require_admin`) inside its own transaction, with the acting account's id, and judges
the record it gets back: nothing trusts a role, a cohort or an account a page remembers.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from atlas_app.storage.models import UserRecord


class AccessDenied(PermissionError):  # noqa: N818 (a refusal, not a fault)
    """The acting account, as stored now, may not do this; the message says why."""


class SignedOutError(AccessDenied):
    """The acting account no longer exists or has been deactivated."""


def acting_account(session: Session, actor_id: int) -> UserRecord:
    """The acting account as stored now, read inside the caller's transaction.

    SignedOutError if the account is gone or deactivated; the caller then judges the
    record's role and cohort."""
    if isinstance(actor_id, bool) or not isinstance(actor_id, int):
        raise TypeError(f"actor_id must be an int, not {type(actor_id).__name__}")
    record = session.get(UserRecord, actor_id)
    if record is None or not record.active:
        raise SignedOutError("this account is no longer active; sign in again")
    return record


def require_admin(session: Session, actor_id: int) -> UserRecord:
    """The acting account, if it is an active admin now (AccessDenied otherwise)."""
    record = acting_account(session, actor_id)
    if record.role != "admin":
        raise AccessDenied(f"your account is a {record.role}: only admins may do this")
    return record
