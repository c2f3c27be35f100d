"""Present a case: one slide at a time, full width, the live 3D view on view slides, charts
as plotly, annotations beside the view (below it on a narrow screen); the same slides as the
exports (the title slide, the presentation and imaging, then the case's slides). Speaker
notes are for the presenter: only those who may edit the case see them.

Previous/next by button, by the arrow keys and by Page Up/Page Down (what presentation
clickers send), or straight to a slide with the picker ("Slide i of n").
The keys are Streamlit's button shortcuts (no script of our own); they do not fire while
the typing cursor is in a field or the 3D view has the focus (click beside it first).

Opens the case the builder has open (or ``?case=<id>``) only if the signed-in user may read it.
User text is shown as text, never as HTML. The page returns early instead of calling
``st.stop``, which would also stop the sign-in form the entry script draws after the page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st

from atlas_app.cases.api import (
    FOOTER,
    HISTORY_TITLE,
    AnySlide,
    Case,
    CaseError,
    ChartSlide,
    DeckSlide,
    ViewSlide,
    chart_of_slide,
    deck,
    history_parts,
    scene_of_slide,
)
from atlas_app.ui.account import account_unavailable, escape_markdown, page_account
from atlas_app.ui.errors import unavailable_note
from atlas_app.ui.slide_text import bullets_markdown, slide_markdown
from atlas_app.ui.state import CASE_OPEN, PRESENT_INDEX

PAGE_KEYS_CONTAINER = "present-page-keys"
# Pixels: with the title and the controls, a view slide fits a 1024×768 screen (and its
# annotations sit beside the view, not below the fold). A bare string here would be shown:
# Streamlit's "magic" writes a page's module-level literals.
PRESENT_VIEWER_HEIGHT = 470


def _notice(title: str, text: str, error: bool = False) -> None:
    st.title(title)
    if error:
        st.error(text)
    else:
        st.info(text)


def _case_to_present() -> Any | None:
    """The stored case to present, or None with a notice saying why there is none."""
    engine, user = page_account()
    if account_unavailable():
        _notice("Present a case", unavailable_note(), error=True)
        return None
    if user is None or engine is None:
        _notice("Present a case", "Sign in from the sidebar to present a case.")
        return None
    from atlas_app.storage import case_store as store

    requested = st.query_params.get("case")
    if requested is not None and requested.isdigit():
        if st.session_state.get(CASE_OPEN) != int(requested):
            st.session_state[PRESENT_INDEX] = 0  # a link to another case opens at its first slide
        st.session_state[CASE_OPEN] = int(requested)
    case_id = st.session_state.get(CASE_OPEN)
    if case_id is None:
        _notice("Present a case", "Open a case on the Cases page first.")
        return None
    try:
        stored = store.get_case(engine, user.id, int(case_id))
    except store.CaseAccessError:
        _notice(
            "Present a case",
            "This case does not exist or is not shared with you (any more).",
            error=True,
        )
        return None
    if not stored.case.slides:
        _notice(escape_markdown(stored.case.title), "This case has no slides yet.")
        return None
    return stored


def _step(delta: int, n: int) -> None:
    current = int(st.session_state.get(PRESENT_INDEX) or 0)
    st.session_state[PRESENT_INDEX] = min(max(current + delta, 0), n - 1)


def _controls(slides: list[DeckSlide]) -> int:
    """Previous / the slide picker / Next, and the keys; the index of the slide shown."""
    n = len(slides)
    # The index lives in session state so the buttons, the keys and the picker agree.
    index = min(max(int(st.session_state.get(PRESENT_INDEX) or 0), 0), n - 1)
    st.session_state[PRESENT_INDEX] = index
    # Wide enough for "Previous", its icon and its key hint at 1024 px.
    prev, middle, nxt = st.columns([3, 10, 3], vertical_alignment="center")
    prev.button(
        "Previous",
        icon=":material/chevron_left:",
        disabled=index == 0,
        on_click=_step,
        args=(-1, n),
        shortcut="Left",
        help="Previous slide (Left arrow or Page Up)",
        width="stretch",
    )
    nxt.button(
        "Next",
        icon=":material/chevron_right:",
        icon_position="right",
        disabled=index == n - 1,
        on_click=_step,
        args=(1, n),
        shortcut="Right",
        help="Next slide (Right arrow or Page Down)",
        width="stretch",
    )
    # The picker says where we are; the slide's title is its heading, shown once.
    middle.selectbox(
        "Slide",
        list(range(n)),
        key=PRESENT_INDEX,
        format_func=lambda i: f"Slide {i + 1} of {n}",
        label_visibility="collapsed",
    )
    # Page Up / Page Down (what presentation clickers send) as well as the arrows: a button
    # has one shortcut, so two more buttons serve the keyboard only (hidden).
    with st.container(key=PAGE_KEYS_CONTAINER):
        st.button(
            "Previous slide (Page Up)",
            key="present.page_up",
            disabled=index == 0,
            on_click=_step,
            args=(-1, n),
            shortcut="PageUp",
        )
        st.button(
            "Next slide (Page Down)",
            key="present.page_down",
            disabled=index == n - 1,
            on_click=_step,
            args=(1, n),
            shortcut="PageDown",
        )
    st.html(f"<style>.st-key-{PAGE_KEYS_CONTAINER} {{ display: none; }}</style>")
    return index


def _title_slide(case: Case) -> None:
    st.title(escape_markdown(case.title))
    st.markdown(slide_markdown(case.summary or "Case conference"))
    st.caption(FOOTER + " · the 3D views are a schematic atlas, not the patient's imaging")


def _history_slide(case: Case) -> None:
    st.header(HISTORY_TITLE)
    parts = history_parts(case)
    for column, (heading, text) in zip(st.columns(len(parts)), parts, strict=True):
        column.subheader(heading)
        column.markdown(slide_markdown(text))


def _slide(case: Case, slide: AnySlide, presenter: bool) -> None:
    """The slide across the width, its annotations beside the view, then the notes."""
    st.header(escape_markdown(slide.title))
    annotations = tuple(getattr(slide, "annotations", ()))
    main, side = st.columns([3, 1], gap="medium") if annotations else (st.container(), None)
    text_alternative: str | None = None
    with main:
        try:
            if isinstance(slide, ViewSlide):
                from atlas_app.ui.resources import approach_set, live_scene, loaded_atlas
                from atlas_app.ui.viewer import show_viewer, slide_token

                specimen_, scene = scene_of_slide(
                    loaded_atlas().atlas, approach_set(), slide, case_specimen=case.specimen
                )
                # The slide's title is the heading above: the view is labelled by its camera
                # (the title would be shown twice).
                scene = replace(scene, title=scene.camera.title)
                live, text_alternative = live_scene(scene, specimen_, labels=slide.labels)
                # One viewer for the whole deck: each slide brings its own camera.
                show_viewer(
                    live,
                    key="present.viewer",
                    height=PRESENT_VIEWER_HEIGHT,
                    camera_token=slide_token(slide),
                )
            elif isinstance(slide, ChartSlide):
                from atlas_app.ui.resources import approach_set, loaded_atlas

                figure = chart_of_slide(
                    loaded_atlas().atlas,
                    approach_set(),
                    slide,
                    case_specimen=case.specimen,
                    case_approaches=case.approaches,
                )
                figure.update_layout(height=PRESENT_VIEWER_HEIGHT)
                st.plotly_chart(figure, width="stretch")
            else:
                st.markdown(slide_markdown(slide.body))
        except CaseError as exc:
            st.error(f"This slide cannot be shown: {escape_markdown(str(exc))}")
    if side is not None:
        side.markdown(bullets_markdown(annotations))
    if text_alternative:
        with st.expander("Text description of the view"):
            st.text(text_alternative)
    if slide.notes and presenter:
        with st.expander("Speaker notes (only editors of this case see them)"):
            st.text(slide.notes)


stored = _case_to_present()
if stored is not None:
    # Presenting: the slide gets the whole width (the sidebar starts folded away) and the
    # page's top margin is trimmed so that a slide fits the screen.
    st.set_page_config(initial_sidebar_state="collapsed")
    st.html('<style>[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }</style>')
    slides = deck(stored.case)
    index = _controls(slides)
    shown = slides[index]
    if shown.kind == "title":
        _title_slide(stored.case)
    elif shown.kind == "history":
        _history_slide(stored.case)
    else:
        assert shown.slide is not None
        _slide(stored.case, shown.slide, presenter=bool(stored.can_edit))
