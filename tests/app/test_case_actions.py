""" "Add this view to a case" on the Atlas and Approaches pages, under AppTest with a
throwaway SQLite store: what faculty add is what the page showed; nobody else sees it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from atlas_app.cases.model import Case, TextSlide, ViewSlide
from atlas_app.ui.state import ACCOUNT_USER as USER_KEY

APP = Path(__file__).resolve().parents[2] / "atlas_app" / "streamlit_app.py"
TIMEOUT = 180
ADD = "Add this view to the case"
APPROACH = "anterior_retroperitoneal_transpsoas"


def run_page(page: str, user, **state) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if user is not None:
        at.session_state[USER_KEY] = user
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


def add_buttons(at: AppTest) -> list:
    return [b for b in at.button if b.label == ADD]


def only_case(engine, user):
    from atlas_app.storage import case_store

    (summary,) = case_store.list_cases_for(engine, user.id)
    return case_store.get_case(engine, user.id, summary.id)


def test_faculty_adds_the_atlas_view_to_a_new_case(store) -> None:
    engine, users = store
    at = run_page("atlas", users["fay"], **{"present.index": 2})  # another case presented
    assert not at.exception
    # What the page shows: a variant, the lateral preset, muscles hidden, one vessel
    # highlighted, see-through muscles.
    at.selectbox(key="variant.lst_formation_right").set_value("lst_above_ala_right")
    at.radio(key="atlas.camera").set_value("lateral_right")
    at.pills(key="atlas.systems").set_value(["bone", "artery", "vein", "nerve", "viscus"])
    at.multiselect(key="atlas.highlight").set_value(["common_iliac_vein_right"])
    at.toggle(key="atlas.translucent_muscles").set_value(True)
    at.run()
    assert not at.exception
    assert at.selectbox(key="case_actions.atlas.case").value == 0  # no case yet: a new one
    at.text_input(key="case_actions.atlas.new_title").set_value("L5 leak")
    at.text_input(key="case_actions.atlas.title").set_value("The ala from the side")
    add_buttons(at)[0].click().run()
    assert not at.exception and not at.error

    stored = only_case(engine, users["fay"])
    assert stored.case.title == "L5 leak"
    (slide,) = stored.case.slides
    assert isinstance(slide, ViewSlide)
    assert slide.title == "The ala from the side"
    assert slide.specimen is not None and "lst_above_ala_right" in slide.specimen
    assert stored.case.specimen == slide.specimen
    assert slide.camera == "lateral_right"
    assert set(slide.hidden_categories) == {"muscle", "pathology"}
    assert slide.highlight == ("common_iliac_vein_right",)
    assert slide.translucent_muscles is True
    assert slide.isolate is None and slide.approach is None
    # The abdominal wall is off on the page, so the slide hides it too.
    from atlas_app.approaches.field_view import WALL_GROUP
    from atlas_app.ui.resources import loaded_atlas

    wall = {s for s, v in loaded_atlas().atlas.structures.items() if v.parent == WALL_GROUP}
    assert wall and wall <= set(slide.hidden_structures)
    # Confirmed, with a link to the case in the builder; the new case is now picked.
    assert at.selectbox(key="case_actions.atlas.case").value == stored.id
    assert at.session_state["cases.open_id"] == stored.id  # what Present shows next,
    assert at.session_state["present.index"] == 0  # from its first slide
    links = [(link.proto.page, link.proto.query_string) for link in at.get("page_link")]
    assert ("cases", f"case={stored.id}") in links
    assert any("Slide 1 added to “L5 leak”" in t.value for t in at.toast)
    assert any("Added as slide 1" in c.value for c in at.caption)


def test_a_second_view_is_appended_to_the_chosen_case(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    mine = case_store.create_case(
        engine, users["fay"].id, Case(title="Conference", slides=(TextSlide(title="Intro"),))
    )
    newest = case_store.create_case(engine, users["fay"].id, Case(title="Newer"))
    # The picker offers the case the builder has open, though another one is newer.
    at = run_page("atlas", users["fay"], **{"cases.open_id": mine.id})
    assert at.selectbox(key="case_actions.atlas.case").value == mine.id
    at.toggle(key="atlas.isolate").set_value(True).run()
    add_buttons(at)[0].click().run()
    assert not at.exception and not at.error
    stored = case_store.get_case(engine, users["fay"].id, mine.id)
    assert stored.version == 2
    intro, view = stored.case.slides
    assert intro.title == "Intro" and isinstance(view, ViewSlide)
    assert view.isolate and view.title  # the view's own title when none is typed
    assert view.camera == "anterior"
    assert not case_store.get_case(engine, users["fay"].id, newest.id).case.slides


def test_approach_page_records_the_approach_step_and_corridor_view(store) -> None:
    engine, users = store
    at = run_page("approaches", users["fay"])
    assert not at.exception
    at.selectbox(key="approach.id").set_value(APPROACH).run()
    at.select_slider(key="approach.step").set_value(7).run()
    at.toggle(key="approach.down_corridor").set_value(True).run()
    assert not at.exception
    add_buttons(at)[0].click().run()
    assert not at.exception and not at.error
    stored = only_case(engine, users["fay"])
    (slide,) = stored.case.slides
    assert isinstance(slide, ViewSlide)
    assert (slide.approach, slide.step, slide.camera) == (APPROACH, 7, "corridor")
    assert stored.case.approaches == (APPROACH,)
    assert "step 8 of" in slide.title
    # Looking from the step's own camera records that preset instead.
    at.toggle(key="approach.down_corridor").set_value(False).run()
    add_buttons(at)[0].click().run()
    stored = only_case(engine, users["fay"])
    from atlas_app.ui.resources import approach_set

    step = approach_set().approaches[APPROACH].steps[7]
    assert stored.case.slides[1].camera == step.camera


def test_a_conflicting_save_is_refused_with_a_message(store, monkeypatch) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    mine = case_store.create_case(engine, users["fay"].id, Case(title="Joint"))
    at = run_page("atlas", users["fay"])
    real_get = case_store.get_case

    def get_then_someone_saves(engine_, user, case_id):
        stored = real_get(engine_, user, case_id)
        case_store.save_case(
            engine, users["fay"].id, case_id, Case(title="Joint", summary="theirs"), stored.version
        )
        return stored

    monkeypatch.setattr(case_store, "get_case", get_then_someone_saves)
    add_buttons(at)[0].click().run()
    assert not at.exception
    assert any("Not added" in e.value and "version 2" in e.value for e in at.error)
    monkeypatch.undo()
    kept = case_store.get_case(engine, users["fay"].id, mine.id)
    assert kept.version == 2 and kept.case.summary == "theirs" and not kept.case.slides


@pytest.mark.parametrize("who", ["tina", None])
@pytest.mark.parametrize("page", ["atlas", "approaches"])
def test_trainees_and_guests_see_no_add_control(store, who, page) -> None:
    _, users = store
    at = run_page(page, users[who] if who else None)
    assert not at.exception
    assert not add_buttons(at)
    assert not any(e.label == "Add this view to a case" for e in at.expander)
