"""The atlas: the lumbosacral region in 3D, by layer, structure and variant."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from atlas_app.approaches.field_view import WALL_GROUP  # shown on demand: it covers the rest
from atlas_app.cases.api import view_slide_fields
from atlas_app.model.camera import CAMERA_PRESETS, DEFAULT_CAMERA
from atlas_app.model.schema import CATEGORIES
from atlas_app.scene.compose import compose_view
from atlas_app.scene.view import ViewChoices
from atlas_app.ui import state
from atlas_app.ui.case_actions import add_view_to_case
from atlas_app.ui.panels import (
    built_specimen,
    prevalence_note,
    show_faults,
    specimen_in_state,
    specimen_picker,
    structure_panel,
)
from atlas_app.ui.resources import (
    RenderError,
    endangered_by,
    live_scene,
    loaded_atlas,
    render_status,
)
from atlas_app.ui.resources import still_png as render_still
from atlas_app.ui.viewer import prepare_viewer, show_viewer

SYSTEM_LABELS = {
    "bone": "Bones",
    "muscle": "Muscles",
    "artery": "Arteries",
    "vein": "Veins",
    "nerve": "Nerves",
    "viscus": "Ureters and viscera",
    "pathology": "Pathology",
}

# The sidebar's widgets and where each starts: set in session state before anything is
# drawn, so the view can be made, and sent, before the widgets are.
WIDGETS = {
    state.ATLAS_CAMERA: DEFAULT_CAMERA,
    state.ATLAS_SYSTEMS: list(CATEGORIES),
    state.ATLAS_WALL: False,
    state.ATLAS_TRANSLUCENT: False,
    state.ATLAS_HIGHLIGHT: [],
    state.ATLAS_HIDDEN_STRUCTURES: [],
    state.ATLAS_ISOLATE: False,
}

loaded = loaded_atlas()
atlas = loaded.atlas

st.title("Lumbosacral atlas")
st.caption(
    "Drag to turn, right-drag or shift-drag to pan, scroll or pinch to zoom; click a "
    "structure to select it. Patient's right is on the left in the anterior view. "
    "Millimetres; origin at the sacral promontory."
)
show_faults(loaded)

# The view first, from what the widgets hold, and the widgets after it: the first view's
# scene goes out with the page's first elements and is drawn as soon as its placeholder
# shows, not once Streamlit has loaded every widget's code (ui/viewer.py: prepare_viewer).
for key, start in WIDGETS.items():
    st.session_state.setdefault(key, start.copy() if isinstance(start, list) else start)
boot = prepare_viewer("atlas.viewer", boot=True)
spec_string = specimen_in_state(atlas)
specimen_ = built_specimen(spec_string)
ids = list(specimen_.structures)
names = {sid: specimen_.structures[sid].name for sid in ids}
by_name = sorted(ids, key=lambda s: (specimen_.structures[s].category, names[s]))
if st.session_state.get(state.ATLAS_SELECTED) not in ids:
    st.session_state[state.ATLAS_SELECTED] = (
        "lumbosacral_trunk_right" if "lumbosacral_trunk_right" in ids else ids[0]
    )


def choices_now() -> tuple[ViewChoices, str]:
    """What the view shows, as the widgets hold it, given alike to the scene and to "Add
    this view to a case"; and the selected structure."""
    ss = st.session_state
    selected = str(ss[state.ATLAS_SELECTED])
    highlight = [s for s in ss[state.ATLAS_HIGHLIGHT] if s in ids]
    walls = [s for s in ids if specimen_.structures[s].parent == WALL_GROUP]
    chosen = ViewChoices.of(
        hidden_categories=[c for c in CATEGORIES if c not in (ss[state.ATLAS_SYSTEMS] or [])],
        hidden_structures=[s for s in ss[state.ATLAS_HIDDEN_STRUCTURES] if s in ids]
        + ([] if ss[state.ATLAS_WALL] else walls),
        isolate=[selected, *highlight] if ss[state.ATLAS_ISOLATE] else None,
        highlight=highlight,
        translucent_muscles=bool(ss[state.ATLAS_TRANSLUCENT]),
        camera=ss[state.ATLAS_CAMERA],
    )
    return chosen, selected


chosen, selected = choices_now()
scene = compose_view(atlas, specimen_, chosen)
live, text_alternative = live_scene(scene, specimen_)


def _select(structure_id: str) -> None:
    if structure_id in names:
        st.session_state[state.ATLAS_SELECTED] = structure_id


viewer = show_viewer(
    live,
    key="atlas.viewer",
    camera_token=int(st.session_state.get(state.ATLAS_CAMERA_TOKEN, 0)),
    selected=selected,
    on_pick=_select,
    boot=boot,
)

with st.sidebar:
    st.subheader("View")
    st.radio(
        "Preset view",
        list(CAMERA_PRESETS),
        key=state.ATLAS_CAMERA,
        format_func=lambda c: CAMERA_PRESETS[c].title,
        on_change=state.bump,
        args=(state.ATLAS_CAMERA_TOKEN,),
        help="Picking a view moves the camera there; otherwise the camera stays where you "
        "turned it while you change layers and variants.",
    )
    st.subheader("Layers")
    st.pills(
        "Systems shown",
        list(CATEGORIES),
        selection_mode="multi",
        format_func=lambda c: SYSTEM_LABELS[c],
        key=state.ATLAS_SYSTEMS,
    )
    st.toggle(
        "Abdominal wall and peritoneum",
        key=state.ATLAS_WALL,
        help="Rectus abdominis and the parietal peritoneum, which cover the "
        "retroperitoneum from the front.",
    )
    st.toggle(
        "See-through muscles",
        key=state.ATLAS_TRANSLUCENT,
        help="Psoas and iliacus drawn translucent to show the plexus inside; "
        "everything else stays opaque.",
    )
    st.subheader("Specimen")
    picked = specimen_picker(atlas)
    st.subheader("Structures")
    st.selectbox(
        "Selected structure", by_name, key=state.ATLAS_SELECTED, format_func=names.__getitem__
    )
    st.multiselect(
        "Highlight",
        by_name,
        key=state.ATLAS_HIGHLIGHT,
        format_func=names.__getitem__,
        placeholder="none",
    )
    st.multiselect(
        "Hide",
        by_name,
        key=state.ATLAS_HIDDEN_STRUCTURES,
        format_func=names.__getitem__,
        placeholder="none",
    )
    st.toggle("Isolate the selected and highlighted structures", key=state.ATLAS_ISOLATE)
# A widget that disagrees with what it held before it was drawn (it should not): the view is
# drawn again, once, with what the widgets show.
disagree = picked != spec_string or choices_now() != (chosen, selected)
if disagree and not st.session_state.get(state.ATLAS_REDRAWN):
    st.session_state[state.ATLAS_REDRAWN] = True
    st.rerun()
st.session_state[state.ATLAS_REDRAWN] = False

# What the user sees: their own camera once they have turned the view.
seen = scene if viewer.camera is None else scene.with_camera(viewer.camera)
st.caption(prevalence_note(atlas, specimen_))
with st.expander("What this view shows (text alternative)"):
    st.text(text_alternative)
slide_view = chosen if viewer.camera is None else replace(chosen, camera=viewer.camera)
add_view_to_case(
    {"specimen": specimen_.spec, **view_slide_fields(slide_view)},
    default_title=scene.title,
    key="atlas",
)

info, still = st.columns([2, 3], gap="large")
with info:
    structure_panel(
        atlas, specimen_, specimen_.structures[selected], endangered_by(selected, specimen_.spec)
    )
with still:
    st.markdown("#### Labelled still")
    st.caption(
        "The view as you see it, drawn on the server with numbered pins and a key: for "
        "printing and handouts (the live view names structures itself)."
    )
    if st.toggle("Show the labelled still", key=state.ATLAS_SHOW_STILL):
        status = render_status()
        if not status.ok:
            st.warning(status.message)
        else:
            try:
                with st.spinner("Rendering the labelled view…"):
                    png = render_still(seen.to_json(), specimen_.spec, 1000, 680)
                st.image(png, caption=scene.title, width="stretch")
            except RenderError as exc:
                st.warning(f"The labelled view could not be drawn: {exc}")
