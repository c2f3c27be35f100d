"""Sign-in throttling in the database (issue 16), on SQLite and PostgreSQL: a growing wait per
username and per client after failed attempts, a lock after many, the same answer whether or
not the username exists, counts that hold across engines (servers, restarts), and an admin
who sees and lifts them. Time is passed in (``now``), so nothing here sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from atlas_app.storage.access import AccessDenied
from atlas_app.storage.accounts import User, create_user
from atlas_app.storage.audit import audit_events
from atlas_app.storage.db import make_engine
from atlas_app.storage.signin import POLICIES, TRY_LATER, WRONG, sign_in, throttles, unlock

PASSWORD = "sacral ala 2026"
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ACCOUNT = POLICIES["account"]


@pytest.fixture
def people(engine: Engine) -> dict[str, User]:
    return {
        "tina": create_user(engine, "tina", PASSWORD),
        "ada": create_user(engine, "ada", PASSWORD, role="admin"),
    }


def _attempt(
    engine: Engine, password: str, at: datetime, username: str = "tina", client="10.0.0.1"
):
    return sign_in(engine, username, password, client, now=at)


def test_the_right_password_signs_in(engine: Engine, people: dict[str, User]) -> None:
    result = _attempt(engine, PASSWORD, T0)
    assert result.user == people["tina"] and result.message is None and not result.throttled


def test_the_wait_grows_after_the_free_attempts(engine: Engine, people: dict[str, User]) -> None:
    at = T0
    for _ in range(ACCOUNT.free):
        assert _attempt(engine, "wrong password", at).message == WRONG
        at += timedelta(milliseconds=10)
    # Now the username must wait 1 s after the last attempt: at once is refused, unchecked.
    refused = _attempt(engine, PASSWORD, at)
    assert (refused.user, refused.message, refused.throttled) == (None, TRY_LATER, True)
    # Each attempt (refused ones too) doubles the wait, from the attempt.
    last = at
    for attempts in (ACCOUNT.free + 1, ACCOUNT.free + 2):
        wait = ACCOUNT.first_wait * 2 ** (attempts - ACCOUNT.free)
        assert _attempt(engine, PASSWORD, last + wait - timedelta(milliseconds=1)).throttled
        last = last + wait - timedelta(milliseconds=1)
    wait = ACCOUNT.first_wait * 2 ** (ACCOUNT.free + 3 - ACCOUNT.free)
    assert _attempt(engine, PASSWORD, last + wait).user == people["tina"], "waited long enough"


def test_twenty_wrong_passwords_lock_and_the_right_one_is_refused(
    engine: Engine, people: dict[str, User]
) -> None:
    at = T0
    answers = []
    for _ in range(20):
        answers.append(_attempt(engine, "not her password", at).message)
        at += timedelta(seconds=1)
    assert answers[: ACCOUNT.free] == [WRONG] * ACCOUNT.free
    assert answers[-1] == TRY_LATER
    # During the lock the right password is refused, with the same words.
    at += timedelta(minutes=5)
    during = _attempt(engine, PASSWORD, at, client="10.9.9.9")
    assert (during.user, during.message) == (None, TRY_LATER)
    [held] = [t for t in throttles(engine, people["ada"].id, now=at) if t.scope == "account"]
    assert held.key == "tina" and held.locked_until is not None
    # After it (counted from the attempt that locked), she signs in.
    later = held.locked_until + timedelta(seconds=1)
    assert _attempt(engine, PASSWORD, later, client="10.9.9.9").user == people["tina"]


def test_an_unknown_username_is_throttled_and_answered_alike(
    engine: Engine, people: dict[str, User]
) -> None:
    for name in ("tina", "nobody"):
        answers = [
            _attempt(engine, "wrong", T0 + timedelta(seconds=i / 10), name, f"10.1.{i}.1").message
            for i in range(12)
        ]
        assert answers == [WRONG] * 3 + [TRY_LATER] * 9, name
    held = throttles(engine, people["ada"].id, now=T0 + timedelta(seconds=2))
    keys = {t.key for t in held if t.scope == "account"}
    assert keys == {"tina", "nobody"}


def test_a_client_is_throttled_across_usernames(engine: Engine, people: dict[str, User]) -> None:
    client = POLICIES["client"]
    for i in range(client.free):  # a different username each time: no account key waits
        result = _attempt(engine, "guess", T0 + timedelta(seconds=i), f"user{i}", "10.6.6.6")
        assert result.message == WRONG
    last = T0 + timedelta(seconds=client.free - 1)
    assert _attempt(engine, PASSWORD, last, "tina", "10.6.6.6").throttled
    assert _attempt(engine, PASSWORD, last, "tina", "10.7.7.7").user == people["tina"]


def test_one_client_however_its_address_is_written(engine: Engine, people: dict[str, User]) -> None:
    """A dual-stack server reports an IPv4 client as ``::ffff:a.b.c.d``: that and the plain
    address are one client, to count, to lift and in the trail; loopback is this machine."""
    client = POLICIES["client"]
    for i in range(client.free):
        address = "::ffff:10.6.6.6" if i % 2 else "10.6.6.6"
        _attempt(engine, "guess", T0 + timedelta(seconds=i), f"user{i}", address)
    last = T0 + timedelta(seconds=client.free - 1)
    assert _attempt(engine, PASSWORD, last, "tina", "::ffff:10.6.6.6").throttled
    assert unlock(engine, people["ada"].id, "client", "::ffff:10.6.6.6")
    assert _attempt(engine, PASSWORD, last, "tina", "10.6.6.6").user == people["tina"]
    _attempt(engine, "guess", last, "nobody", "::ffff:127.0.0.1")
    held = {(t.scope, t.key) for t in throttles(engine, people["ada"].id, now=last)}
    assert ("client", "local") in held
    assert unlock(engine, people["ada"].id, "client", "127.0.0.1")
    events = audit_events(engine, people["ada"].id, actions=("sign_in_failure",))
    assert {e.client for e in events} == {"10.6.6.6", "local"}


def test_a_success_clears_the_username_not_the_client(
    engine: Engine, people: dict[str, User]
) -> None:
    _attempt(engine, "wrong password", T0)
    _attempt(engine, "wrong password", T0)
    assert _attempt(engine, PASSWORD, T0).user is not None
    held = {(t.scope, t.key): t.attempts for t in throttles(engine, people["ada"].id, now=T0)}
    assert held == {("client", "10.0.0.1"): 2}


def test_old_attempts_are_forgotten_after_the_window(
    engine: Engine, people: dict[str, User]
) -> None:
    for i in range(ACCOUNT.free):
        _attempt(engine, "wrong password", T0 + timedelta(seconds=i))
    assert throttles(engine, people["ada"].id, now=T0 + timedelta(seconds=5))
    later = T0 + ACCOUNT.window + timedelta(minutes=1)
    assert throttles(engine, people["ada"].id, now=later) == []
    assert _attempt(engine, "wrong password", later).message == WRONG  # counted afresh


def test_the_count_holds_for_another_server(db_url: str) -> None:
    """Two engines (two app servers, or a restart) share the count through the database."""
    first, second = make_engine(db_url), make_engine(db_url)
    try:
        create_user(first, "tina", PASSWORD)
        for i in range(ACCOUNT.free):
            _attempt(first, "wrong password", T0 + timedelta(milliseconds=i))
        assert _attempt(second, PASSWORD, T0 + timedelta(milliseconds=5)).throttled
    finally:
        first.dispose()
        second.dispose()


def test_admins_see_and_unlock_others_may_not(engine: Engine, people: dict[str, User]) -> None:
    for i in range(12):
        _attempt(engine, "wrong password", T0 + timedelta(seconds=i))
    with pytest.raises(AccessDenied):
        throttles(engine, people["tina"].id)
    with pytest.raises(AccessDenied):
        unlock(engine, people["tina"].id, "account", "tina")
    assert unlock(engine, people["ada"].id, "account", "tina")
    assert not unlock(engine, people["ada"].id, "account", "tina"), "nothing left to lift"
    right_after = T0 + timedelta(seconds=13)
    assert _attempt(engine, PASSWORD, right_after, client="10.2.2.2").user == people["tina"]
    [event] = audit_events(engine, people["ada"].id, actions=("unlock",))
    assert (event.actor, event.target) == ("ada", "account tina")


def test_every_failed_or_refused_attempt_is_in_the_audit_trail(
    engine: Engine, people: dict[str, User]
) -> None:
    for i in range(5):
        _attempt(engine, "wrong password", T0 + timedelta(milliseconds=i), "ti<b>na</b>")
    events = audit_events(engine, people["ada"].id, actions=("sign_in_failure", "sign_in_refused"))
    assert [e.action for e in reversed(events)] == ["sign_in_failure"] * 3 + ["sign_in_refused"] * 2
    assert {(e.target, e.client, e.actor_id) for e in events} == {("ti<b>na</b>", "10.0.0.1", None)}
    assert PASSWORD not in repr(events) and "wrong password" not in repr(events)
