"""Access follows the store in a real browser (issue 16): an admin's change made while a
person's page is open counts at that person's next click.

The accounts and cases are made, and changed, with the storage API in the store the server
uses (the server inherits this process's ``DATABASE_URL``), the way ``python -m atlas_app users
set-role|set-cohort`` and another faculty member's unshare would change them.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery 7"
SLOW = 120_000


def _name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def engine(app_url):  # app_url first: it points DATABASE_URL at the server's store
    from atlas_app.storage.db import get_engine

    return get_engine()


def make_user(engine, prefix: str, role: str = "trainee", cohort: str | None = None):
    from atlas_app.storage.accounts import create_user

    return create_user(engine, _name(prefix), PASSWORD, role=role, cohort=cohort)  # type: ignore[arg-type]


def sign_in_at(page: Page, url: str, username: str) -> None:
    """Open ``url`` and sign in with the sidebar's form (drawn before every page)."""
    page.goto(url)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible(timeout=SLOW)


def test_faculty_demoted_while_the_page_is_open_cannot_create(page: Page, app_url, engine):
    from atlas_app.storage import case_store
    from atlas_app.storage.accounts import set_role

    fay = make_user(engine, "fay", role="faculty", cohort="e2e")
    sign_in_at(page, f"{app_url}/cases", fay.username)
    new_case = page.get_by_role("button", name="New case")
    expect(new_case).to_be_visible(timeout=SLOW)
    set_role(engine, fay.username, "trainee")
    new_case.click()
    expect(page.get_by_text("only faculty build cases")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("button", name="New case")).to_have_count(0)
    assert case_store.list_cases_for(engine, fay.id) == [], "nothing was stored"


def test_an_open_case_unshared_closes_at_the_next_click(page: Page, app_url, engine):
    from atlas_app.cases.model import Case
    from atlas_app.storage import case_store

    fay = make_user(engine, "fay", role="faculty", cohort="e2e")
    tina = make_user(engine, "tina", cohort="e2e")
    stored = case_store.create_case(
        engine, fay.id, Case(title="Shared for now", summary="Read me while you may.")
    )
    case_store.share_case(engine, fay.id, stored.id, tina.id)
    sign_in_at(page, f"{app_url}/cases?case={stored.id}", tina.username)
    expect(page.get_by_text("Read me while you may.")).to_be_visible(timeout=SLOW)
    case_store.unshare_case(engine, fay.id, stored.id, tina.id)
    page.get_by_role("button", name="Open").click()  # still listed: drawn before the unshare
    expect(page.get_by_text("not shared with you")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("Read me while you may.")).to_have_count(0)
    expect(page.get_by_role("button", name="Open")).to_have_count(0)


def test_a_trainee_moved_to_another_cohort_is_refused_the_old_cohorts_case(
    page: Page, app_url, engine
):
    from atlas_app.cases.model import Case
    from atlas_app.storage import case_store
    from atlas_app.storage.accounts import set_cohort

    cohort = _name("cohort")
    fay = make_user(engine, "fay", role="faculty", cohort=cohort)
    tina = make_user(engine, "tina", cohort=cohort)
    stored = case_store.create_case(
        engine, fay.id, Case(title="For the old cohort", summary="Cohort reading.")
    )
    case_store.set_cohort_sharing(engine, fay.id, stored.id, True)
    sign_in_at(page, f"{app_url}/cases?case={stored.id}", tina.username)
    expect(page.get_by_text("Cohort reading.")).to_be_visible(timeout=SLOW)
    set_cohort(engine, tina.username, _name("cohort"))
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_text("not shared with you")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("Cohort reading.")).to_have_count(0)


@pytest.fixture
def lift_the_throttle(engine):
    """Every browser test signs in from the same address (this machine): lift what a test
    left held, so the next test's sign-in is not refused."""
    from atlas_app.storage.signin import LOCAL_CLIENT, unlock

    unlock(engine, "browser test", "client", LOCAL_CLIENT)  # whatever an earlier test left
    held: list[str] = []
    yield held
    for username in held:
        unlock(engine, "browser test", "account", username)
    unlock(engine, "browser test", "client", LOCAL_CLIENT)


def test_twenty_wrong_passwords_then_the_right_one_is_refused(
    page: Page, app_url, engine, lift_the_throttle
):
    from atlas_app.storage.signin import TRY_LATER, WRONG

    EITHER = re.compile(f"^({re.escape(WRONG)}|{re.escape(TRY_LATER)})$")  # noqa: N806
    tina = make_user(engine, "tina")
    lift_the_throttle.append(tina.username)
    page.goto(f"{app_url}/about")
    username = page.get_by_role("textbox", name="Username")
    password = page.get_by_role("textbox", name="Password")
    sign_in_button = page.get_by_role("button", name="Sign in")
    alert = page.get_by_test_id("stSidebar").get_by_test_id("stAlertContentError")
    expect(username).to_be_visible(timeout=SLOW)
    for attempt in range(20):
        username.fill(tina.username)
        password.fill(f"not her password {attempt}")
        sign_in_button.click()
        # Three free attempts; whether the next few wait depends on how fast they come; the
        # tenth locks the username, so from the eleventh on every attempt is refused.
        expected = WRONG if attempt < 3 else TRY_LATER if attempt >= 10 else EITHER
        expect(alert).to_have_text(expected, timeout=SLOW)
        expect(password).to_have_value("", timeout=SLOW)  # the run is over: the next may go
    username.fill(tina.username)
    password.fill(PASSWORD)
    sign_in_button.click()
    expect(password).to_have_value("", timeout=SLOW)
    expect(alert).to_have_text(TRY_LATER)
    expect(page.get_by_text(f"Signed in as {tina.username}")).to_have_count(0)
