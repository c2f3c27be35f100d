"""One approach, step by step: the field changing with each step, its text and its metrics."""

from __future__ import annotations

import streamlit as st

from atlas_app.approaches.field_view import CORRIDOR_CAMERA, step_view
from atlas_app.approaches.metrics import AVULSION_STRAIN, NEAR_MM
from atlas_app.cases.model import CameraModel
from atlas_app.scene.compose import compose_scene
from atlas_app.ui import state
from atlas_app.ui.case_actions import add_view_to_case
from atlas_app.ui.panels import cite_text, picked_specimen, show_faults
from atlas_app.ui.resources import (
    approach_set,
    live_scene,
    loaded_atlas,
    step_field,
    step_metrics,
)
from atlas_app.ui.viewer import preload_viewer, show_viewer

PHASE_LABELS = {
    "preparation": "Preparation",
    "exposure": "Exposure",
    "retraction": "Retraction",
    "target": "At the target",
    "closure": "Closure",
}

preload_viewer()
loaded = loaded_atlas()
atlas = loaded.atlas
approaches = approach_set()
show_faults(loaded)
if approaches.faults:
    with st.expander(
        f":material/warning: {len(approaches.faults)} problem(s) in the approach files"
    ):
        st.code("\n".join(map(str, approaches.faults)), language=None)
if not approaches.approaches:
    st.error("No approach could be loaded.")
    st.stop()

ids = list(approaches.approaches)
with st.sidebar:
    st.subheader("Approach")
    approach_id = st.radio(
        "Approach",
        ids,
        key=state.APPROACH_ID,
        label_visibility="collapsed",
        format_func=lambda a: approaches.approaches[a].name,
        on_change=state.bump,
        args=(state.APPROACH_CAMERA_TOKEN,),
    )

approach = approaches.approaches[approach_id]
specimen_ = picked_specimen(atlas)
n_steps = len(approach.steps)

# The step index lives in session state so buttons, slider and keyboard agree.
if st.session_state.get(state.APPROACH_FOR_STEP) != approach_id:
    st.session_state[state.APPROACH_STEP] = 0
    st.session_state[state.APPROACH_FOR_STEP] = approach_id


def _go(delta: int) -> None:
    i = st.session_state[state.APPROACH_STEP] + delta
    st.session_state[state.APPROACH_STEP] = max(0, min(n_steps - 1, i))


st.title(approach.name)
st.caption(approach.summary)
with st.expander("Positioning and incision"):
    st.markdown(f"**Positioning.** {approach.positioning}\n\n**Incision.** {approach.incision}")
    st.caption("Sources: " + cite_text(atlas, approach.cite))

prev, slider, nxt = st.columns([1, 6, 1], vertical_alignment="bottom")
prev.button(
    "Previous",
    icon=":material/arrow_back:",
    on_click=_go,
    args=(-1,),
    disabled=st.session_state[state.APPROACH_STEP] == 0,
    width="stretch",
)
nxt.button(
    "Next",
    icon=":material/arrow_forward:",
    icon_position="right",
    on_click=_go,
    args=(1,),
    disabled=st.session_state[state.APPROACH_STEP] == n_steps - 1,
    width="stretch",
)
index = slider.select_slider(
    "Step",
    options=list(range(n_steps)),
    key=state.APPROACH_STEP,
    format_func=lambda i: f"{i + 1}. {approach.steps[i].title}",
)
step = approach.steps[index]
field = step_field(approach_id, specimen_.spec, index)

present = set(field.specimen.structures)
down_corridor = field.cone is not None and bool(st.session_state.get(state.APPROACH_DOWN_CORRIDOR))
view_rules = step_view(field, down_corridor=down_corridor)
scene = compose_scene(
    atlas,
    field.specimen,
    hidden_structures=sorted(view_rules.hidden),
    highlight=view_rules.highlight,
    translucent=view_rules.translucent,
    camera=view_rules.camera,
    title=f"Step {index + 1} of {n_steps}: {step.title}",
)
# The field of the step, drawn from the unretracted specimen: tissue held aside moves.
live, text_alternative = live_scene(scene, field.specimen, base=specimen_)

view, notes = st.columns([3, 2], gap="medium")
with view:
    viewer = show_viewer(
        live,
        key="approach.viewer",
        height=520,
        camera_token=int(st.session_state.get(state.APPROACH_CAMERA_TOKEN, 0)),
    )
    st.toggle(
        "View down the working corridor, as through the incision",
        key=state.APPROACH_DOWN_CORRIDOR,
        disabled=field.cone is None,
        on_change=state.bump,
        args=(state.APPROACH_CAMERA_TOKEN,),
    )
    with st.expander("What this view shows (text alternative)"):
        st.text(text_alternative)
    preset = CORRIDOR_CAMERA if down_corridor else step.camera
    add_view_to_case(
        {
            "specimen": specimen_.spec,
            "approach": approach_id,
            "step": index,
            # What the user sees: their own camera once they have turned the view.
            "camera": preset if viewer.camera is None else CameraModel.from_spec(viewer.camera),
        },
        default_title=view_rules.title,
        key="approach",
    )
with notes:
    st.markdown(f"**{PHASE_LABELS[step.phase]}** · step {index + 1} of {n_steps}")
    st.subheader(step.title)
    st.write(step.text)
    if step.instruments:
        names = [
            approaches.instruments[i].name for i in step.instruments if i in approaches.instruments
        ]
        st.markdown("**Instruments:** " + ", ".join(names))
    if step.neuromonitoring:
        st.markdown(f"**Neuromonitoring:** {step.neuromonitoring}")
    if step.retract:
        lines = []
        for r in step.retract:
            name = (
                atlas.structures[r.structure].name
                if r.structure in atlas.structures
                else r.structure
            )
            way = r.direction if isinstance(r.direction, str) else "aside"
            lines.append(f"- {name}: {r.by_mm:g} mm {way}")
        st.markdown("**Held retracted**\n" + "\n".join(lines))
    if step.pitfalls:
        st.markdown("**Pitfalls**\n" + "\n".join(f"- {p}" for p in step.pitfalls))
    at_risk = [field.specimen.structures[s].name for s in step.at_risk if s in present]
    if at_risk:
        st.markdown("**At risk (highlighted):** " + ", ".join(at_risk))
    st.caption("Sources: " + cite_text(atlas, step.cite))

st.subheader("Measured on this specimen")
# Measured after the view is sent: the step's new field reaches the browser first.
metrics = step_metrics(approach_id, specimen_.spec, index)
corridor = metrics["corridor"]
if corridor is None:
    st.caption("No working corridor yet in this step.")
else:
    a, b, c = st.columns(3)
    a.metric("Corridor depth", f"{corridor['depth_mm']:.0f} mm")
    b.metric("Angle from straight front-to-back", f"{corridor['angle_deg']:.0f}°")
    c.metric("Target surface exposed", f"{metrics['target_exposed_fraction']:.0%}")
    rows = sorted(
        (
            (sid, m)
            for sid, m in metrics["structures"].items()
            if m["within_5mm"] and field.specimen.structures[sid].category != "bone"
        ),
        key=lambda kv: kv[1]["distance_mm"],
    )
    if rows:
        table = ["| Structure | Gap to corridor | Moved by retraction |", "|---|---|---|"]
        for sid, m in rows:
            gap = "inside" if m["in_corridor"] else f"{m['distance_mm']:.1f} mm"
            if m["in_corridor"]:
                gap = f"inside ({m['distance_mm']:.1f} mm)"
            table.append(
                f"| {field.specimen.structures[sid].name} | {gap} | {m['displacement_mm']:.1f} mm |"
            )
        st.markdown(
            f"Structures within {NEAR_MM:g} mm of the working corridor, after "
            "retraction (negative gap: inside it):"
        )
        st.markdown("\n".join(table))
    moved = {
        sid: m
        for sid, m in metrics["structures"].items()
        if m["displacement_mm"] > 0 and sid not in dict(rows)
    }
    if moved:
        st.caption(
            "Also moved by retraction: "
            + ", ".join(
                f"{field.specimen.structures[s].name} {m['displacement_mm']:.1f} mm"
                for s, m in moved.items()
            )
        )
for t in metrics["tethers"]:
    name = (
        atlas.structures[t["structure"]].name
        if t["structure"] in atlas.structures
        else t["structure"]
    )
    text = (
        f"{name}: retraction drags its mouth {t['mouth_shift_mm']:.0f} mm and would "
        f"stretch it by {t['strain']:.0%}"
    )
    if t["ligated"]:
        st.info(f"{text} — it has been tied and divided, so nothing tears.")
    elif t["avulsion_risk"]:
        st.error(
            f"{text}: avulsion risk (above the schematic {AVULSION_STRAIN:.0%} limit; "
            "every iliolumbar vein pulled this way tore in Stirling & Weaver's series)."
        )
    else:
        st.warning(f"{text}.")
st.caption(
    "Distances are computed on the geometry of this step (corridor cone, retracted "
    "tissue), not typed in; the corridor and the nerves are schematic."
)
