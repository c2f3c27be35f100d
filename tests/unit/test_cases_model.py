"""The case model: edits return new cases, slides keep their identity, limits hold."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from atlas_app.cases.edits import (
    add_slide,
    delete_slide,
    duplicate_slide,
    edit_case,
    edit_slide,
    move_slide,
)
from atlas_app.cases.model import (
    LIMITS,
    MAX_SLIDES,
    Case,
    CaseError,
    TextSlide,
    ViewSlide,
    case_data,
    case_from_data,
    parse_slide,
    slide_data,
)


def three() -> Case:
    case = Case(title="Leak")
    for t in ("one", "two", "three"):
        case = add_slide(case, TextSlide(title=t))
    return case


def titles(case: Case) -> list[str]:
    return [s.title for s in case.slides]


def test_add_returns_a_new_case_and_leaves_the_old():
    case = Case(title="Leak")
    new = add_slide(case, TextSlide(title="a"))
    assert case.slides == () and titles(new) == ["a"]
    assert titles(add_slide(new, TextSlide(title="b"), index=0)) == ["b", "a"]


def test_move_keeps_identity_and_clamps():
    case = three()
    ids = [s.id for s in case.slides]
    moved = move_slide(case, ids[0], 99)
    assert titles(moved) == ["two", "three", "one"]
    assert [s.id for s in moved.slides] == [ids[1], ids[2], ids[0]]
    assert titles(move_slide(case, ids[2], -5)) == ["three", "one", "two"]
    assert titles(case) == ["one", "two", "three"]


def test_duplicate_gets_a_new_id_right_after():
    case = three()
    first = case.slides[0]
    dup = duplicate_slide(case, first.id)
    assert titles(dup) == ["one", "one", "two", "three"]
    assert dup.slides[1].id != first.id and dup.slides[0].id == first.id


def test_delete_and_unknown_slide():
    case = three()
    assert titles(delete_slide(case, case.slides[1].id)) == ["one", "three"]
    with pytest.raises(CaseError, match="no slide"):
        delete_slide(case, "0" * 32)


def test_edit_slide_validates_and_keeps_id():
    case = three()
    sid = case.slides[0].id
    new = edit_slide(case, sid, title="changed", notes="say this")
    assert new.slide(sid).title == "changed" and new.slide(sid).notes == "say this"
    with pytest.raises(CaseError, match="id"):
        edit_slide(case, sid, id="f" * 32)
    with pytest.raises(CaseError, match="title"):
        edit_slide(case, sid, title="x" * (LIMITS["title"] + 1))
    with pytest.raises(CaseError, match="control character"):
        edit_slide(case, sid, notes="bell\x07")
    assert case.slide(sid).title == "one"


def test_edit_case_refuses_slides_and_bad_text():
    case = three()
    assert edit_case(case, summary="new").summary == "new"
    with pytest.raises(CaseError):
        edit_case(case, slides=())
    with pytest.raises(CaseError, match="summary"):
        edit_case(case, summary="s" * (LIMITS["summary"] + 1))
    with pytest.raises(CaseError, match="single line"):
        edit_case(case, title="two\nlines")
    with pytest.raises(CaseError, match="control character"):
        edit_case(case, summary="nul\x00")


@pytest.mark.parametrize("char", ["\ufffe", "\uffff", "\x1b", "\x85"])
def test_text_that_powerpoint_cannot_carry_is_refused_with_a_reason(char: str):
    # issue 15: a slide title holding U+FFFE was accepted, then Build PowerPoint raised
    with pytest.raises(CaseError, match="not allowed in text"):
        edit_case(three(), title=f"Slide {char}")


def test_slide_limit():
    case = Case(title="Many", slides=tuple(TextSlide(title=str(i)) for i in range(MAX_SLIDES)))
    with pytest.raises(CaseError, match=str(MAX_SLIDES)):
        add_slide(case, TextSlide(title="one too many"))
    small = three()
    with pytest.raises(CaseError, match="already"):
        add_slide(small, small.slides[0])


def test_view_slide_rules():
    with pytest.raises(ValidationError, match="together"):
        ViewSlide(approach="interaortic")
    with pytest.raises(ValidationError, match="corridor"):
        ViewSlide(camera="corridor")
    with pytest.raises(ValidationError, match="unknown camera"):
        ViewSlide(camera="nowhere")
    with pytest.raises(ValidationError):
        ViewSlide(unknown_field=1)
    with pytest.raises(ValidationError):
        TextSlide()


def test_data_round_trip():
    case = add_slide(
        three(),
        ViewSlide(
            title="v", highlight=("cement_leak_right",), camera="anterior", annotations=("a",)
        ),
    )
    data = case_data(case)
    assert case_from_data(data) == case
    view = data["slides"][-1]
    assert next(iter(view)) == "kind" and "approach" not in view
    assert parse_slide(slide_data(case.slides[-1])) == case.slides[-1]
