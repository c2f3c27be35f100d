"""The Present page under AppTest: the keys, the slide picker and "slide i of n"."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from atlas_app.cases.model import Case, TextSlide, ViewSlide
from atlas_app.ui.state import ACCOUNT_USER as USER_KEY
from tests.app.viewer_messages import viewer_header

PRESENT = Path(__file__).resolve().parents[2] / "atlas_app" / "app_pages" / "present.py"
TIMEOUT = 180
TITLES = ("Presentation", "The ala", "Imaging", "Plan")


@pytest.fixture
def presented(tmp_path, monkeypatch):
    """Fay's four-slide case, open on the Present page."""
    from atlas_app.storage import case_store
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import dispose_engines, get_engine

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'present.sqlite3'}")
    dispose_engines()
    engine = get_engine()
    fay = create_user(engine, "fay", "correct horse 3", role="faculty", cohort="2026")
    slides = [TextSlide(title=t, body=f"About {t.lower()}") for t in TITLES]
    slides[1] = ViewSlide(title=TITLES[1], camera="right_oblique", annotations=("The L5 root",))
    stored = case_store.create_case(engine, fay.id, Case(title="Leak", slides=tuple(slides)))
    at = AppTest.from_file(str(PRESENT), default_timeout=TIMEOUT)
    at.session_state[USER_KEY] = fay
    at.query_params["case"] = str(stored.id)
    at.run()
    assert not at.exception
    yield at, engine, fay, stored
    dispose_engines()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def showing(at: AppTest) -> str:
    """The heading of the slide shown (the title slide's is the page title)."""
    return at.header[0].value if at.header else at.title[0].value


def test_arrow_and_page_keys_are_bound_to_previous_and_next(presented) -> None:
    at = presented[0]
    keys = {b.label: b.proto.shortcut for b in at.button}
    assert keys["Previous"] == "left" and keys["Next"] == "right"
    assert keys["Previous slide (Page Up)"] == "pageup"
    assert keys["Next slide (Page Down)"] == "pagedown"
    assert showing(at) == "Leak", "it opens at the title slide"
    # The Page Down key's button moves on like Next; Page Up back like Previous.
    button(at, "Next slide (Page Down)").click().run()
    assert showing(at) == "Presentation"
    button(at, "Next slide (Page Down)").click().run()
    assert showing(at) == "The ala"
    button(at, "Previous slide (Page Up)").click().run()
    assert showing(at) == "Presentation"
    assert at.selectbox(key="present.index").value == 1


def test_the_ends_disable_the_keys_that_would_leave_the_case(presented) -> None:
    at = presented[0]
    assert button(at, "Previous").disabled and button(at, "Previous slide (Page Up)").disabled
    assert not button(at, "Next").disabled
    at.selectbox(key="present.index").set_value(4).run()
    assert showing(at) == "Plan"
    assert button(at, "Next").disabled and button(at, "Next slide (Page Down)").disabled


def test_the_picker_jumps_and_follows_the_buttons(presented) -> None:
    at = presented[0]
    picker = at.selectbox(key="present.index")
    assert picker.options == [f"Slide {i} of 5" for i in range(1, 6)], "no title twice"
    picker.set_value(3).run()
    assert showing(at) == "Imaging"
    button(at, "Previous").click().run()
    assert showing(at) == "The ala"
    assert at.selectbox(key="present.index").value == 2
    # The view slide: the live 3D view, labelled by its camera (the slide's title is the
    # heading), its annotation beside it as a list.
    scene = viewer_header(at)["scene"]
    assert scene["title"].startswith("Right anterior oblique") and scene["actors"]
    assert any(m.value == "- The L5 root" for m in at.markdown)
    assert [h.value for h in at.header] == ["The ala"], "the slide's title once"


def test_a_link_to_another_case_opens_at_its_first_slide(presented) -> None:
    at, engine, fay, _ = presented
    from atlas_app.storage import case_store

    at.selectbox(key="present.index").set_value(3).run()
    other = case_store.create_case(
        engine,
        fay.id,
        Case(title="Other", slides=(TextSlide(title="First"), TextSlide(title="Two"))),
    )
    at.query_params["case"] = str(other.id)
    at.run()
    assert not at.exception
    assert showing(at) == "Other"


def test_a_guest_is_asked_to_sign_in_and_finds_the_form() -> None:
    """The page returns instead of st.stop(), so the entry script still draws the form."""
    app = PRESENT.parents[1] / "streamlit_app.py"
    at = AppTest.from_file(str(app), default_timeout=TIMEOUT)
    at.switch_page("app_pages/present.py")
    at.run()
    assert not at.exception
    assert any("Sign in" in i.value for i in at.info)
    assert {t.label for t in at.sidebar.text_input} >= {"Username", "Password"}
