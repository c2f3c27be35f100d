"""describe_changes: what another editor changed, as a person reads it."""

from __future__ import annotations

from atlas_app.cases.changes import describe_changes, slide_name
from atlas_app.cases.edits import add_slide, delete_slide, edit_case, edit_slide, move_slide
from atlas_app.cases.model import Case, TextSlide, ViewSlide

A = TextSlide(title="Question")
B = ViewSlide(camera="anterior")
CASE = Case(title="Leak", summary="An older adult", slides=(A, B))


def test_nothing_changed() -> None:
    assert describe_changes(CASE, CASE) == []


def test_case_fields_show_the_new_and_old_value() -> None:
    after = edit_case(CASE, title="Cement leak", approaches=("interaortic",))
    assert describe_changes(CASE, after) == [
        "Title: now “Cement leak” (was “Leak”)",
        "Approaches: now “interaortic” (was “none”)",
    ]


def test_long_text_is_shortened_to_one_line() -> None:
    after = edit_case(CASE, summary="word\n" * 100)
    (line,) = describe_changes(CASE, after)
    assert line.startswith("Summary: now “word word") and "…”" in line and "\n" not in line
    assert len(line) < 220


def test_slides_edited_added_deleted_and_moved() -> None:
    edited = edit_slide(CASE, B.id, notes="Look here", highlight=("sacrum",))
    assert describe_changes(CASE, edited) == [
        "Slide 2 “untitled view slide”: notes, highlight changed"
    ]
    added = add_slide(CASE, TextSlide(title="Take-home"), 0)
    assert describe_changes(CASE, added) == ["Slide 1 “Take-home” added"]  # not "reordered"
    assert describe_changes(CASE, delete_slide(CASE, A.id)) == ["Slide “Question” deleted"]
    assert describe_changes(CASE, move_slide(CASE, B.id, 0)) == ["Slides reordered"]


def test_slide_name() -> None:
    assert slide_name(A) == "Question"
    assert slide_name(B) == "untitled view slide"
