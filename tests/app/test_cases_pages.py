"""The case builder page under AppTest, with a throwaway SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from atlas_app.cases.model import Case, TextSlide
from atlas_app.ui.account import USER_KEY, escape_markdown

PAGE = Path(__file__).resolve().parents[2] / "atlas_app" / "app_pages" / "cases.py"
TIMEOUT = 120


@pytest.fixture
def store(tmp_path, monkeypatch):
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import dispose_engines, get_engine

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    dispose_engines()
    engine = get_engine()
    users = {
        "fay": create_user(engine, "fay", "correct horse 3", role="faculty", cohort="2026"),
        "gus": create_user(engine, "gus", "correct horse 4", role="faculty", cohort="2026"),
        "tina": create_user(engine, "tina", "correct horse 1", cohort="2026"),
    }
    yield engine, users
    dispose_engines()


def _page(user) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    if user is not None:
        at.session_state[USER_KEY] = user
    return at


def _button(at: AppTest, label: str, nth: int = 0):
    return [b for b in at.button if b.label == label][nth]


def test_guest_is_asked_to_sign_in(store) -> None:
    at = _page(None).run()
    assert not at.exception
    assert any("Sign in" in i.value for i in at.info)


def test_faculty_builds_reorders_and_edits(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    at = _page(users["fay"]).run()
    assert not at.exception
    _button(at, "New case").click().run()
    assert not at.exception
    for title in ("First", "Second"):
        at.text_input[-1].set_value(title)
        _button(at, "Add text slide").click().run()
        assert not at.exception
    (summary,) = case_store.list_cases_for(engine, users["fay"])
    stored = case_store.get_case(engine, users["fay"], summary.id)
    assert [s.title for s in stored.case.slides] == ["First", "Second"]
    _button(at, "Up", 1).click().run()
    assert not at.exception
    stored = case_store.get_case(engine, users["fay"], summary.id)
    assert [s.title for s in stored.case.slides] == ["Second", "First"]
    at.text_input[0].set_value("L5 leak <b>conference</b>")
    _button(at, "Save").click().run()
    assert not at.exception
    stored = case_store.get_case(engine, users["fay"], summary.id)
    assert stored.case.title == "L5 leak <b>conference</b>"
    assert any("De-identified" in w.value for w in at.warning)


def test_trainee_cannot_open_unshared_case_by_query(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    stored = case_store.create_case(engine, users["fay"], Case(title="Secret"))
    at = _page(users["tina"])
    at.query_params["case"] = str(stored.id)
    at.run()
    assert not at.exception
    assert any("not been shared" in e.value for e in at.error)
    assert not any("Secret" in t.value for t in at.text)
    assert not [b for b in at.button if b.label == "New case"]


def test_trainee_reads_shared_case_without_editing(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    stored = case_store.create_case(
        engine, users["fay"], Case(title="Shared", slides=(TextSlide(title="Only"),))
    )
    case_store.set_cohort_sharing(engine, users["fay"], stored.id, True)
    at = _page(users["tina"]).run()
    _button(at, "Open").click().run()
    assert not at.exception
    assert any("Read-only" in c.value for c in at.caption)
    assert not at.text_area and not [b for b in at.button if b.label == "Delete"]


def test_conflict_message_appears_and_nothing_is_overwritten(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    stored = case_store.create_case(engine, users["fay"], Case(title="Joint"))
    case_store.add_coeditor(engine, users["fay"], stored.id, users["gus"])
    at = _page(users["fay"]).run()
    _button(at, "Open").click().run()
    # meanwhile the co-editor saves
    case_store.save_case(
        engine, users["gus"], stored.id, Case(title="Joint", summary="Gus's summary"), 1
    )
    at.text_input[0].set_value("Fay's title")
    _button(at, "Save").click().run()
    assert not at.exception
    assert any("gus saved this case (version 2)" in e.value for e in at.error)
    kept = case_store.get_case(engine, users["fay"], stored.id)
    assert kept.version == 2 and kept.case.summary == "Gus's summary"
    assert kept.case.title == "Joint"
    _button(at, "Reload their version and continue").click().run()
    at.text_input[0].set_value("Fay's title")
    _button(at, "Save").click().run()
    assert not at.exception and not at.error
    kept = case_store.get_case(engine, users["fay"], stored.id)
    assert kept.version == 3 and kept.case.title == "Fay's title"
    assert kept.case.summary == "Gus's summary"


PRESENT = PAGE.with_name("present.py")


def test_present_steps_through_the_example_case(store) -> None:
    engine, users = store
    from atlas_app.cases.yaml_io import example_case
    from atlas_app.storage import case_store
    from atlas_app.ui.resources import approach_set, loaded_atlas

    case = example_case(loaded_atlas().atlas, approach_set())
    stored = case_store.create_case(engine, users["fay"], case)
    case_store.set_cohort_sharing(engine, users["fay"], stored.id, True)
    at = AppTest.from_file(str(PRESENT), default_timeout=TIMEOUT)
    at.session_state[USER_KEY] = users["tina"]
    at.query_params["case"] = str(stored.id)
    at.run()
    seen = []
    for _ in case.slides:
        assert not at.exception
        assert not at.error
        seen.append(at.header[0].value)
        if len(seen) < len(case.slides):
            _button(at, "Next").click().run()
    assert seen == [escape_markdown(s.title) for s in case.slides]
    assert _button(at, "Next").disabled


def test_present_refuses_unshared_case(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    stored = case_store.create_case(engine, users["fay"], Case(title="Secret"))
    at = AppTest.from_file(str(PRESENT), default_timeout=TIMEOUT)
    at.session_state[USER_KEY] = users["tina"]
    at.query_params["case"] = str(stored.id)
    at.run()
    assert not at.exception
    assert any("not been shared" in e.value for e in at.error)


def test_html_export_offers_a_download(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    case_store.create_case(
        engine, users["fay"], Case(title="Export", slides=(TextSlide(title="One"),))
    )
    at = _page(users["fay"]).run()
    _button(at, "Open").click().run()
    before = len(at.get("download_button"))  # the YAML export
    _button(at, "Build HTML").click().run()
    assert not at.exception and not at.error
    assert len(at.get("download_button")) == before + 1
