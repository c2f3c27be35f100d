"""The case builder and Present pages under AppTest, with a throwaway SQLite store.

Every edit on the builder is saved as it is made: the tests change a widget, run the page, and
read the case back from the store.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from atlas_app.cases.model import Case, ChartSlide, CorridorSummary, TextSlide, ViewSlide
from atlas_app.ui.account import escape_markdown
from atlas_app.ui.case_editor import selected_key, widget_key
from atlas_app.ui.state import ACCOUNT_USER as USER_KEY
from tests.app.viewer_messages import viewer_elements

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "atlas_app" / "app_pages" / "cases.py"
PRESENT = PAGE.with_name("present.py")
APP = ROOT / "atlas_app" / "streamlit_app.py"
TIMEOUT = 120
TRANSPSOAS = "anterior_retroperitoneal_transpsoas"


def _page(user, path: Path = PAGE) -> AppTest:
    at = AppTest.from_file(str(path), default_timeout=TIMEOUT)
    if user is not None:
        at.session_state[USER_KEY] = user
    return at


def _button(at: AppTest, label: str, nth: int = 0):
    return [b for b in at.button if b.label == label][nth]


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    return at


def _stored(engine, user, case_id: int):
    from atlas_app.storage import case_store

    return case_store.get_case(engine, user.id, case_id)


def _open(engine, user, case: Case, *, owner=None):
    """Store ``case`` (owned by ``owner`` or ``user``) and open it on the page as ``user``."""
    from atlas_app.storage import case_store

    stored = case_store.create_case(engine, (owner or user).id, case)
    at = _page(user)
    at.query_params["case"] = str(stored.id)
    return _ok(at.run()), stored.id


def _messages(at: AppTest) -> str:
    return "\n".join(e.value for e in [*at.error, *at.warning, *at.success])


# --- Signing in, reading, refusing -------------------------------------------------------


def test_guest_is_asked_to_sign_in(store) -> None:
    at = _ok(_page(None).run())
    assert any("Sign in" in i.value for i in at.info)


def test_trainee_cannot_open_unshared_case_by_query(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    stored = case_store.create_case(engine, users["fay"].id, Case(title="Secret"))
    at = _page(users["tina"])
    at.query_params["case"] = str(stored.id)
    _ok(at.run())
    assert any("not shared with you" in e.value for e in at.error)
    assert not any("Secret" in t.value for t in at.text)
    assert not [b for b in at.button if b.label in ("New case", "Start from the example case")]
    assert not at.file_uploader


# --- Building ------------------------------------------------------------------------------


def test_faculty_builds_reorders_and_edits(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    at = _ok(_page(users["fay"]).run())
    _ok(_button(at, "New case").click().run())
    (summary,) = case_store.list_cases_for(engine, users["fay"].id)
    cid = summary.id
    _ok(_button(at, "Add text slide").click().run())
    _ok(_button(at, "Add text slide").click().run())
    case = _stored(engine, users["fay"], cid).case
    first, second = (s.id for s in case.slides)
    # the second one is selected (a new slide goes after the selected one and is selected)
    assert at.radio(key=selected_key(cid)).value == second
    at.text_input(key=widget_key(cid, second, "title")).set_value("Second").run()
    _ok(at)
    at.radio(key=selected_key(cid)).set_value(first).run()
    at.text_input(key=widget_key(cid, first, "title")).set_value("First").run()
    _ok(at)
    case = _stored(engine, users["fay"], cid).case
    assert [s.title for s in case.slides] == ["First", "Second"]
    at.radio(key=selected_key(cid)).set_value(second).run()
    _ok(_button(at, "Move up").click().run())
    assert [s.title for s in _stored(engine, users["fay"], cid).case.slides] == [
        "Second",
        "First",
    ]
    assert _button(at, "Move up").disabled  # "Second" is now first, and still selected
    # the case's own text: saved as soon as a field is committed, shown as text
    at.text_input(key=widget_key(cid, "case", "title")).set_value("L5 leak <b>conf</b>").run()
    at.text_area(key=widget_key(cid, "case", "summary")).set_value("An older adult").run()
    _ok(at)
    stored = _stored(engine, users["fay"], cid)
    assert stored.case.title == "L5 leak <b>conf</b>" and stored.case.summary == "An older adult"
    assert any(escape_markdown("L5 leak <b>conf</b>") in h.value for h in at.subheader)
    assert any("De-identified" in w.value for w in at.warning)
    assert any("Second" in o for o in at.radio(key=selected_key(cid)).options)


def test_a_refused_edit_says_why_and_saves_nothing(store) -> None:
    engine, users = store
    at, cid = _open(engine, users["fay"], Case(title="Keep"))
    at.text_input(key=widget_key(cid, "case", "title")).set_value("   ").run()
    _ok(at)
    assert "a case needs a title" in _messages(at)
    stored = _stored(engine, users["fay"], cid)
    assert stored.case.title == "Keep" and stored.version == 1
    # the refused text stays in its field to be fixed, and the reason with it
    assert at.text_input(key=widget_key(cid, "case", "title")).value == "   "
    _ok(at.run())
    assert "a case needs a title" in _messages(at)
    at.text_input(key=widget_key(cid, "case", "title")).set_value("Kept").run()
    _ok(at)
    assert "a case needs a title" not in _messages(at)
    assert _stored(engine, users["fay"], cid).case.title == "Kept"


def test_a_typed_character_powerpoint_cannot_hold_is_refused(store) -> None:
    engine, users = store
    at, cid = _open(engine, users["fay"], Case(title="Keep"))
    at.text_input(key=widget_key(cid, "case", "title")).set_value("Leak \ufffe").run()
    _ok(at)
    assert "U\\+FFFE is not allowed" in _messages(at)  # as escaped Markdown
    stored = _stored(engine, users["fay"], cid)
    assert stored.case.title == "Keep" and stored.version == 1


def test_specimen_picker_saves_to_the_case_not_the_atlas_page(store) -> None:
    engine, users = store
    at, cid = _open(engine, users["fay"], Case(title="Variant"))
    at.selectbox(key=widget_key(cid, "variant", "great_vessel_levels")).set_value(
        "bifurcation_l5_body"
    ).run()
    at.selectbox(key=widget_key(cid, "variant", "iliolumbar_veins_right")).set_value(
        "ilv_multiple_right"
    ).run()
    _ok(at)
    stored = _stored(engine, users["fay"], cid)
    assert stored.case.specimen == "bifurcation_l5_body,ilv_multiple_right"
    assert stored.version == 3
    assert "variant.great_vessel_levels" not in at.session_state  # the Atlas page's own
    assert any("Expected in about" in c.value for c in at.caption)
    at.multiselect(key=widget_key(cid, "case", "approaches")).set_value(
        ["interaortic", TRANSPSOAS]
    ).run()
    _ok(_button(at, "Usual anatomy").click().run())
    stored = _stored(engine, users["fay"], cid)
    assert stored.case.approaches == ("interaortic", TRANSPSOAS)
    assert stored.case.specimen == "default"
    assert at.selectbox(key=widget_key(cid, "variant", "great_vessel_levels")).value == (
        "bifurcation_l4_body"
    )


def test_slide_notes_and_annotations_autosave_and_bump_the_version(store) -> None:
    engine, users = store
    slide = ViewSlide(title="Leak", camera="anterior")
    at, cid = _open(engine, users["fay"], Case(title="Notes", slides=(slide,)))
    at.text_area(key=widget_key(cid, slide.id, "notes")).set_value("Point at the leak").run()
    _ok(at)
    stored = _stored(engine, users["fay"], cid)
    assert stored.version == 2 and stored.case.slides[0].notes == "Point at the leak"
    at.text_area(key=widget_key(cid, slide.id, "annotations")).set_value(
        "The leak\n\n  The L5 ramus crosses it  \n"
    ).run()
    _ok(at)
    stored = _stored(engine, users["fay"], cid)
    assert stored.version == 3
    assert stored.case.slides[0].annotations == ("The leak", "The L5 ramus crosses it")
    # too many annotations: refused with the reason, nothing saved
    at.text_area(key=widget_key(cid, slide.id, "annotations")).set_value(
        "\n".join(f"line {i}" for i in range(13))
    ).run()
    _ok(at)
    assert "at most 12 annotations" in _messages(at)
    assert _stored(engine, users["fay"], cid).version == 3


def test_view_slide_approach_step_camera_and_structures(store) -> None:
    engine, users = store
    at, cid = _open(engine, users["fay"], Case(title="Views"))
    _ok(_button(at, "Add view slide").click().run())
    (slide,) = _stored(engine, users["fay"], cid).case.slides
    assert isinstance(slide, ViewSlide) and slide.camera == "anterior" and slide.specimen is None
    camera = at.selectbox(key=widget_key(cid, slide.id, "camera"))
    assert "corridor" not in camera.options  # no approach step yet
    at.selectbox(key=widget_key(cid, slide.id, "approach")).set_value(TRANSPSOAS).run()
    _ok(at)
    at.selectbox(key=widget_key(cid, slide.id, "step")).set_value(4).run()
    _ok(at)
    at.selectbox(key=widget_key(cid, slide.id, "camera")).set_value("corridor").run()
    at.multiselect(key=widget_key(cid, slide.id, "hidden_categories")).set_value(["viscus"]).run()
    at.multiselect(key=widget_key(cid, slide.id, "highlight")).set_value(["ureter_right"]).run()
    at.multiselect(key=widget_key(cid, slide.id, "isolate")).set_value(
        ["sacrum", "l5_ventral_ramus_right"]
    ).run()
    _ok(at)
    view = _stored(engine, users["fay"], cid).case.slides[0]
    assert (view.approach, view.step, view.camera) == (TRANSPSOAS, 4, "corridor")
    assert view.hidden_categories == ("viscus",) and view.highlight == ("ureter_right",)
    assert view.isolate == ("sacrum", "l5_ventral_ramus_right")
    at.multiselect(key=widget_key(cid, slide.id, "isolate")).set_value([]).run()
    # dropping the approach drops its step and the corridor camera with it
    at.selectbox(key=widget_key(cid, slide.id, "approach")).set_value("").run()
    _ok(at)
    view = _stored(engine, users["fay"], cid).case.slides[0]
    assert (view.approach, view.step, view.camera, view.isolate) == (None, None, None, None)
    assert "corridor" not in at.selectbox(key=widget_key(cid, slide.id, "camera")).options
    _ok(at.toggle(key=f"cases.preview.{cid}").set_value(True).run())
    assert viewer_elements(at), "the 3D preview"


def test_chart_slide_is_added_and_its_chart_edited(store) -> None:
    engine, users = store
    at, cid = _open(engine, users["fay"], Case(title="Charts"))
    _ok(_button(at, "Add chart slide").click().run())
    (slide,) = _stored(engine, users["fay"], cid).case.slides
    assert isinstance(slide, ChartSlide) and slide.chart.type == "corridor_distances"
    # the case names no approach yet, and the slide says so
    assert "no approach to chart" in _messages(at)
    at.multiselect(key=widget_key(cid, slide.id, "approaches")).set_value(
        [TRANSPSOAS, "interaortic"]
    ).run()
    at.selectbox(key=widget_key(cid, slide.id, "chart_type")).set_value("step_profile").run()
    _ok(at)
    chart = _stored(engine, users["fay"], cid).case.slides[0]
    assert chart.approaches == (TRANSPSOAS, "interaortic")
    assert chart.chart.type == "step_profile"
    assert chart.chart.structure == "l5_ventral_ramus_right"
    assert "no approach to chart" not in _messages(at)
    at.selectbox(key=widget_key(cid, slide.id, "chart_structure")).set_value("ureter_right").run()
    at.selectbox(key=widget_key(cid, slide.id, "chart_type")).set_value("variability").run()
    at.number_input(key=widget_key(cid, slide.id, "chart_n")).set_value(300).run()
    at.radio(key=widget_key(cid, slide.id, "chart_show")).set_value("within_5mm").run()
    _ok(at)
    chart = _stored(engine, users["fay"], cid).case.slides[0].chart
    assert (chart.type, chart.n, chart.show) == ("variability", 300, "within_5mm")
    at.selectbox(key=widget_key(cid, slide.id, "chart_type")).set_value("corridor_summary").run()
    _ok(at.toggle(key=f"cases.preview.{cid}").set_value(True).run())
    assert at.get("plotly_chart")


def test_duplicate_and_delete_keep_a_sensible_selection(store) -> None:
    engine, users = store
    a, b = TextSlide(title="A"), TextSlide(title="B")
    at, cid = _open(engine, users["fay"], Case(title="Dup", slides=(a, b)))
    _ok(_button(at, "Duplicate").click().run())
    slides = _stored(engine, users["fay"], cid).case.slides
    assert [s.title for s in slides] == ["A", "A", "B"] and slides[1].id != a.id
    assert at.radio(key=selected_key(cid)).value == slides[1].id
    _ok(_button(at, "Delete…").click().run())
    _ok(_button(at, "Yes, delete the slide").click().run())
    assert [s.title for s in _stored(engine, users["fay"], cid).case.slides] == ["A", "B"]
    assert at.radio(key=selected_key(cid)).value == b.id


def test_conflict_shows_their_changes_and_nothing_is_overwritten(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    slide = TextSlide(title="One")
    stored = case_store.create_case(engine, users["fay"].id, Case(title="Joint", slides=(slide,)))
    case_store.add_coeditor(engine, users["fay"].id, stored.id, users["gus"].id)
    at = _ok(_page(users["fay"]).run())
    _ok(_button(at, "Open").click().run())
    # meanwhile the co-editor saves
    theirs = Case(title="Joint", summary="Gus's summary", slides=(slide,))
    case_store.save_case(engine, users["gus"].id, stored.id, theirs, 1)
    at.text_area(key=widget_key(stored.id, slide.id, "notes")).set_value("Fay's notes").run()
    _ok(at)
    assert any("gus saved this case (version 2)" in e.value for e in at.error)
    shown = "\n".join(t.value for t in at.text)
    assert "Summary: now “Gus's summary”" in shown  # their change
    assert "Slide 1 “One”: notes changed" in shown  # mine, not saved
    kept = _stored(engine, users["fay"], stored.id)
    assert kept.version == 2 and kept.case.slides[0].notes == ""
    _ok(_button(at, "Apply my change to their version").click().run())
    kept = _stored(engine, users["fay"], stored.id)
    assert kept.version == 3
    assert kept.case.summary == "Gus's summary" and kept.case.slides[0].notes == "Fay's notes"
    assert not at.error
    # another conflict, this time keeping theirs
    case_store.save_case(engine, users["gus"].id, stored.id, theirs, 3)
    at.text_input(key=widget_key(stored.id, "case", "title")).set_value("Fay's title").run()
    _ok(_button(at, "Keep their version").click().run())
    kept = _stored(engine, users["fay"], stored.id)
    assert kept.version == 4 and kept.case.title == "Joint" and kept.case.slides[0].notes == ""
    assert at.text_input(key=widget_key(stored.id, "case", "title")).value == "Joint"


# --- Sharing, deleting ---------------------------------------------------------------------


def test_sharing_with_the_cohort_and_a_coeditor(store) -> None:
    engine, users = store
    slide = TextSlide(title="Only")
    at, cid = _open(engine, users["fay"], Case(title="Shared", slides=(slide,)))
    assert any("Nobody yet" in c.value for c in at.caption)
    at.toggle(key=f"cases.share.cohort.{cid}.0").set_value(True).run()
    at.selectbox(key=f"cases.share.person.{cid}").set_value(users["gus"]).run()
    _ok(_button(at, "Make co-editor").click().run())
    shown = "\n".join(t.value for t in at.text)
    assert "everyone in cohort 2026 (read-only)" in shown
    assert "gus (gus) — co-editor" in shown
    # a trainee of the cohort reads it, without any way to edit
    trainee = _ok(_page(users["tina"]).run())
    _ok(_button(trainee, "Open").click().run())
    assert any("Read-only" in c.value for c in trainee.caption)
    assert not trainee.text_area and not trainee.text_input
    assert not [b for b in trainee.button if b.label in ("Delete…", "Add text slide", "Undo")]
    # another cohort does not see it at all
    other = _ok(_page(users["otto"]).run())
    assert not [b for b in other.button if b.label == "Open"]
    # the co-editor edits; only the owner sees the sharing and the delete button
    co = _page(users["gus"])
    co.query_params["case"] = str(cid)
    _ok(co.run())
    co.text_area(key=widget_key(cid, slide.id, "body")).set_value("Gus wrote this").run()
    _ok(co)
    assert _stored(engine, users["fay"], cid).case.slides[0].body == "Gus wrote this"
    assert not [b for b in co.button if b.label in ("Delete this case…", "Make co-editor")]
    # a trainee cannot be a co-editor, and unsharing works
    at.selectbox(key=f"cases.share.person.{cid}").set_value(users["otto"]).run()
    assert _button(at, "Make co-editor").disabled
    _ok(_button(at, "Share read-only").click().run())
    assert "otto (otto) — read-only" in "\n".join(t.value for t in at.text)
    _ok(_button(at, "Remove", 0).click().run())  # gus, first by name
    shown = "\n".join(t.value for t in at.text)
    assert "gus (gus)" not in shown and "otto (otto)" in shown


def test_delete_case_asks_first(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    at, _cid = _open(engine, users["fay"], Case(title="Doomed <i>"))
    _ok(_button(at, "Delete this case…").click().run())
    assert any("Doomed" in w.value and "cannot be undone" in w.value for w in at.warning)
    _ok(_button(at, "Cancel").click().run())
    assert case_store.list_cases_for(engine, users["fay"].id)
    _ok(_button(at, "Delete this case…").click().run())
    _ok(_button(at, "Yes, delete the case").click().run())
    assert not case_store.list_cases_for(engine, users["fay"].id)
    assert any("was deleted" in s.value for s in at.success)


# --- Starting a case: the example, a YAML file -----------------------------------------------


def test_faculty_starts_from_the_example_case(store) -> None:
    engine, users = store
    from atlas_app.cases.yaml_io import example_case
    from atlas_app.storage import case_store
    from atlas_app.ui.resources import approach_set, loaded_atlas

    at = _ok(_page(users["fay"]).run())
    _ok(_button(at, "Start from the example case").click().run())
    (summary,) = case_store.list_cases_for(engine, users["fay"].id)
    stored = _stored(engine, users["fay"], summary.id)
    assert stored.is_owner
    assert stored.case == example_case(loaded_atlas().atlas, approach_set())
    options = at.radio(key=selected_key(summary.id)).options
    assert len(options) == len(stored.case.slides)
    assert options[0].startswith("1. :material/notes:")


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    (uploader,) = at.file_uploader
    assert uploader.allowed_type == [".yaml", ".yml"]
    assert uploader.proto.max_upload_size_mb == 1
    uploader.set_value((name, data, "application/yaml"))
    return _ok(at.run())


def test_yaml_import_stores_a_new_case(store) -> None:
    engine, users = store
    from atlas_app.cases.yaml_io import case_to_yaml
    from atlas_app.storage import case_store

    case = Case(title="Imported", specimen="ilv_multiple_right", slides=(TextSlide(title="T"),))
    at = _ok(_page(users["fay"]).run())
    _upload(at, "case.yaml", case_to_yaml(case).encode())
    (summary,) = case_store.list_cases_for(engine, users["fay"].id)
    assert _stored(engine, users["fay"], summary.id).case == case
    assert any("Imported “Imported”" in s.value for s in at.success)
    assert not at.file_uploader[0].value  # emptied for the next file


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"title: [unclosed\n", "not valid YAML"),
        (b"a: &x [1, 2]\nb: *x\n", "anchors and aliases are not allowed"),
        (b"title: !!python/object/apply:os.system ['echo hi']\n", "line 1"),
        (b"title: Fine\nslides:\n- kind: view\n  highlight: [no_such_nerve]\n", "line 4"),
        (b"title: \xff\xfe\n", "not UTF-8"),
        (b"title: x\n" + b"# padding\n" * 30_000, "a case file may be at most 256 kB"),
    ],
    ids=["malformed", "alias-bomb", "python-tag", "unknown-id", "not-utf8", "oversized"],
)
def test_yaml_import_refuses_bad_files_and_stores_nothing(store, data, reason) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    kept = case_store.create_case(engine, users["fay"].id, Case(title="Already here"))
    at = _ok(_page(users["fay"]).run())
    _upload(at, "bad.yaml", data)
    errors = "\n".join(e.value for e in at.error)
    assert "was not imported" in errors and escape_markdown(reason) in errors
    assert "Nothing was stored" in errors
    assert [c.id for c in case_store.list_cases_for(engine, users["fay"].id)] == [kept.id]
    assert _stored(engine, users["fay"], kept.id).version == 1


def test_oversized_file_is_refused_before_it_is_read(store) -> None:
    engine, users = store
    from atlas_app.cases.yaml_io import CaseImportError
    from atlas_app.ui.case_library import import_case_file

    def read() -> bytes:
        raise AssertionError("an oversized file must not be read")

    with pytest.raises(CaseImportError, match="at most 256 kB"):
        import_case_file(engine, users["fay"], 300 * 1024, read, None, None)


# --- Presenting and exporting ----------------------------------------------------------------


def test_present_opens_at_slide_1_whatever_the_builder_shows(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    slides = (TextSlide(title="First"), TextSlide(title="Second"))
    stored = case_store.create_case(engine, users["fay"].id, Case(title="Talk", slides=slides))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state[USER_KEY] = users["fay"]
    at.switch_page("app_pages/cases.py")
    _ok(at.run())
    _ok(_button(at, "Open").click().run())
    at.radio(key=selected_key(stored.id)).set_value(slides[1].id).run()
    _ok(_button(at, "Present").click().run())
    assert [t.value for t in at.title] == ["Talk"] and not at.header, "the title slide"
    assert _button(at, "Previous").disabled


def test_present_steps_through_the_example_case_as_the_exports_do(store) -> None:
    """The title slide, the presentation and imaging, then every slide: as many as the
    exports; Markdown lists rendered; a trainee never sees the speaker notes."""
    engine, users = store
    from atlas_app.cases.deck import deck_slide_count
    from atlas_app.cases.yaml_io import example_case
    from atlas_app.storage import case_store
    from atlas_app.ui.resources import approach_set, loaded_atlas

    case = example_case(loaded_atlas().atlas, approach_set())
    assert any(s.notes for s in case.slides)
    stored = case_store.create_case(engine, users["fay"].id, case)
    case_store.set_cohort_sharing(engine, users["fay"].id, stored.id, True)
    at = _page(users["tina"], PRESENT)
    at.query_params["case"] = str(stored.id)
    at.run()
    seen, lists = [], 0
    for n in range(deck_slide_count(case)):
        assert not at.exception
        assert not at.error
        seen.append(at.header[0].value if at.header else at.title[0].value)
        assert not any("Speaker notes" in e.label for e in at.expander), "notes are hidden"
        lists += sum(line.startswith("- ") for m in at.markdown for line in m.value.splitlines())
        if n < deck_slide_count(case) - 1:
            _button(at, "Next").click().run()
    assert seen == [
        escape_markdown(case.title),
        "Presentation and imaging findings",
        *(escape_markdown(s.title) for s in case.slides),
    ]
    assert _button(at, "Next").disabled
    assert lists >= 2, "the example's '- ' lines show as a list"
    # The faculty member presenting it sees the notes.
    faculty = _page(users["fay"], PRESENT)
    faculty.query_params["case"] = str(stored.id)
    faculty.session_state["cases.open_id"] = stored.id
    faculty.session_state["present.index"] = 2 + next(
        i for i, s in enumerate(case.slides) if s.notes
    )
    faculty.run()
    assert any("Speaker notes" in e.label for e in faculty.expander)


def test_present_refuses_unshared_case(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    stored = case_store.create_case(engine, users["fay"].id, Case(title="Secret"))
    at = _page(users["tina"], PRESENT)
    at.query_params["case"] = str(stored.id)
    _ok(at.run())
    assert any("not shared with you" in e.value for e in at.error)


def test_html_export_offers_a_download(store) -> None:
    engine, users = store
    slides = (TextSlide(title="One"), ChartSlide(chart=CorridorSummary()))
    at, _cid = _open(
        engine, users["fay"], Case(title="Export", approaches=(TRANSPSOAS,), slides=slides)
    )
    before = len(at.get("download_button"))  # the YAML export
    _ok(_button(at, "Build HTML").click().run())
    assert not at.error
    assert len(at.get("download_button")) == before + 1


# --- The builder keeps its place; undo; delete asks (issue 13) ---------------------------------


def test_move_down_twice_keeps_the_moved_slide_selected(store) -> None:
    """The slide list's labels carry the number and title: each move relabels it, and the
    list fell back to slide 1."""
    engine, users = store
    a, b, c = TextSlide(title="A"), TextSlide(title="B"), TextSlide(title="C")
    at, cid = _open(engine, users["fay"], Case(title="Moves", slides=(a, b, c)))
    assert at.radio(key=selected_key(cid)).value == a.id
    _ok(_button(at, "Move down").click().run())
    assert at.radio(key=selected_key(cid)).value == a.id
    _ok(_button(at, "Move down").click().run())
    assert [s.title for s in _stored(engine, users["fay"], cid).case.slides] == ["B", "C", "A"]
    assert at.radio(key=selected_key(cid)).value == a.id
    assert any(h.value.startswith("#### Slide 3: A") for h in at.markdown)


def test_retitling_a_new_slide_keeps_it_selected(store) -> None:
    """A new slide's title typed and committed (Ctrl+Enter or leaving the field) relabels
    it in the list: it stays the slide being edited."""
    engine, users = store
    at, cid = _open(engine, users["fay"], Case(title="Titles", slides=(TextSlide(title="A"),)))
    _ok(_button(at, "Add text slide").click().run())
    new = _stored(engine, users["fay"], cid).case.slides[1]
    assert at.radio(key=selected_key(cid)).value == new.id
    at.text_input(key=widget_key(cid, new.id, "title")).set_value("Leak on the ala").run()
    _ok(at)
    assert at.radio(key=selected_key(cid)).value == new.id
    assert any(h.value.startswith("#### Slide 2: Leak on the ala") for h in at.markdown)


def test_deleting_a_slide_asks_first_and_undo_brings_edits_back(store) -> None:
    engine, users = store
    a, b = TextSlide(title="A"), TextSlide(title="B")
    at, cid = _open(engine, users["fay"], Case(title="Undo", slides=(a, b)))
    assert _button(at, "Undo").disabled, "nothing to undo yet"
    at.text_input(key=widget_key(cid, a.id, "title")).set_value("A edited").run()
    _ok(_button(at, "Delete…").click().run())
    assert any("Delete slide 1" in w.value and "A edited" in w.value for w in at.warning)
    assert len(_stored(engine, users["fay"], cid).case.slides) == 2, "nothing deleted yet"
    _ok(_button(at, "Keep it").click().run())
    assert not any("Delete slide" in w.value for w in at.warning)
    _ok(_button(at, "Delete…").click().run())
    _ok(_button(at, "Yes, delete the slide").click().run())
    assert [s.title for s in _stored(engine, users["fay"], cid).case.slides] == ["B"]
    assert "A edited" in _button(at, "Undo").help, "the help says what an undo brings back"
    _ok(_button(at, "Undo").click().run())
    stored = _stored(engine, users["fay"], cid)
    assert [s.title for s in stored.case.slides] == ["A edited", "B"]
    assert stored.version == 4, "an undo is a save like any other"
    _ok(_button(at, "Undo").click().run())
    assert [s.title for s in _stored(engine, users["fay"], cid).case.slides] == ["A", "B"]
    at.radio(key=selected_key(cid)).set_value(a.id).run()
    assert at.text_input(key=widget_key(cid, a.id, "title")).value == "A", "fields show it"
    assert _button(at, "Undo").disabled


def test_undo_never_overwrites_someone_elses_save(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    a = TextSlide(title="A")
    at, cid = _open(engine, users["fay"], Case(title="Shared", slides=(a,)))
    case_store.add_coeditor(engine, users["fay"].id, cid, users["gus"].id)
    at.text_input(key=widget_key(cid, a.id, "title")).set_value("Fay's title").run()
    stored = _stored(engine, users["fay"], cid)
    theirs = stored.case.model_copy(update={"summary": "Gus's summary"})
    case_store.save_case(engine, users["gus"].id, cid, theirs, stored.version)
    _ok(at.run())
    assert _button(at, "Undo").disabled, "their save clears this editor's undo"


def test_no_internal_specimen_ids_and_no_unsourced_share_on_the_builder(store) -> None:
    """The specimen was shown as `confluence_l4_l5,lst_below_ala_right` and the L4/L5 site
    picker as "33 %" although no study reports the split."""
    engine, users = store
    spec = "confluence_l4_l5,lst_below_ala_right"
    slide = ViewSlide(title="Own specimen", camera="anterior", specimen="bifurcation_l5_body")
    at, cid = _open(engine, users["fay"], Case(title="Ids", specimen=spec, slides=(slide,)))
    texts = [e.value for e in (*at.markdown, *at.caption, *at.text) if isinstance(e.value, str)]
    assert not any("confluence_l4_l5" in t or "bifurcation_l5_body" in t for t in texts), [
        t for t in texts if "_" in t
    ]
    assert any("Where L4 joins L5 (right): Below the joint" in t for t in texts)
    assert any("No study reports how often each option of Where L4 joins L5" in t for t in texts)
    picker = at.selectbox(key=widget_key(cid, "variant", "lst_formation_right"))
    assert all(o.endswith("(frequency not reported)") for o in picker.options), picker.options
    assert not any("33" in o for o in picker.options)
