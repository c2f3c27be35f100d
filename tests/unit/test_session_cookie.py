"""The remembered sign-in's cookie: signed with the configured secret (or one generated per
install, kept privately), refused when forged, tampered with or too old; and the
``/atlas/session`` route that hands it over as an HttpOnly cookie and drops it again, tried
with Starlette's test client against a real (SQLite) store."""

from __future__ import annotations

import os
import stat
import warnings
from datetime import timedelta

import pytest
from starlette.applications import Starlette

with warnings.catch_warnings():  # Starlette would rather have httpx2; httpx is what is pinned
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from atlas_app.web import session_cookie
from atlas_app.web.routes import SIGN_OUT_HEADER, TICKET_HEADER, session_path, session_routes
from atlas_app.web.session_cookie import COOKIE_NAME, CookieConfigError, signed, token_of

SECRET = "s" * 48


@pytest.fixture(autouse=True)
def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(session_cookie.SECRET_ENV, SECRET)
    monkeypatch.delenv(session_cookie.DAYS_ENV, raising=False)


def test_a_signed_token_comes_back_and_a_forged_one_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    value = signed("the token")
    assert token_of(value) == "the token"
    assert "the token" not in value or value.count(".") == 2  # token, time, signature
    assert token_of(value[:-2] + "xx") is None
    assert token_of("the token") is None
    assert token_of(None) is None and token_of("") is None and token_of("x" * 5000) is None
    monkeypatch.setenv(session_cookie.SECRET_ENV, "t" * 48)  # another server's secret
    assert token_of(value) is None


def test_an_old_cookie_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    value = signed("the token")
    monkeypatch.setattr(session_cookie, "lifetime", lambda: timedelta(seconds=-1))
    assert token_of(value) is None


def test_settings_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(session_cookie.SECRET_ENV, "too short")
    with pytest.raises(CookieConfigError, match="at least 32"):
        session_cookie.session_secret()
    monkeypatch.setenv(session_cookie.DAYS_ENV, "forever")
    with pytest.raises(CookieConfigError, match="number of days"):
        session_cookie.lifetime()
    monkeypatch.setenv(session_cookie.DAYS_ENV, "0.5")
    assert session_cookie.lifetime() == timedelta(hours=12)


def test_without_configuration_a_private_secret_is_made_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.delenv(session_cookie.SECRET_ENV)
    path = tmp_path / "var" / "session_secret"
    first = session_cookie.session_secret(path)
    assert len(first) >= 32 and session_cookie.session_secret(path) == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["session_secret"], "no draft left"
    path.write_text("")  # an empty file (a disk that filled up) is replaced
    assert len(session_cookie.session_secret(path)) >= 32


@pytest.fixture
def client(tmp_path, monkeypatch: pytest.MonkeyPatch):
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import dispose_engines, get_engine

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite3'}")
    dispose_engines()
    engine = get_engine()
    user = create_user(engine, "tina", "sacral ala 2026")
    app = Starlette(routes=session_routes(""))
    with TestClient(app, base_url="http://atlas.test") as test_client:
        yield test_client, engine, user
    dispose_engines()


ORIGIN = {"Origin": "http://atlas.test"}


def test_the_route_hands_over_an_httponly_cookie_once(client) -> None:
    from atlas_app.storage.logins import login_of, open_login

    test_client, engine, user = client
    login = open_login(engine, user.id, timedelta(days=14))
    answer = test_client.post(session_path(""), headers={**ORIGIN, TICKET_HEADER: login.ticket})
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert f"Max-Age={14 * 24 * 3600}" in cookie and "Secure" not in cookie  # plain HTTP here
    token = token_of(test_client.cookies[COOKIE_NAME])
    assert token is not None and login_of(engine, token) == (user.id, login.id)
    again = test_client.post(session_path(""), headers={**ORIGIN, TICKET_HEADER: login.ticket})
    assert again.status_code == 403 and "set-cookie" not in again.headers


def test_behind_a_proxy_that_drops_the_port_the_route_still_works(client) -> None:
    """nginx's ``proxy_set_header Host $host`` passes the host name without the port the
    browser used: the origin's host name still matches."""
    from atlas_app.storage.logins import open_login

    test_client, engine, user = client
    login = open_login(engine, user.id, timedelta(days=14))
    headers = {
        "Origin": "http://atlas.test:8080",
        "Host": "atlas.test",
        TICKET_HEADER: login.ticket,
    }
    assert test_client.post(session_path(""), headers=headers).status_code == 204


def test_the_route_refuses_other_origins_and_missing_tickets(client) -> None:
    from atlas_app.storage.logins import open_login

    test_client, engine, user = client
    login = open_login(engine, user.id, timedelta(days=14))
    for headers in (
        {TICKET_HEADER: login.ticket},  # no Origin: not a page's script
        {"Origin": "http://evil.example", TICKET_HEADER: login.ticket},
        {"Origin": "http://atlas.test.evil.example", TICKET_HEADER: login.ticket},
        ORIGIN,
        {**ORIGIN, TICKET_HEADER: "made up"},
    ):
        answer = test_client.post(session_path(""), headers=headers)
        assert answer.status_code == 403 and "set-cookie" not in answer.headers
    assert test_client.get(session_path("")).status_code == 405


def test_the_route_drops_the_cookie_and_ends_the_login(client) -> None:
    from atlas_app.storage.logins import login_of, open_login

    test_client, engine, user = client
    login = open_login(engine, user.id, timedelta(days=14))
    test_client.post(session_path(""), headers={**ORIGIN, TICKET_HEADER: login.ticket})
    token = token_of(test_client.cookies[COOKIE_NAME])
    assert test_client.delete(session_path(""), headers=ORIGIN).status_code == 403
    answer = test_client.delete(session_path(""), headers={**ORIGIN, SIGN_OUT_HEADER: "1"})
    assert answer.status_code == 204
    assert f"{COOKIE_NAME}=" in answer.headers["set-cookie"]
    assert COOKIE_NAME not in test_client.cookies
    assert token is not None and login_of(engine, token) is None


def test_the_route_lives_under_the_base_url_path() -> None:
    assert session_path("") == "/atlas/session"
    assert session_path("/clinic/") == "/clinic/atlas/session"
    [post, delete] = session_routes("clinic")
    assert post.path == delete.path == "/clinic/atlas/session"
