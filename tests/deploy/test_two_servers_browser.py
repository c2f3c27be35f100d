"""Two app servers on one PostgreSQL, in Debian's chromium (issue 15): what one server's
user saves, the other server's users see; a conflicting edit made on the other server is
refused; and when a user's server dies, the proxy moves them to the other one, still signed
in, with their saved work."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from atlas_app.web.session_cookie import COOKIE_NAME
from deploy.cluster import Cluster

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery 2"
SLOW = 120_000


@pytest.fixture(scope="module")
def people(cluster: Cluster) -> dict[str, object]:
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import get_engine

    engine = get_engine(cluster.database_url)
    tag = uuid.uuid4().hex[:6]
    cohort = f"c{tag}"
    return {
        "fay": create_user(engine, f"fay_{tag}", PASSWORD, role="faculty", cohort=cohort),
        "gil": create_user(engine, f"gil_{tag}", PASSWORD, role="faculty", cohort=cohort),
        "tom": create_user(engine, f"tom_{tag}", PASSWORD, role="trainee", cohort=cohort),
    }


def open_page(browser: Browser, url: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    return page


def sign_in(page: Page, username: str) -> None:
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible(timeout=SLOW)
    # The page then trades its one-time ticket for the HttpOnly cookie (a fetch of its own):
    # a navigation before that would start a signed-out session.
    wait_for(
        page,
        lambda: any(c["name"] == COOKIE_NAME for c in page.context.cookies()),
        "the sign-in cookie",
    )


def cases_of(cluster: Cluster, user) -> list:
    from atlas_app.storage import case_store
    from atlas_app.storage.db import get_engine

    engine = get_engine(cluster.database_url)
    return [
        case_store.get_case(engine, user.id, s.id)
        for s in case_store.list_cases_for(engine, user.id)
        if s.owner_id == user.id
    ]


def wait_for(page: Page, check, what: str, seconds: float = 60):
    for _ in range(int(seconds * 4)):
        found = check()
        if found:
            return found
        page.wait_for_timeout(250)
    pytest.fail(f"never happened: {what}")


def set_case_title(page: Page, title: str) -> None:
    field = page.get_by_role("textbox", name="Title").first
    field.fill(title)
    field.press("Enter")


def test_what_one_server_saves_the_other_shows(browser: Browser, cluster: Cluster, people):
    from atlas_app.storage import case_store
    from atlas_app.storage.db import get_engine

    a, b = cluster.app_servers
    fay, tom = people["fay"], people["tom"]
    # Faculty on server B make a case and share it with their cohort.
    faculty = open_page(browser, b.url)
    sign_in(faculty, fay.username)
    faculty.goto(f"{b.url}/cases")
    faculty.get_by_role("button", name="New case").click()
    (stored,) = wait_for(faculty, lambda: cases_of(cluster, fay), "the case is stored")
    faculty.goto(f"{b.url}/cases?case={stored.id}")
    set_case_title(faculty, "Shared across servers")
    wait_for(
        faculty,
        lambda: cases_of(cluster, fay)[0].case.title == "Shared across servers",
        "the title is saved",
    )
    case_store.set_cohort_sharing(get_engine(cluster.database_url), fay.id, stored.id, True)
    # A trainee of that cohort on server A finds it.
    trainee = open_page(browser, a.url)
    sign_in(trainee, tom.username)
    trainee.goto(f"{a.url}/cases")
    expect(trainee.get_by_text("Shared across servers").first).to_be_visible(timeout=SLOW)
    trainee.context.close()
    faculty.context.close()


def test_a_conflicting_edit_from_the_other_server_is_refused(
    browser: Browser, cluster: Cluster, people
):
    from atlas_app.cases.model import Case
    from atlas_app.storage import case_store
    from atlas_app.storage.db import get_engine

    a, b = cluster.app_servers
    fay, gil = people["fay"], people["gil"]
    engine = get_engine(cluster.database_url)
    stored = case_store.create_case(engine, fay.id, Case(title="Co-edited"))
    case_store.add_coeditor(engine, fay.id, stored.id, gil.id)
    one = open_page(browser, a.url)
    sign_in(one, fay.username)
    one.goto(f"{a.url}/cases?case={stored.id}")
    other = open_page(browser, b.url)
    sign_in(other, gil.username)
    other.goto(f"{b.url}/cases?case={stored.id}")
    expect(one.get_by_role("textbox", name="Title").first).to_have_value("Co-edited", timeout=SLOW)
    expect(other.get_by_role("textbox", name="Title").first).to_have_value(
        "Co-edited", timeout=SLOW
    )
    set_case_title(one, "Fay's title")
    wait_for(
        one,
        lambda: case_store.get_case(engine, fay.id, stored.id).case.title == "Fay's title",
        "the first save",
    )
    set_case_title(other, "Gil's title")
    expect(other.get_by_text(re.compile(r"Not saved: .* saved this case"))).to_be_visible(
        timeout=SLOW
    )
    assert case_store.get_case(engine, fay.id, stored.id).case.title == "Fay's title"
    one.context.close()
    other.context.close()


def test_a_user_whose_server_dies_goes_on_on_the_other(browser: Browser, cluster: Cluster, people):
    from atlas_app.cases.model import Case
    from atlas_app.storage import case_store
    from atlas_app.storage.db import get_engine

    fay = people["fay"]
    engine = get_engine(cluster.database_url)
    stored = case_store.create_case(engine, fay.id, Case(title="Draft"))
    page = open_page(browser, cluster.url)
    sign_in(page, fay.username)
    page.goto(f"{cluster.url}/cases?case={stored.id}")
    set_case_title(page, "Saved before the failover")
    wait_for(
        page,
        lambda: (
            case_store.get_case(engine, fay.id, stored.id).case.title == "Saved before the failover"
        ),
        "the title is saved",
    )
    # the server this browser's session lives on
    route = page.context.cookies(cluster.url)
    key = next(c["value"] for c in route if c["name"] == "atlas_route")
    (home,) = {addr for k, addr in cluster.routes() if k == key}
    cluster.kill(cluster.server_at(home))
    # Without a reload: Streamlit's page reconnects, nginx sends it to the other server, and
    # the page runs there, signed in again by the cookie (a click on another page proves
    # the new session answers).
    page.wait_for_timeout(3000)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="About", exact=True).click()
    # the About page drawn (not the Cases page left on screen by the dead session)
    expect(page.get_by_text("GPL-3.0-or-later").first).to_be_visible(timeout=SLOW)
    page.screenshot(path="/tmp/failover_2.png")
    expect(page.get_by_text(f"Signed in as {fay.username}")).to_be_visible(timeout=SLOW)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Cases", exact=True).click()
    # the case list of the new session (the builder that was open lived in the dead one)
    expect(page.get_by_role("heading", name="My cases")).to_be_visible(timeout=SLOW)
    saved = page.get_by_text(re.compile(r"Saved before the failover\s+\(owner"))
    expect(saved).to_be_visible(timeout=SLOW)
    assert cluster.server_at(home).proc.poll() is not None  # type: ignore[union-attr]
    # and a reload (a new page load) is signed in too
    page.reload()
    expect(page.get_by_text(f"Signed in as {fay.username}")).to_be_visible(timeout=SLOW)
    page.context.close()
    cluster.restart(cluster.server_at(home))  # the module's later tests use both servers


def test_an_answer_given_on_one_server_is_in_the_cohort_on_the_other(
    browser: Browser, cluster: Cluster, people
):
    from tests.e2e.harness import ROOT
    from tests.e2e.test_quiz_browser import answer, planned_items, quiz_world, start_replay

    a, b = cluster.app_servers
    fay, tom = people["fay"], people["tom"]
    world = quiz_world(ROOT / "anatomy_data")
    seed, item = next(
        (s, items[0])
        for s in range(1, 200)
        if (items := planned_items(world, s)) and items[0].kind == "choice"
    )
    faculty = open_page(browser, b.url)
    sign_in(faculty, fay.username)
    faculty.goto(f"{b.url}/cohort")
    expect(faculty.get_by_text("No trainee has answered yet.")).to_be_visible(timeout=SLOW)
    # the trainee answers on server A
    trainee = open_page(browser, f"{a.url}/quiz")
    sign_in(trainee, tom.username)
    start_replay(trainee, seed)
    answer(trainee, item)
    expect(trainee.get_by_test_id("stAlertContentSuccess")).to_be_visible(timeout=SLOW)
    # faculty on server B see it
    faculty.reload()
    answers = faculty.get_by_test_id("stMetric").filter(has_text="Answers").first
    expect(answers).to_contain_text("1", timeout=SLOW)
    faculty.get_by_role("tab", name="Trainees").click()
    expect(faculty.get_by_text(tom.username).first).to_be_visible(timeout=SLOW)
    trainee.context.close()
    faculty.context.close()
