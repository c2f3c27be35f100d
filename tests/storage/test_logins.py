"""Remembered sign-ins in the store (issue 15), on SQLite and PostgreSQL: a one-time ticket
traded once for a token; the token signs in while its login is open, unexpired and of an
active account; sign-out, a password change, a role change and a deactivation end it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from atlas_app.storage import logins
from atlas_app.storage.accounts import (
    User,
    create_user,
    set_active,
    set_cohort,
    set_password,
    set_role,
)
from atlas_app.storage.db import make_engine
from atlas_app.storage.models import LoginSessionRecord, UserRecord

PASSWORD = "sacral ala 2026"
DAYS = timedelta(days=14)
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def tina(engine: Engine) -> User:
    return create_user(engine, "tina", PASSWORD, role="faculty", cohort="2026")


def _remembered(engine: Engine, user: User, now: datetime = T0) -> tuple[int, str]:
    login = logins.open_login(engine, user.id, DAYS, now=now)
    token = logins.take_cookie(engine, login.ticket, now=now + timedelta(seconds=1))
    assert token is not None
    return login.id, token


def test_a_ticket_is_traded_once_for_a_token(engine: Engine, tina: User) -> None:
    login = logins.open_login(engine, tina.id, DAYS, now=T0)
    token = logins.take_cookie(engine, login.ticket, now=T0)
    assert token is not None and token != login.ticket
    assert logins.take_cookie(engine, login.ticket, now=T0) is None, "once only"
    assert logins.login_of(engine, token, now=T0) == (tina.id, login.id)
    with Session(engine) as session:  # only digests are stored
        row = session.get(LoginSessionRecord, login.id)
        assert row is not None and token not in (row.token_hash, row.ticket_hash)
        assert row.ticket_hash is None and row.token_hash is not None


def test_a_late_or_unknown_ticket_gets_nothing(engine: Engine, tina: User) -> None:
    login = logins.open_login(engine, tina.id, DAYS, now=T0)
    late = T0 + logins.TICKET_LIFETIME + timedelta(seconds=1)
    assert logins.take_cookie(engine, login.ticket, now=late) is None
    assert logins.take_cookie(engine, "not a ticket", now=T0) is None
    assert logins.take_cookie(engine, "", now=T0) is None


def test_a_token_expires_with_its_login(engine: Engine, tina: User) -> None:
    _, token = _remembered(engine, tina)
    assert logins.login_of(engine, token, now=T0 + DAYS - timedelta(minutes=1)) is not None
    assert logins.login_of(engine, token, now=T0 + DAYS) is None
    assert logins.login_of(engine, "forged", now=T0) is None


def test_sign_out_ends_the_login_and_its_open_session(engine: Engine, tina: User) -> None:
    login_id, token = _remembered(engine, tina)
    other_id, other_token = _remembered(engine, tina)  # another browser
    logins.end_login(engine, login_id, "sign-out")
    assert logins.login_of(engine, token, now=T0) is None
    assert not logins.keeps_session(engine, login_id)
    assert logins.login_of(engine, other_token, now=T0) == (tina.id, other_id), "untouched"
    logins.end_login_of_token(engine, other_token, "sign-out")
    assert logins.login_of(engine, other_token, now=T0) is None


def test_a_password_change_ends_every_login_and_open_session(engine: Engine, tina: User) -> None:
    first, second = _remembered(engine, tina), _remembered(engine, tina)
    set_password(engine, "tina", "a new password 2027")
    for login_id, token in (first, second):
        assert logins.login_of(engine, token, now=T0) is None
        assert not logins.keeps_session(engine, login_id)


def test_a_role_change_ends_the_cookie_not_the_open_session(engine: Engine, tina: User) -> None:
    login_id, token = _remembered(engine, tina)
    set_cohort(engine, "tina", "2027")  # a cohort change ends nothing
    assert logins.login_of(engine, token, now=T0) == (tina.id, login_id)
    set_role(engine, "tina", "trainee")
    assert logins.login_of(engine, token, now=T0) is None, "a reload asks for the password"
    assert logins.keeps_session(engine, login_id), "the open session goes on, as a trainee"
    set_password(engine, "tina", "a new password 2027")  # and a later password change
    assert not logins.keeps_session(engine, login_id), "still ends the open session"


def test_deactivation_and_deletion_end_logins(engine: Engine, tina: User) -> None:
    login_id, token = _remembered(engine, tina)
    set_active(engine, "tina", False)
    assert logins.login_of(engine, token, now=T0) is None
    assert not logins.keeps_session(engine, login_id)
    set_active(engine, "tina", True)
    assert logins.login_of(engine, token, now=T0) is None, "an ended login stays ended"
    login_id, token = _remembered(engine, tina)
    with Session(engine) as session, session.begin():
        session.execute(delete(UserRecord).where(UserRecord.id == tina.id))
    assert logins.login_of(engine, token, now=T0) is None
    assert not logins.keeps_session(engine, login_id), "its logins went with it"


def test_logins_long_over_are_cleared_away(engine: Engine, tina: User) -> None:
    _remembered(engine, tina, now=T0)
    later = T0 + DAYS + logins.KEPT_AFTER_EXPIRY + timedelta(minutes=1)
    logins.open_login(engine, tina.id, DAYS, now=later)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(LoginSessionRecord)) == 1


def test_another_server_honours_the_token(db_url: str) -> None:
    first, second = make_engine(db_url), make_engine(db_url)
    try:
        user = create_user(first, "tina", PASSWORD)
        login_id, token = _remembered(first, user)
        assert logins.login_of(second, token, now=T0) == (user.id, login_id)
        logins.end_login(second, login_id, "sign-out")
        assert logins.login_of(first, token, now=T0) is None
    finally:
        first.dispose()
        second.dispose()


def test_set_password_refuses_weak_passwords_and_oidc_accounts(engine: Engine, tina: User) -> None:
    from atlas_app.storage.accounts import (
        AccountError,
        WeakPasswordError,
        authenticate,
        get_or_create_oidc_user,
    )

    with pytest.raises(WeakPasswordError):
        set_password(engine, "tina", "short")
    get_or_create_oidc_user(engine, "lee@x.example", "Lee")
    with pytest.raises(AccountError):
        set_password(engine, "lee@x.example", "a long enough password")
    set_password(engine, "tina", "a new password 2027")
    assert authenticate(engine, "tina", PASSWORD) is None
    assert authenticate(engine, "tina", "a new password 2027") is not None
