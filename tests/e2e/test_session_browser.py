"""Staying signed in across a reload, in a real browser against the real server
(``atlas_app/serve.py``, as run.sh and the Procfile start it): the sign-in comes back as a
signed HttpOnly cookie that no script can read; a reload keeps the person signed in; *Sign
out* drops it; a role change ends it for the next reload while the open tab goes on; a
password change signs the open tab out at its next click."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from atlas_app.web.session_cookie import COOKIE_NAME

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery 9"
SLOW = 120_000


@pytest.fixture
def engine(app_url):  # app_url first: it points DATABASE_URL at the server's store
    from atlas_app.storage.db import get_engine

    return get_engine()


@pytest.fixture
def fay(engine):
    from atlas_app.storage.accounts import create_user

    name = f"fay_{uuid.uuid4().hex[:8]}"
    return create_user(engine, name, PASSWORD, role="faculty", cohort="e2e")


def session_cookie(context: BrowserContext) -> dict | None:
    found = [c for c in context.cookies() if c["name"] == COOKIE_NAME]
    return dict(found[0]) if found else None


def wait_for_cookie(page: Page, present: bool) -> dict | None:
    for _ in range(240):
        cookie = session_cookie(page.context)
        if (cookie is not None) == present:
            return cookie
        page.wait_for_timeout(250)
    pytest.fail(f"the session cookie was {'never set' if present else 'never dropped'}")


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(signed_in(page, username)).to_be_visible(timeout=SLOW)


def signed_in(page: Page, username: str):
    return page.get_by_text(f"Signed in as {username}")


def test_a_reload_keeps_the_sign_in_and_sign_out_ends_it(page: Page, app_url, fay):
    sign_in(page, f"{app_url}/about", fay.username)
    cookie = wait_for_cookie(page, present=True)
    assert cookie is not None
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/" and cookie["expires"] > 0, "it outlives the browser session"
    assert COOKIE_NAME not in page.evaluate("document.cookie"), "no script can read it"
    assert fay.username not in cookie["value"]

    page.reload()
    expect(signed_in(page, fay.username)).to_be_visible(timeout=SLOW)
    page.goto(f"{app_url}/cases")  # a new page load: a new Streamlit session, still signed in
    expect(signed_in(page, fay.username)).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("button", name="New case")).to_be_visible(timeout=SLOW)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=SLOW)
    wait_for_cookie(page, present=False)
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=SLOW)
    expect(signed_in(page, fay.username)).to_have_count(0)


def test_a_stolen_cookie_is_dead_after_sign_out(page: Page, app_url, fay, browser):
    sign_in(page, f"{app_url}/about", fay.username)
    cookie = wait_for_cookie(page, present=True)
    page.get_by_role("button", name="Sign out").click()
    wait_for_cookie(page, present=False)
    thief = browser.new_context()  # the value copied before the sign-out, replayed elsewhere
    try:
        thief.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path")}])  # type: ignore[index]
        other = thief.new_page()
        other.goto(f"{app_url}/about")
        expect(other.get_by_role("button", name="Sign in")).to_be_visible(timeout=SLOW)
    finally:
        thief.close()


def test_a_role_change_ends_the_cookie_but_not_the_open_tab(page: Page, app_url, engine, fay):
    from atlas_app.storage.accounts import set_role

    sign_in(page, f"{app_url}/about", fay.username)
    wait_for_cookie(page, present=True)
    second = page.context.new_page()  # another tab of the same browser, from the cookie
    second.goto(f"{app_url}/about")
    expect(signed_in(second, fay.username)).to_be_visible(timeout=SLOW)
    set_role(engine, fay.username, "trainee")
    second.get_by_role("link", name="Approaches").click()  # the open tab goes on, demoted
    expect(second.get_by_text("Role: trainee")).to_be_visible(timeout=SLOW)
    page.reload()  # a reload asks for the password again
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=SLOW)


def test_a_password_change_signs_the_open_tab_out(page: Page, app_url, engine, fay):
    from atlas_app.storage.accounts import set_password

    sign_in(page, f"{app_url}/about", fay.username)
    wait_for_cookie(page, present=True)
    set_password(engine, fay.username, "a different password 2027")
    page.get_by_role("link", name="Approaches").click()
    expect(page.get_by_text(re.compile("password changed"))).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=SLOW)
