"""Present a case: one slide at a time, full width, previous/next, the live 3D view on view
slides, charts as plotly, annotations beside, speaker notes in an expander.

Opens the case the builder has open (or ``?case=<id>``) only if the signed-in user may read it.
User text is shown as text, never as HTML.
"""

from __future__ import annotations

import streamlit as st

from atlas_app.cases.model import CaseError, ChartSlide, ViewSlide
from atlas_app.ui.account import current_user, escape_markdown, store_engine

OPEN_KEY = "cases.open_id"  # shared with the builder page
INDEX_KEY = "present.index"

engine = store_engine()
user = current_user() if engine is not None else None
if user is None or engine is None:
    st.title("Present a case")
    st.info("Sign in from the sidebar to present a case.", icon=":material/login:")
    st.stop()

from atlas_app.storage import case_store as store  # noqa: E402

requested = st.query_params.get("case")
if requested is not None and requested.isdigit():
    st.session_state[OPEN_KEY] = int(requested)
case_id = st.session_state.get(OPEN_KEY)
if case_id is None:
    st.title("Present a case")
    st.info("Open a case on the Cases page first.")
    st.stop()
try:
    stored = store.get_case(engine, user, int(case_id))
except store.CaseAccessError:
    st.title("Present a case")
    st.error("This case does not exist or has not been shared with you.")
    st.stop()

case = stored.case
if not case.slides:
    st.title(escape_markdown(case.title))
    st.info("This case has no slides yet.")
    st.stop()

n = len(case.slides)
index = min(max(int(st.session_state.get(INDEX_KEY, 0)), 0), n - 1)
st.session_state[INDEX_KEY] = index


def _step(delta: int) -> None:
    st.session_state[INDEX_KEY] = min(max(index + delta, 0), n - 1)


c1, c2, c3 = st.columns([1, 6, 1])
c1.button(
    "Previous", icon=":material/chevron_left:", disabled=index == 0, on_click=_step, args=(-1,)
)
c3.button(
    "Next", icon=":material/chevron_right:", disabled=index == n - 1, on_click=_step, args=(1,)
)
c2.caption(f"{escape_markdown(case.title)} — slide {index + 1} of {n}")

slide = case.slides[index]
st.header(escape_markdown(slide.title))
main, side = st.columns([3, 1])
with main:
    try:
        if isinstance(slide, ViewSlide):
            from atlas_app.cases.scenes import scene_for_slide
            from atlas_app.ui.resources import approach_set, loaded_atlas, scene_page
            from atlas_app.ui.viewer import show_viewer

            specimen_, scene = scene_for_slide(
                loaded_atlas().atlas, approach_set(), slide, case_specimen=case.specimen
            )
            page, text_alternative = scene_page(scene, specimen_)
            show_viewer(page)
            with st.expander("Text description of the view"):
                st.text(text_alternative)
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
            st.text(getattr(slide, "body", "") or "")
    except CaseError as exc:
        st.error(f"This slide cannot be shown: {exc}")
with side:
    for annotation in getattr(slide, "annotations", ()):
        st.text(f"• {annotation}")
if slide.notes:
    with st.expander("Speaker notes"):
        st.text(slide.notes)
