"""The case builder's slide list: choosing a slide, adding one of each kind, moving,
duplicating and deleting slides (a delete asks first)."""

from __future__ import annotations

import streamlit as st

from atlas_app.cases.changes import slide_name
from atlas_app.cases.edits import add_slide, delete_slide, duplicate_slide, move_slide
from atlas_app.cases.model import (
    AnySlide,
    Case,
    ChartSlide,
    CorridorDistances,
    TextSlide,
    ViewSlide,
)
from atlas_app.ui import state
from atlas_app.ui.account import escape_markdown
from atlas_app.ui.case_editor import (
    KIND_ICONS,
    Editor,
    save,
    select,
    selected_key,
    widget_key,
)


def slide_label(number: int, slide: AnySlide) -> str:
    """A slide's row: number, kind icon and title (Markdown, the title escaped)."""
    return f"{number}. {KIND_ICONS[slide.kind]} {escape_markdown(slide_name(slide))}"


def slide_list(case: Case, case_id: int) -> AnySlide | None:
    """The slides as a list to choose from; the chosen slide (None when there are none)."""
    if not case.slides:
        st.caption("No slides yet: add one below.")
        return None
    ids = [s.id for s in case.slides]
    key = selected_key(case_id)
    if st.session_state.get(key) not in ids:
        st.session_state[key] = ids[0]
    by_id = {s.id: (i, s) for i, s in enumerate(case.slides, 1)}
    box = st.container(height=330) if len(ids) > 8 else st.container()
    with box:
        st.radio(
            "Slide to edit",
            ids,
            key=key,
            format_func=lambda sid: slide_label(*by_id[sid]),
            label_visibility="collapsed",
        )
    return by_id[st.session_state[key]][1]


def _new_slide(kind: str) -> AnySlide:
    if kind == "view":
        return ViewSlide(title="New view", camera="anterior")
    if kind == "chart":
        return ChartSlide(title="", chart=CorridorDistances())
    return TextSlide(title="New text slide")


def _on_add(ed: Editor, kind: str, after_id: str | None) -> None:
    slide = _new_slide(kind)

    def edit(c: Case) -> Case:
        at = c.index_of(after_id) + 1 if after_id in {s.id for s in c.slides} else None
        return add_slide(c, slide, at)

    if save(ed, edit, "slides") is not None:
        select(ed.case_id, slide.id)


def add_buttons(ed: Editor, selected: AnySlide | None) -> None:
    after = selected.id if selected is not None else None
    columns = st.columns(3)
    for column, kind in zip(columns, ("view", "chart", "text"), strict=True):
        column.button(
            f"Add {kind} slide",
            key=widget_key(ed.case_id, "add", kind),
            icon=KIND_ICONS[kind],
            on_click=_on_add,
            args=(ed, kind, after),
            help="The new slide goes after the selected one",
            width="stretch",
        )


def _on_move(ed: Editor, slide_id: str, delta: int) -> None:
    save(ed, lambda c: move_slide(c, slide_id, c.index_of(slide_id) + delta), "slides")


def _on_duplicate(ed: Editor, slide_id: str) -> None:
    saved = save(ed, lambda c: duplicate_slide(c, slide_id), "slides")
    if saved is not None:
        select(ed.case_id, saved.slides[saved.index_of(slide_id) + 1].id)


def _ask_delete(case_id: int, slide_id: str | None) -> None:
    st.session_state.setdefault(state.CASES_DELETE_SLIDE, {})[case_id] = slide_id


def _on_delete(ed: Editor, slide_id: str, neighbour: str | None) -> None:
    _ask_delete(ed.case_id, None)
    if save(ed, lambda c: delete_slide(c, slide_id), "slides") is not None and neighbour:
        select(ed.case_id, neighbour)


def delete_confirmation(ed: Editor, case: Case, slide: AnySlide) -> None:
    """Delete asks first, naming the slide; *Undo* can bring it back afterwards."""
    if st.session_state.get(state.CASES_DELETE_SLIDE, {}).get(ed.case_id) != slide.id:
        return
    i = case.index_of(slide.id)
    n = len(case.slides)
    neighbour = case.slides[i + 1].id if i + 1 < n else case.slides[i - 1].id if i else None
    st.warning(
        f"Delete slide {i + 1}, “{escape_markdown(slide_name(slide))}”? *Undo* can bring it "
        "back while this page is open.",
        icon=":material/delete:",
    )
    yes, no = st.columns(2)
    yes.button(
        "Yes, delete the slide",
        key=widget_key(ed.case_id, "delete_yes"),
        type="primary",
        on_click=_on_delete,
        args=(ed, slide.id, neighbour),
        width="stretch",
    )
    no.button(
        "Keep it",
        key=widget_key(ed.case_id, "delete_no"),
        on_click=_ask_delete,
        args=(ed.case_id, None),
        width="stretch",
    )


def slide_actions(ed: Editor, case: Case, slide: AnySlide) -> None:
    i = case.index_of(slide.id)
    n = len(case.slides)
    c1, c2, c3, c4 = st.columns(4)
    c1.button(
        "Move up",
        key=widget_key(ed.case_id, "up"),
        icon=":material/arrow_upward:",
        disabled=i == 0,
        on_click=_on_move,
        args=(ed, slide.id, -1),
        width="stretch",
    )
    c2.button(
        "Move down",
        key=widget_key(ed.case_id, "down"),
        icon=":material/arrow_downward:",
        disabled=i == n - 1,
        on_click=_on_move,
        args=(ed, slide.id, 1),
        width="stretch",
    )
    c3.button(
        "Duplicate",
        key=widget_key(ed.case_id, "duplicate"),
        icon=":material/content_copy:",
        on_click=_on_duplicate,
        args=(ed, slide.id),
        width="stretch",
    )
    c4.button(
        "Delete…",
        key=widget_key(ed.case_id, "delete"),
        icon=":material/delete:",
        on_click=_ask_delete,
        args=(ed.case_id, slide.id),
        help="Delete this slide (asks first)",
        width="stretch",
    )
    delete_confirmation(ed, case, slide)
