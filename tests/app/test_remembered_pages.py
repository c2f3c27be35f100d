"""Staying signed in across a reload (issue 15), under AppTest: a password sign-in hands the
browser a one-time ticket for its HttpOnly cookie (one fetch, drawn once); a session that
starts with a valid cookie is signed in again; sign-out, a password change and a role change
end the remembered sign-in (a password change also ends the open session; a role change
does not)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from atlas_app.ui import account
from atlas_app.ui.state import ACCOUNT_LOGIN as LOGIN_KEY
from atlas_app.ui.state import ACCOUNT_SIGNED_OUT_NOTICE as NOTICE_KEY
from atlas_app.ui.state import ACCOUNT_USER as USER_KEY

APP = Path(__file__).resolve().parents[2] / "atlas_app" / "streamlit_app.py"
TIMEOUT = 180
SECRET = "a test secret of more than thirty-two characters"


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_SESSION_SECRET", SECRET)


def _about(cookie: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> AppTest:
    if monkeypatch is not None:  # what the browser sent when the session began
        monkeypatch.setattr(account, "_cookie_value", lambda: cookie)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("app_pages/about.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _scripts(at: AppTest) -> list[str]:
    return [e.proto.body for e in at.get("html") if "<script>" in e.proto.body]


def _signed_in_as(at: AppTest) -> str | None:
    names = [t.value for t in at.text if t.value.startswith("Signed in as ")]
    return names[0].removeprefix("Signed in as ") if names else None


def _cookie_for(engine, user) -> str:
    from atlas_app.storage.logins import open_login, take_cookie
    from atlas_app.web.session_cookie import signed

    login = open_login(engine, user.id, timedelta(days=14))
    token = take_cookie(engine, login.ticket)
    assert token is not None
    return signed(token)


def test_signing_in_hands_the_ticket_to_the_browser_once(store) -> None:
    engine, _ = store
    from atlas_app.storage.logins import take_cookie

    at = _about()
    at.text_input(key="account.sign_in.username").input("tina")
    at.text_input(key="account.sign_in.password").input("correct horse 1")
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert _signed_in_as(at) == "tina"
    [script] = _scripts(at)
    assert '"/atlas/session"' in script and '"method": "POST"' in script
    assert '"X-Atlas-Ticket"' in script and "correct horse 1" not in script
    ticket = script.split('"X-Atlas-Ticket": "')[1].split('"')[0]
    at.run()
    assert _scripts(at) == [], "drawn once"
    assert take_cookie(engine, ticket) is not None, "the ticket the page handed over works"
    assert at.session_state[LOGIN_KEY] is not None


def test_a_valid_cookie_signs_the_session_in_again(store, monkeypatch) -> None:
    engine, users = store
    at = _about(_cookie_for(engine, users["tina"]), monkeypatch)
    assert _signed_in_as(at) == "tina"
    guest = _about("a forged cookie value", monkeypatch)
    assert _signed_in_as(guest) is None and USER_KEY not in guest.session_state


def test_sign_out_ends_the_remembered_sign_in(store, monkeypatch) -> None:
    engine, users = store
    cookie = _cookie_for(engine, users["tina"])
    at = _about(cookie, monkeypatch)
    next(b for b in at.button if b.label == "Sign out").click().run()
    assert _signed_in_as(at) is None
    [script] = _scripts(at)
    assert '"method": "DELETE"' in script and '"X-Atlas-Sign-Out"' in script
    assert _signed_in_as(_about(cookie, monkeypatch)) is None, "a reload stays signed out"


def test_a_role_change_ends_the_cookie_but_not_the_open_session(store, monkeypatch) -> None:
    engine, users = store
    from atlas_app.storage.accounts import set_role

    cookie = _cookie_for(engine, users["fay"])
    at = _about(cookie, monkeypatch)
    assert _signed_in_as(at) == "fay"
    set_role(engine, "fay", "trainee")
    at.run()
    assert _signed_in_as(at) == "fay", "the open session goes on"
    assert any(c.value == "Role: trainee" for c in at.caption)
    assert _signed_in_as(_about(cookie, monkeypatch)) is None, "a reload asks for the password"


def test_a_password_change_signs_the_open_session_out(store, monkeypatch) -> None:
    engine, users = store
    from atlas_app.storage.accounts import set_password

    cookie = _cookie_for(engine, users["tina"])
    at = _about(cookie, monkeypatch)
    set_password(engine, "tina", "a brand new password")
    at.run()
    assert _signed_in_as(at) is None
    assert "password changed" in at.session_state[NOTICE_KEY]
    assert _signed_in_as(_about(cookie, monkeypatch)) is None
