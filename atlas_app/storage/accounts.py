"""Accounts: users, argon2 passwords, roles, and accounts for OpenID Connect sign-in.

Roles: ``trainee`` (keeps their own history), ``faculty`` (also sees their cohort, builds
cases), ``admin`` (sees every cohort). Passwords are hashed with argon2id (argon2-cffi's
defaults, RFC 9106's second recommended profile); hashes are upgraded when those defaults
change. A sign-in by OpenID Connect (``st.login``) maps to an account named by the e-mail
address, with no password, created as a trainee.

Authorisation reads the account *as stored now*: every store function that acts for someone
takes the acting account's id and calls :func:`acting_account` inside its own transaction, so
a role, a cohort or a deactivation changed since sign-in counts at the next action. Nothing
trusts a :class:`User` a page remembers.

Text is stored as given and never interpreted. A NUL or a lone surrogate (which PostgreSQL
text cannot hold) is stored as U+FFFD, so both databases behave alike.
"""

from __future__ import annotations

import contextlib
import unicodedata
from dataclasses import dataclass
from typing import Literal, cast, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from atlas_app.storage.access import AccessDenied, SignedOutError, acting_account
from atlas_app.storage.audit import By, acting, command_line, record_event
from atlas_app.storage.db import retry_when_safe, writer
from atlas_app.storage.logins import end_logins
from atlas_app.storage.models import (
    COHORT_MAX,
    NAME_MAX,
    USERNAME_MAX,
    UserRecord,
    storable_text,
    utc_now,
)

Role = Literal["trainee", "faculty", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
COHORT_ROLES: frozenset[Role] = frozenset({"faculty", "admin"})
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # longer ones are refused before hashing (no hashing DoS)

_hasher = PasswordHasher()
_dummy_hash: str | None = None


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


class DuplicateUserError(AccountError):
    """The username is taken."""


class UnknownUserError(AccountError, LookupError):
    """No user has that username."""


class WeakPasswordError(AccountError):
    """The password is empty, too short or too long."""


@dataclass(frozen=True)
class User:
    """A person as the store held them when read (never holds the password hash).

    A snapshot for showing: permission checks re-read the account (:func:`acting_account`)."""

    id: int
    username: str
    display_name: str
    role: Role
    cohort: str | None
    active: bool = True


def can_view_cohort(user: User | None) -> bool:
    """Faculty and admins may see a cohort's answers; trainees and guests may not."""
    return user is not None and user.active and user.role in COHORT_ROLES


def may_export_decks(user: User | None) -> bool:
    """Who may build an Anki deck of a topic: any signed-in, active account.

    A deck holds only atlas content (items, stills, citations), nothing personal, so
    trainees may take one for their own study; guests may not, because drawing a deck's
    stills is the most expensive thing the server does (tens of seconds of rendering)."""
    return user is not None and user.active


def current_account(engine: Engine, user_id: int) -> User | None:
    """The account as stored now, or None when it is gone or deactivated (the session that
    holds it is to be signed out)."""
    with Session(engine) as session:
        try:
            return to_user(acting_account(session, user_id))
        except SignedOutError:
            return None


def create_user(
    engine: Engine,
    username: str,
    password: str,
    role: Role = "trainee",
    display_name: str | None = None,
    cohort: str | None = None,
) -> User:
    """A new account with an argon2-hashed password (AccountError if it cannot be made)."""
    username = check_username(username)
    role = check_role(role)
    check_password(password)
    record = UserRecord(
        username=username,
        password_hash=_hasher.hash(password),
        auth_source="password",
        role=role,
        display_name=_display_name(display_name, username),
        cohort=_cohort(cohort),
        created_at=utc_now(),
        active=True,
    )
    return _insert(engine, record)


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The user if ``password`` is theirs, else None (unknown user, wrong password, OIDC)."""
    if not isinstance(username, str) or not isinstance(password, str):
        return None
    if not password or len(password) > MAX_PASSWORD_LENGTH:
        return None
    with Session(engine) as session:
        record = session.scalar(select(UserRecord).where(UserRecord.username == username))
        active = record is not None and record.active
        stored = record.password_hash if record is not None and active else None
        user = to_user(record) if record is not None else None
    if user is None or stored is None:  # unknown, deactivated, or an OpenID Connect account
        _waste_a_verification(password)  # as slow as a real check: no username probing
        return None
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(stored):
        with Session(writer(engine)) as session, session.begin():
            fresh = session.get(UserRecord, user.id)
            if fresh is not None and fresh.password_hash == stored:
                fresh.password_hash = _hasher.hash(password)
    return user


def set_role(engine: Engine, username: str, role: Role, by: By | None = None) -> User:
    """Give ``username`` the role ``role`` (UnknownUserError, AccountError for a bad role).

    ``by``: the acting admin's account id (checked now), or a command-line label (the
    default names the operating-system user); the change is an event of the audit trail."""
    return _update_user(engine, username, by, role=check_role(role))


def set_cohort(engine: Engine, username: str, cohort: str | None, by: By | None = None) -> User:
    """Put ``username`` in ``cohort`` (None or blank: in none); UnknownUserError,
    AccountError for a cohort name that is too long. An account made by an OpenID Connect
    sign-in has no cohort until an admin gives it one. ``by`` as for :func:`set_role`."""
    return _update_user(engine, username, by, cohort=_cohort(cohort))


def set_active(engine: Engine, username: str, active: bool, by: By | None = None) -> User:
    """Deactivate (``active`` false) or reactivate ``username``'s account. A deactivated
    account cannot sign in, and every session holding it is signed out at its next click;
    its answers and cases stay. ``by`` as for :func:`set_role`."""
    return _update_user(engine, username, by, active=bool(active))


@retry_when_safe
def _update_user(engine: Engine, username: str, by: By | None, **values: object) -> User:
    """Set columns of ``username``'s account and record each change in the audit trail, in
    one transaction (UnknownUserError; AccessDenied if ``by`` is not an admin now, or is the
    admin's own account losing its role or being deactivated)."""
    with Session(writer(engine), expire_on_commit=False) as session, session.begin():
        actor = acting(session, by if by is not None else command_line())
        record = session.scalar(select(UserRecord).where(UserRecord.username == username))
        if record is None:
            raise UnknownUserError(f"no user named {username!r}")
        own = isinstance(actor, UserRecord) and actor.id == record.id
        if own and (values.get("role", "admin") != "admin" or values.get("active") is False):
            raise AccessDenied("an admin cannot demote or deactivate their own account")
        for column, value in values.items():
            before = getattr(record, column)
            if before != value:
                setattr(record, column, value)
                change = f"{_as_told(column, before)} → {_as_told(column, value)}"
                record_event(session, actor, column, username, change)
                if column in _ENDS_LOGINS:  # remembered sign-ins end with the change
                    end_logins(session, record.id, _ENDS_LOGINS[column])
    return to_user(record)


_ENDS_LOGINS = {"role": "role", "active": "deactivated"}


@retry_when_safe
def set_password(engine: Engine, username: str, password: str, by: By | None = None) -> User:
    """Give a password account a new password (WeakPasswordError, UnknownUserError,
    AccountError for an OpenID Connect account). Every remembered sign-in of the account ends
    and its open sessions are signed out at their next click. ``by`` as for :func:`set_role`;
    an event of the audit trail (never the password)."""
    check_password(password)
    new_hash = _hasher.hash(password)
    with Session(writer(engine), expire_on_commit=False) as session, session.begin():
        actor = acting(session, by if by is not None else command_line())
        record = session.scalar(select(UserRecord).where(UserRecord.username == username))
        if record is None:
            raise UnknownUserError(f"no user named {username!r}")
        if record.auth_source != "password":
            raise AccountError(f"{username!r} signs in through its institution: no password")
        record.password_hash = new_hash
        end_logins(session, record.id, "password")
        record_event(session, actor, "password", username, "new password set")
    return to_user(record)


def _as_told(column: str, value: object) -> str:
    """A column's value in an audit event's words."""
    if column == "active":
        return "active" if value else "deactivated"
    return "(none)" if value is None else str(value)


def get_or_create_oidc_user(engine: Engine, email: str, name: str | None) -> User:
    """The account for an OpenID Connect sign-in, made (as a trainee) on the first one.

    The username is the e-mail address in lower case; the display name follows the identity
    provider's ``name``. An existing password account with that username is not taken over
    (AccountError): an admin must rename or remove it first.
    """
    if not isinstance(email, str) or "@" not in email:
        raise AccountError("an OpenID Connect sign-in needs an e-mail address")
    username = check_username(email.strip().lower())
    display = _display_name(name, username)
    for _attempt in range(2):  # a concurrent first sign-in may win the insert
        with Session(writer(engine), expire_on_commit=False) as session, session.begin():
            record = session.scalar(select(UserRecord).where(UserRecord.username == username))
            if record is not None:
                if record.auth_source != "oidc":
                    raise AccountError(
                        f"{username!r} is a password account; it cannot sign in by OpenID Connect"
                    )
                if not record.active:
                    raise AccountError(f"the account {username!r} has been deactivated")
                if record.display_name != display:
                    record.display_name = display
                return to_user(record)
        try:
            return _insert(
                engine,
                UserRecord(
                    username=username,
                    password_hash=None,
                    auth_source="oidc",
                    role="trainee",
                    display_name=display,
                    cohort=None,
                    created_at=utc_now(),
                    active=True,
                ),
            )
        except DuplicateUserError:
            continue
    raise AccountError(f"could not create the account {username!r}; try again")


def get_user(engine: Engine, username: str) -> User | None:
    """The user named ``username``, or None."""
    with Session(engine) as session:
        record = session.scalar(select(UserRecord).where(UserRecord.username == username))
        return to_user(record) if record is not None else None


def get_user_by_id(engine: Engine, user_id: int) -> User | None:
    """The user with this id, or None (use it to see a role change made since sign-in)."""
    with Session(engine) as session:
        record = session.get(UserRecord, user_id)
        return to_user(record) if record is not None else None


def list_users(engine: Engine) -> list[User]:
    """Every user, by username."""
    with Session(engine) as session:
        records = session.scalars(select(UserRecord).order_by(UserRecord.username))
        return [to_user(r) for r in records]


def check_username(username: str) -> str:
    """``username`` without surrounding spaces; AccountError unless 1–254 visible characters."""
    if not isinstance(username, str):
        raise AccountError("a username must be text")
    username = username.strip()
    if not username:
        raise AccountError("a username cannot be empty")
    if len(username) > USERNAME_MAX:
        raise AccountError(f"a username has at most {USERNAME_MAX} characters")
    if any(unicodedata.category(c)[0] in "CZ" for c in username):
        raise AccountError("a username cannot contain spaces or control characters")
    return username


def check_role(role: str) -> Role:
    """``role`` if it is one of trainee, faculty, admin; else AccountError."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    return role


def check_password(password: str) -> None:
    """WeakPasswordError unless ``password`` has 8 to 1024 characters, not all spaces."""
    if not isinstance(password, str) or not password.strip():
        raise WeakPasswordError("the password is empty")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"the password is shorter than {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPasswordError(f"the password is longer than {MAX_PASSWORD_LENGTH} characters")


def _display_name(name: str | None, username: str) -> str:
    if name is None:
        return username
    if not isinstance(name, str):
        raise AccountError("a display name must be text")
    name = storable_text(name.strip())
    if not name:
        return username
    if len(name) > NAME_MAX:
        raise AccountError(f"a display name has at most {NAME_MAX} characters")
    return name


def _cohort(cohort: str | None) -> str | None:
    if cohort is None:
        return None
    if not isinstance(cohort, str):
        raise AccountError("a cohort must be text")
    cohort = storable_text(cohort.strip())
    if not cohort:
        return None
    if len(cohort) > COHORT_MAX:
        raise AccountError(f"a cohort name has at most {COHORT_MAX} characters")
    return cohort


def _insert(engine: Engine, record: UserRecord) -> User:
    try:
        with Session(writer(engine), expire_on_commit=False) as session, session.begin():
            session.add(record)
    except IntegrityError as exc:
        raise DuplicateUserError(f"the username {record.username!r} is taken") from exc
    return to_user(record)


def to_user(record: UserRecord) -> User:
    """The :class:`User` snapshot of an account record."""
    return User(
        id=record.id,
        username=record.username,
        display_name=record.display_name,
        role=cast(Role, record.role),
        cohort=record.cohort,
        active=record.active,
    )


def _waste_a_verification(password: str) -> None:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not a password of anyone's")
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash, password)
