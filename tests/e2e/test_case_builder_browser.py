"""The case builder in a real browser at 1024×768: fields are saved as they are left (one
save each), and what is typed into the next field while the save reruns the page is kept
and saved in turn; the slide list works by keyboard; a refused YAML file is named with its
reason and nothing is stored.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_quiz_browser import sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery 3"
SLOW = 90_000


@pytest.fixture(scope="module")
def faculty():
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import get_engine

    name = f"e2e_builder_{uuid.uuid4().hex[:8]}"
    return create_user(get_engine(), name, PASSWORD, role="faculty", cohort="e2e")


def only_case(user):
    from atlas_app.storage import case_store
    from atlas_app.storage.db import get_engine

    engine = get_engine()
    summaries = case_store.list_cases_for(engine, user.id)
    return [case_store.get_case(engine, user.id, s.id) for s in summaries]


def wait_for(page: Page, user, check, timeout_s: float = 60.0):
    for _ in range(int(timeout_s * 4)):
        cases = only_case(user)
        if len(cases) == 1 and check(cases[0].case):
            return cases[0]
        page.wait_for_timeout(250)
    pytest.fail(f"the stored case never got there: {[c.case for c in only_case(user)]}")


def idle(page: Page) -> None:
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=SLOW)


def test_fields_save_as_they_are_left_without_losing_typing(
    browser, app_url, faculty, tmp_path: Path
):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/cases")
        sign_in(page, faculty.username, PASSWORD)
        page.get_by_role("button", name="Start from the example case").click()
        first = wait_for(page, faculty, lambda c: len(c.slides) == 5)
        idle(page)
        start = first.version

        # The first slide (a text slide) is selected: edit its title, then click into its text
        # and type at once, while the title's save reruns the page.
        title = page.get_by_role("textbox", name="Slide title")
        title.click()
        page.keyboard.press("End")
        page.keyboard.type(" (edited)")
        page.get_by_role("textbox", name="Text").click()
        page.keyboard.press("Control+Home")
        page.keyboard.type("Typed at once. ")
        idle(page)
        page.keyboard.type("And after the rerun. ")
        page.get_by_role("textbox", name="Speaker notes").click()
        stored = wait_for(page, faculty, lambda c: c.slides[0].body.startswith("Typed at once"))
        slide = stored.case.slides[0]
        assert slide.title.endswith("(edited)")
        assert slide.body.startswith("Typed at once. And after the rerun. - Leave the cement")
        assert stored.version == start + 2  # one save per field left
        idle(page)
        expect(page.get_by_role("textbox", name="Text")).to_have_value(
            re.compile(r"^Typed at once\. And after the rerun\. ")
        )

        # The slide list by keyboard: the arrow key selects the next slide, its editor follows.
        page.get_by_role("radio", name=re.compile(r"^1\.")).focus()
        page.keyboard.press("ArrowDown")
        idle(page)
        expect(
            page.get_by_role("heading", name=re.compile(r"^Slide 2: Where the cement"))
        ).to_be_visible()
        expect(page.get_by_role("textbox", name="Slide title")).to_have_value(
            "Where the cement sits"
        )

        # A refused YAML file: the reason, and nothing stored.
        page.get_by_text("Import a case from a YAML file").click()
        bad = tmp_path / "bad.yaml"
        bad.write_text("title: [unclosed\n", encoding="utf-8")
        page.locator("input[type=file]").set_input_files(str(bad))
        expect(
            page.get_by_text(re.compile(r"“bad\.yaml” was not imported: line 2: not valid YAML"))
        ).to_be_visible(timeout=SLOW)
        assert len(only_case(faculty)) == 1
    finally:
        context.close()
