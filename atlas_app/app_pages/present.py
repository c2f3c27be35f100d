"""Present a case: one slide at a time, full width, the live 3D view on view slides, charts
as plotly, annotations under the slide, speaker notes in an expander.

Previous/next by button, by the arrow keys and by Page Up/Page Down (what presentation
clickers send), or straight to a slide with the picker; "slide i of n" above the slide.
The keys are Streamlit's button shortcuts (no script of our own); they do not fire while
the typing cursor is in a field or the 3D view has the focus (click beside it first).

Opens the case the builder has open (or ``?case=<id>``) only if the signed-in user may read it.
User text is shown as text, never as HTML.
"""

from __future__ import annotations

import streamlit as st

from atlas_app.cases.model import CaseError, ChartSlide, ViewSlide
from atlas_app.ui.account import current_user, escape_markdown, store_engine

OPEN_KEY = "cases.open_id"  # shared with the builder page
INDEX_KEY = "present.index"  # shared with the builder page
PAGE_KEYS_CONTAINER = "present-page-keys"
PRESENT_VIEWER_HEIGHT = 640

engine = store_engine()
user = current_user() if engine is not None else None
if user is None or engine is None:
    st.title("Present a case")
    st.info("Sign in from the sidebar to present a case.", icon=":material/login:")
    st.stop()

from atlas_app.storage import case_store as store  # noqa: E402

requested = st.query_params.get("case")
if requested is not None and requested.isdigit():
    if st.session_state.get(OPEN_KEY) != int(requested):
        st.session_state[INDEX_KEY] = 0  # a link to another case opens at its first slide
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
# The slide index lives in session state so the buttons, the keys and the picker agree (the
# builder sets it to present from the slide it has selected).
index = min(max(int(st.session_state.get(INDEX_KEY) or 0), 0), n - 1)
st.session_state[INDEX_KEY] = index


def _step(delta: int) -> None:
    current = int(st.session_state.get(INDEX_KEY) or 0)
    st.session_state[INDEX_KEY] = min(max(current + delta, 0), n - 1)


# Presenting: the slide gets the whole width (the sidebar starts folded away).
st.set_page_config(initial_sidebar_state="collapsed")
prev, middle, nxt = st.columns([1, 6, 1], vertical_alignment="center")
prev.button(
    "Previous",
    icon=":material/chevron_left:",
    disabled=index == 0,
    on_click=_step,
    args=(-1,),
    shortcut="Left",
    help="Previous slide (Left arrow or Page Up)",
    width="stretch",
)
nxt.button(
    "Next",
    icon=":material/chevron_right:",
    disabled=index == n - 1,
    on_click=_step,
    args=(1,),
    shortcut="Right",
    help="Next slide (Right arrow or Page Down)",
    width="stretch",
)
titles = [f"{i + 1}. {s.title or s.kind}" for i, s in enumerate(case.slides)]
middle.selectbox(
    "Slide",
    list(range(n)),
    key=INDEX_KEY,
    format_func=titles.__getitem__,
    label_visibility="collapsed",
)
# Page Up / Page Down (what presentation clickers send) as well as the arrows: one shortcut
# per button, so two more buttons serve the keyboard only (hidden, like the clicker).
with st.container(key=PAGE_KEYS_CONTAINER):
    st.button(
        "Previous slide (Page Up)",
        key="present.page_up",
        disabled=index == 0,
        on_click=_step,
        args=(-1,),
        shortcut="PageUp",
    )
    st.button(
        "Next slide (Page Down)",
        key="present.page_down",
        disabled=index == n - 1,
        on_click=_step,
        args=(1,),
        shortcut="PageDown",
    )
st.html(f"<style>.st-key-{PAGE_KEYS_CONTAINER} {{ display: none; }}</style>")

slide = case.slides[index]
st.caption(f"{escape_markdown(case.title)} — slide {index + 1} of {n}")
st.header(escape_markdown(slide.title))
text_alternative: str | None = None
try:
    if isinstance(slide, ViewSlide):
        from atlas_app.cases.scenes import scene_for_slide
        from atlas_app.ui.resources import approach_set, loaded_atlas, scene_page
        from atlas_app.ui.viewer import show_viewer

        specimen_, scene = scene_for_slide(
            loaded_atlas().atlas, approach_set(), slide, case_specimen=case.specimen
        )
        page, text_alternative = scene_page(scene, specimen_)
        show_viewer(page, height=PRESENT_VIEWER_HEIGHT)
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
    st.error(f"This slide cannot be shown: {escape_markdown(str(exc))}")
for annotation in getattr(slide, "annotations", ()):
    st.text(f"• {annotation}")
if text_alternative:
    with st.expander("Text description of the view"):
        st.text(text_alternative)
if slide.notes:
    with st.expander("Speaker notes"):
        st.text(slide.notes)
