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


def press_until(page: Page, user, button, check, tries: int = 3):
    """Press ``button`` until the stored case passes ``check``: a click that lands while the
    page is still rerunning (a loaded machine) can be lost; it is pressed again only when
    the store did not change at all."""
    for _ in range(tries):
        idle(page)
        before = only_case(user)[0].version
        expect(button).to_be_enabled(timeout=SLOW)
        button.click()
        for _ in range(80):
            stored = only_case(user)[0]
            if check(stored.case):
                return stored
            if stored.version != before:
                break
            page.wait_for_timeout(250)
        else:
            continue  # nothing was saved: the click was lost
        break
    return wait_for(page, user, check)


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


def test_the_slide_list_stays_on_the_slide_being_edited(browser, app_url):
    """Move down twice, then a new slide retitled with Ctrl+Enter: the list and the editor
    stay on that slide (they fell back to slide 1: the browser keeps a radio's choice as its
    label, and both edits change the label)."""
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import get_engine

    user = create_user(
        get_engine(), f"e2e_keep_{uuid.uuid4().hex[:8]}", PASSWORD, role="faculty", cohort="e2e"
    )
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/cases")
        sign_in(page, user.username, PASSWORD)
        page.get_by_role("button", name="Start from the example case").click()
        wait_for(page, user, lambda c: len(c.slides) == 5)
        idle(page)
        page.get_by_role("radio", name=re.compile(r"^1\.")).focus()
        page.keyboard.press("ArrowDown")
        idle(page)
        heading = page.get_by_role("heading", name=re.compile(r"^Slide \d: Where the cement"))
        expect(heading).to_have_text(re.compile(r"^Slide 2"))
        for place in (3, 4):
            press_until(
                page,
                user,
                page.get_by_role("button", name="Move down"),
                lambda c, p=place: c.slides[p - 1].title == "Where the cement sits",
            )
            idle(page)
            expect(heading).to_have_text(re.compile(rf"^Slide {place}"))
        expect(page.get_by_role("radio", name=re.compile(r"^4\."))).to_be_checked()

        page.get_by_role("button", name="Add text slide").click()
        wait_for(page, user, lambda c: len(c.slides) == 6)
        idle(page)
        expect(
            page.get_by_role("heading", name=re.compile(r"^Slide 5: New text slide"))
        ).to_be_visible()
        title = page.get_by_role("textbox", name="Slide title")
        title.fill("Plan the approach")
        title.press("Control+Enter")
        wait_for(page, user, lambda c: c.slides[4].title == "Plan the approach")
        idle(page)
        expect(
            page.get_by_role("heading", name=re.compile(r"^Slide 5: Plan the approach"))
        ).to_be_visible()
        expect(page.get_by_role("radio", name=re.compile(r"^5\."))).to_be_checked()
    finally:
        context.close()
