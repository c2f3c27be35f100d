"""One approach, step by step: the field changing with each step, its text and its metrics."""

from __future__ import annotations

import streamlit as st

from atlas_app.approaches.explain import blade_rows, in_the_way_text
from atlas_app.approaches.field_view import CORRIDOR_CAMERA, FIELD_MM, step_view
from atlas_app.approaches.metrics import AVULSION_STRAIN, NEAR_MM
from atlas_app.cases.api import CameraModel
from atlas_app.geometry.corridor import TARGET_ZONE_MM
from atlas_app.scene.compose import compose_scene
from atlas_app.ui import state
from atlas_app.ui.case_actions import add_view_to_case
from atlas_app.ui.panels import cite_text, picked_specimen, show_faults
from atlas_app.ui.resources import (
    approach_set,
    live_scene,
    loaded_atlas,
    prefetch_step,
    step_field,
    step_metrics,
)
from atlas_app.ui.viewer import prepare_viewer, show_viewer

PHASE_LABELS = {
    "preparation": "Preparation",
    "exposure": "Exposure",
    "retraction": "Retraction",
    "target": "At the target",
    "closure": "Closure",
}

prepare_viewer("approach.viewer")
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
    # A select box, not radio buttons: a focused radio group takes the arrow keys, so a
    # trainee stepping through with the keyboard would change the approach instead.
    approach_id = st.selectbox(
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

index = st.select_slider(
    "Step",
    options=list(range(n_steps)),
    key=state.APPROACH_STEP,
    format_func=lambda i: f"{i + 1}. {approach.steps[i].title}",
)
# The buttons get a row of their own: beside the slider, at 1024 px, they were cut to
# "P." and "N".
prev, nxt, _ = st.columns([1, 1, 2])
prev.button(
    "Previous",
    icon=":material/arrow_back:",
    on_click=_go,
    args=(-1,),
    disabled=index == 0,
    width="stretch",
)
nxt.button(
    "Next",
    icon=":material/arrow_forward:",
    icon_position="right",
    on_click=_go,
    args=(1,),
    disabled=index == n_steps - 1,
    width="stretch",
)
step = approach.steps[index]
field = step_field(approach_id, specimen_.spec, index)
# Measured before the view: the operative field drawn is what lies near the corridor.
metrics = step_metrics(approach_id, specimen_.spec, index)

present = set(field.specimen.structures)
down_corridor = field.cone is not None and bool(st.session_state.get(state.APPROACH_DOWN_CORRIDOR))
whole_body = bool(st.session_state.get(state.APPROACH_WHOLE_BODY))
gaps = {sid: m["distance_mm"] for sid, m in metrics["structures"].items()}
view_rules = step_view(field, down_corridor=down_corridor, near=gaps, whole_body=whole_body)
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
    st.toggle(
        f"Show the whole body (otherwise only what lies within {FIELD_MM:g} mm of the corridor)",
        key=state.APPROACH_WHOLE_BODY,
        disabled=field.cone is None,
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
        tools = [
            approaches.instruments[i].name for i in step.instruments if i in approaches.instruments
        ]
        st.markdown("**Instruments:** " + ", ".join(tools))
    if step.neuromonitoring:
        st.markdown(f"**Neuromonitoring:** {step.neuromonitoring}")
    if step.pitfalls:
        st.markdown("**Pitfalls**\n" + "\n".join(f"- {p}" for p in step.pitfalls))
    at_risk = [field.specimen.structures[s].name for s in step.at_risk if s in present]
    if at_risk:
        st.markdown("**At risk (highlighted):** " + ", ".join(at_risk))
    if view_rules.changed:
        st.markdown(
            "**Changed at this step (highlighted):** "
            + ", ".join(field.specimen.structures[s].name for s in view_rules.changed)
        )
    st.caption("Sources: " + cite_text(atlas, step.cite))

st.subheader("Measured on this specimen")
names = {sid: st_.name for sid, st_ in field.specimen.structures.items()}
corridor = metrics["corridor"]
if corridor is None:
    st.caption("No working corridor yet in this step.")
else:
    a, b, c = st.columns(3)
    a.metric("Corridor depth", f"{corridor['depth_mm']:.0f} mm")
    b.metric("Angle from straight front-to-back", f"{corridor['angle_deg']:.0f}°")
    c.metric("Target surface exposed", f"{metrics['target_exposed_fraction']:.0%}")
    way = metrics["in_the_way"]
    if way:
        st.markdown(
            f"**In the path to the target** (the corridor short of its last "
            f"{TARGET_ZONE_MM:g} mm), after this step's retractions:\n"
            + "\n".join(f"- {in_the_way_text(r, names)}" for r in way)
        )
    else:
        st.markdown("**The path to the target is clear** of vessels, nerves, muscle and bone.")
    if metrics["at_target"]:
        st.markdown(
            f"**At the target** (its last {TARGET_ZONE_MM:g} mm, worked around, not moved "
            "out of the way): " + ", ".join(names[s] for s in metrics["at_target"]) + "."
        )
    if metrics["retractions"]:
        st.markdown("**The blades**")
        st.table(blade_rows(metrics["retractions"], names, approach.side), hide_index=True)
    rows = sorted(
        (
            (sid, m)
            for sid, m in metrics["structures"].items()
            if m["within_5mm"] and field.specimen.structures[sid].category != "bone"
        ),
        key=lambda kv: kv[1]["distance_mm"] or 0.0,  # measured: it is within 5 mm
    )
    if rows:
        table = ["| Structure | Gap to corridor | Moved by retraction |", "|---|---|---|"]
        for sid, m in rows:
            gap = f"{m['distance_mm']:.1f} mm"
            if m["in_corridor"]:
                gap = f"inside ({m['distance_mm']:.1f} mm)"
            table.append(f"| {names[sid]} | {gap} | {m['displacement_mm']:.1f} mm |")
        with st.expander(f"Everything within {NEAR_MM:g} mm of the working corridor"):
            st.markdown(
                "Gap to the corridor's wall after this step's retractions (negative: inside):"
            )
            st.markdown("\n".join(table))
for t in metrics["tethers"]:
    name = names.get(t["structure"], t["structure"])
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
    "tissue), not typed in. The corridor, the blades and the nerves are schematic, and the "
    "amounts of retraction are this atlas's reading: no source gives them."
)

if index + 1 < n_steps:  # where Next goes, worked out while the trainee reads this step
    prefetch_step(approach_id, specimen_.spec, index + 1)
