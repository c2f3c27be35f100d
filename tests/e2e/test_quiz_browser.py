"""The quiz in a real browser, used as a person would.

A trainee types their username and password and presses Enter, answers items (a choice,
another, a click on the picture, and an estimate first typed as words), sees the answers on
the Progress page, cannot reach the Cohort page by its URL, and signs out. The user is made
with the storage API in the store the app uses (the server inherits this process's
``DATABASE_URL``: a throwaway SQLite file set by conftest). The quiz is replayed from a fixed
seed, so this process knows the items and answers them right — the click item by clicking
inside the named structure's area in the picture.

A second server reads a copy of the atlas with one authored item whose every text is
hostile (HTML, Markdown, Streamlit's own markup, bare web and e-mail addresses): the page
must show it as the text it is.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from tests.e2e.harness import ROOT, running_app

pytestmark = pytest.mark.e2e

SEED = (
    76  # the first three topics (preselected), 10 items: choice (a still), click, choice, estimate
)
ANSWERED = 4
PASSWORD = "correct horse battery 1"


@pytest.fixture(scope="module")
def trainee():
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import get_engine

    name = f"e2e_{uuid.uuid4().hex[:8]}"
    create_user(get_engine(), name, PASSWORD, cohort="e2e")
    return name


def quiz_world(atlas_dir: Path):
    from atlas_app.approaches.loader import load_approaches
    from atlas_app.model.loader import load_atlas
    from atlas_app.quiz.loader import load_quiz_bank

    atlas = load_atlas(atlas_dir)
    return atlas, load_approaches(atlas), load_quiz_bank(atlas)


def planned_ids(world, seed: int) -> list[str]:
    """The item ids of a replayed quiz on the first three topics (preselected), 10 items."""
    from atlas_app.quiz.session import plan_quiz
    from atlas_app.quiz.topics import TOPICS

    return [r.item_id for r in plan_quiz(*world, list(TOPICS)[:3], 10, seed)]  # type: ignore[call-arg]


def planned_items(world, seed: int):
    from atlas_app.quiz.session import make_item, plan_quiz
    from atlas_app.quiz.topics import TOPICS

    return [make_item(*world, r) for r in plan_quiz(*world, list(TOPICS)[:3], 10, seed)]  # type: ignore[call-arg]


def sign_in(page: Page, username: str, password: str) -> None:
    """Fill the sidebar's form and press *Sign in* (other browser tests import this)."""
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible(timeout=30_000)


def sign_in_by_typing(page: Page, username: str, password: str) -> None:
    """Click the box, type, Tab, type the password, Enter: no button is pressed."""
    page.get_by_role("textbox", name="Username").click()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible(timeout=30_000)


def start_replay(page: Page, seed: int) -> None:
    page.get_by_text("Replay a quiz").click()
    box = page.get_by_role("spinbutton", name=re.compile("Seed of the quiz"))
    box.fill(str(seed))
    box.press("Enter")
    page.get_by_role("button", name="Start the quiz").click()


def click_target(page: Page, item) -> None:
    """Click the named structure in the 3D view, where it shows (the view names nothing:
    its structures go by tokens, worked out here as the page does)."""
    from atlas_app.scene.viewer_payload import finding_token

    token = finding_token(f"{item.id}|{item.seed}", item.answer[0])
    root = page.locator(".sav-root[data-scene]").first
    root.wait_for(timeout=90_000)
    expect(root.get_by_role("button", name="Labels")).to_be_hidden()
    found = root.evaluate(
        """(el, id) => { const v = el.__viewer; const e = v.entries.get(id);
          for (let i = 0; i < e.points.length; i += 3 * 7) {
            const s = v.toScreen([e.points[i], e.points[i + 1], e.points[i + 2]]);
            const hit = v.pick(s.x, s.y);
            if (hit && hit.id === id) { return [s.x, s.y]; } }
          return null; }""",
        token,
    )
    assert found, "the structure shows in the view"
    box = root.bounding_box()
    page.mouse.click(box["x"] + found[0], box["y"] + found[1])  # type: ignore[index]


def click_check(page: Page) -> None:
    """Press the item's Check button. While the page reruns for a new item, the answered
    item's greyed-out button can still be on screen beside the new one: take the live one."""
    check = page.get_by_role("button", name="Check", disabled=False)
    expect(check).to_have_count(1, timeout=60_000)
    check.click()


def answer(page: Page, item) -> None:
    expect(page.get_by_role("heading", name=item.stem)).to_be_visible(timeout=90_000)
    if item.kind == "click":
        click_target(page, item)
        return
    if item.kind == "choice":
        page.get_by_role("radiogroup").get_by_text(
            item.choice_text(item.answer[0]), exact=True
        ).click()
    elif item.kind == "numeric":
        box = page.get_by_role("textbox", name=re.compile("Your estimate"))
        box.fill("about twelve")
        click_check(page)
        expect(page.get_by_text("That is not a number")).to_be_visible(timeout=30_000)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        box.fill(f"{item.value}")
    else:
        pytest.fail(f"this test does not answer {item.kind} items (seed {SEED})")
    click_check(page)


def test_sign_in_answer_items_and_see_progress(page: Page, app_url, trainee):
    items = planned_items(quiz_world(ROOT / "anatomy_data"), SEED)[:ANSWERED]
    assert {i.kind for i in items} >= {"choice", "click", "numeric"}
    page.goto(f"{app_url}/quiz")
    sign_in_by_typing(page, trainee, PASSWORD)
    # The rerun after signing in can take longer than expect's 5 s on a loaded machine.
    expect(page.get_by_text("You are not signed in")).to_have_count(0, timeout=30_000)
    start_replay(page, SEED)
    for n, item in enumerate(items):
        expect(page.get_by_text(f"item {n + 1} of 10")).to_be_visible(timeout=90_000)
        answer(page, item)
        expect(page.get_by_test_id("stAlertContentSuccess")).to_be_visible(timeout=60_000)
        expect(page.get_by_text(re.compile("^Sources: "))).to_be_visible()
        page.get_by_role("button", name="Next item").click()

    page.get_by_role("link", name="Progress").click()
    expect(page.get_by_role("heading", name="My progress")).to_be_visible(timeout=60_000)
    answers = page.get_by_test_id("stMetric").filter(has_text="Answers")
    expect(answers).to_contain_text(str(ANSWERED), timeout=30_000)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Mastery by topic over time")).to_be_visible()

    # The Cohort page by its URL in this same session (through the browser's history, as
    # the back button goes): the server has no such page for a trainee and shows the atlas.
    expect(page.get_by_role("link", name="Cohort")).to_have_count(0)
    page.evaluate(
        "history.pushState({}, '', '/cohort'); dispatchEvent(new PopStateEvent('popstate'))"
    )
    expect(page.get_by_role("heading", name="Lumbosacral atlas")).to_be_visible(timeout=90_000)
    expect(page.get_by_role("heading", name="Cohort")).to_have_count(0)
    expect(page.get_by_text(f"Signed in as {trainee}")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("textbox", name="Username")).to_be_visible(timeout=30_000)


def test_typing_the_cohort_url_is_refused(page: Page, app_url):
    """Typing the URL opens a new session (a guest): the server has no Cohort page for it,
    says so and shows the atlas."""
    page.goto(f"{app_url}/cohort")
    expect(page.get_by_text("Page not found")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Lumbosacral atlas")).to_be_visible(timeout=90_000)
    expect(page.get_by_role("heading", name="Cohort")).to_have_count(0)


# --- Hostile text ----------------------------------------------------------------------------

HOSTILE = (
    "<script>alert('x')</script> <b>b</b> **bold** _it_ [link](javascript:alert(1)) "
    ":red[red] :material/home: $x^2$ ~~s~~ www.evil.example https://evil.example "
    "lee@hospital.example &amp;"
)
HOSTILE_ITEM = {
    "id": "hostile_item",
    "topic": "lst_formation",
    "difficulty": 1,
    "kind": "choice",
    "stem": f"Which? {HOSTILE}?",
    "answers": [f"Right {HOSTILE}"],
    "distractors": [f"Wrong {HOSTILE}", "Also wrong"],
    "explanation": f"Because {HOSTILE}",
    "cite": ["denis_1988"],
}


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    """A server on a copy of the atlas with the hostile item added, and the replay seed
    whose quiz starts with it."""
    if os.environ.get("SKIP_E2E") == "1":
        pytest.skip("SKIP_E2E=1")
    atlas_dir = tmp_path_factory.mktemp("hostile") / "anatomy_data"
    shutil.copytree(ROOT / "anatomy_data", atlas_dir)
    text = yaml.safe_dump({"schema_version": 1, "quiz_items": [HOSTILE_ITEM]}, width=10_000)
    (atlas_dir / "quiz" / "zz_hostile.yaml").write_text(text)
    world = quiz_world(atlas_dir)
    assert not world[2].faults, world[2].faults
    seed = next(s for s in range(1, 5000) if planned_ids(world, s)[0] == HOSTILE_ITEM["id"])
    log = atlas_dir.parent / "server.log"
    script = ROOT / "atlas_app" / "streamlit_app.py"
    with running_app(script, log, {"ATLAS_DATA_DIR": str(atlas_dir)}) as url:
        yield url, seed


MARKUP = 'a:not([aria-label="Link to heading"]), [role=img], script, b, strong, em, del, .katex'


def markup_in(locator) -> list[str]:
    """What text inside these elements could have become: links (other than a heading's
    own anchor), icons, scripts, bold, italic, struck text, maths."""
    return locator.evaluate_all(
        f"els => els.flatMap(e => [...e.querySelectorAll('{MARKUP}')].map(x => x.outerHTML))"
    )


def _shown(text: str) -> str:
    return text.replace("\u2060", "").strip()


def test_hostile_item_text_is_shown_as_text(page: Page, hostile_app):
    url, seed = hostile_app
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))  # type: ignore[call-overload,func-returns-value]
    page.goto(f"{url}/quiz")
    start_replay(page, seed)
    heading = page.get_by_role("heading", level=5)
    expect(heading).to_contain_text("Which?", timeout=90_000)
    assert _shown(heading.inner_text()) == HOSTILE_ITEM["stem"]
    options = page.get_by_role("radiogroup").get_by_role("radio")
    expect(options).to_have_count(3)
    labels = page.get_by_role("radiogroup").locator("label")
    assert sorted(_shown(t) for t in labels.all_inner_texts()) == sorted(
        [*HOSTILE_ITEM["answers"], *HOSTILE_ITEM["distractors"]]  # type: ignore[misc]
    )
    assert markup_in(heading) == [] and markup_in(page.get_by_role("radiogroup")) == []
    page.get_by_role("radiogroup").locator("label").filter(has_text="Wrong <script>").click()
    click_check(page)
    alert = page.get_by_test_id("stAlertContentError")
    expect(alert).to_be_visible(timeout=30_000)
    error = alert.get_by_test_id("stMarkdownContainer")  # beside the alert's own icon
    assert _shown(error.inner_text()) == f"Not quite. The answer is: Right {HOSTILE}."
    expect(page.get_by_text("Because", exact=False)).to_be_visible()
    explanation = page.get_by_test_id("stMarkdownContainer").filter(has_text="Because <script>")
    assert _shown(explanation.inner_text()) == HOSTILE_ITEM["explanation"]
    assert markup_in(error) == [] and markup_in(explanation) == []
    assert dialogs == [], "no script ran"


def test_the_still_and_its_fullscreen_button_leave_the_question_readable(browser, app_url):
    """At 1024×768 the still's toolbar (its fullscreen button, shown on hover) sat over the
    end of the question; the still is not cut at the top either (it starts below the
    question)."""
    items = planned_items(quiz_world(ROOT / "anatomy_data"), SEED)
    first = items[0]
    assert first.view is not None, "the replayed quiz starts with a still"
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/quiz")
        start_replay(page, SEED)
        stem = page.get_by_role("heading", name=first.stem)
        expect(stem).to_be_visible(timeout=90_000)
        image = page.get_by_test_id("stImage").first
        expect(image).to_be_visible(timeout=90_000)
        image.hover()
        button = page.get_by_role("button", name=re.compile("fullscreen", re.IGNORECASE))
        expect(button.first).to_be_visible(timeout=10_000)
        b, s, i = button.first.bounding_box(), stem.bounding_box(), image.bounding_box()
        assert b is not None and s is not None and i is not None
        assert b["y"] >= s["y"] + s["height"], (b, s)
        assert i["y"] >= s["y"] + s["height"], "the still starts below the question"
    finally:
        context.close()
