"""Present a case: one slide at a time, full width, the live 3D view on view slides, charts
as plotly, annotations under the slide, speaker notes in an expander.

Previous/next by button, by the arrow keys and by Page Up/Page Down (what presentation
clickers send), or straight to a slide with the picker; "slide i of n" above the slide.
The keys are Streamlit's button shortcuts (no script of our own); they do not fire while
the typing cursor is in a field or the 3D view has the focus (click beside it first).

Opens the case the builder has open (or ``?case=<id>``) only if the signed-in user may read it.
User text is shown as text, never as HTML. The page returns early instead of calling
``st.stop``, which would also stop the sign-in form the entry script draws after the page.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from atlas_app.cases.model import AnySlide, Case, CaseError, ChartSlide, ViewSlide
from atlas_app.ui.account import current_user, escape_markdown, store_engine
from atlas_app.ui.state import CASE_OPEN, PRESENT_INDEX

PAGE_KEYS_CONTAINER = "present-page-keys"
PRESENT_VIEWER_HEIGHT = 640


def _notice(title: str, text: str, error: bool = False) -> None:
    st.title(title)
    if error:
        st.error(text)
    else:
        st.info(text)


def _case_to_present() -> Any | None:
    """The stored case to present, or None with a notice saying why there is none."""
    engine = store_engine()
    user = current_user(engine)
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


def _controls(case: Case) -> int:
    """Previous / the slide picker / Next, and the keys; the index of the slide shown."""
    n = len(case.slides)
    # The index lives in session state so the buttons, the keys and the picker agree (the
    # builder sets it to present from the slide it has selected).
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
    titles = [f"{i + 1}. {s.title or s.kind}" for i, s in enumerate(case.slides)]
    middle.selectbox(
        "Slide",
        list(range(n)),
        key=PRESENT_INDEX,
        format_func=titles.__getitem__,
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


def _slide(case: Case, slide: AnySlide) -> None:
    """The slide across the width, its annotations under it, then the notes."""
    st.header(escape_markdown(slide.title))
    text_alternative: str | None = None
    try:
        if isinstance(slide, ViewSlide):
            from atlas_app.cases.scenes import scene_for_slide
            from atlas_app.ui.resources import approach_set, live_scene, loaded_atlas
            from atlas_app.ui.viewer import show_viewer, slide_token

            specimen_, scene = scene_for_slide(
                loaded_atlas().atlas, approach_set(), slide, case_specimen=case.specimen
            )
            live, text_alternative = live_scene(scene, specimen_, labels=slide.labels)
            # One viewer for the whole deck: each slide brings its own camera.
            show_viewer(
                live,
                key="present.viewer",
                height=PRESENT_VIEWER_HEIGHT,
                camera_token=slide_token(slide),
            )
        elif isinstance(slide, ChartSlide):
            from atlas_app.cases.charts import chart_data, chart_figure
            from atlas_app.ui.resources import approach_set, loaded_atlas

            data = chart_data(
                loaded_atlas().atlas,
                approach_set(),
                slide,
                case_specimen=case.specimen,
                case_approaches=case.approaches,
            )
            st.plotly_chart(chart_figure(data), width="stretch")
        else:
            st.text(slide.body)
    except CaseError as exc:
        st.error(f"This slide cannot be shown: {escape_markdown(str(exc))}")
    for annotation in getattr(slide, "annotations", ()):
        st.text(f"• {annotation}")
    if text_alternative:
        with st.expander("Text description of the view"):
            st.text(text_alternative)
    if slide.notes:
        with st.expander("Speaker notes"):
            st.text(slide.notes)


stored = _case_to_present()
if stored is not None:
    # Presenting: the slide gets the whole width (the sidebar starts folded away).
    st.set_page_config(initial_sidebar_state="collapsed")
    index = _controls(stored.case)
    st.caption(
        f"{escape_markdown(stored.case.title)} — slide {index + 1} of {len(stored.case.slides)}"
    )
    _slide(stored.case, stored.case.slides[index])
