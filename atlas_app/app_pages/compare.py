"""The approaches side by side on one specimen: steps by phase, corridors, what is near."""

from __future__ import annotations

from typing import Any

import streamlit as st

from atlas_app.approaches.metrics import NEAR_MM
from atlas_app.approaches.schema import PHASES
from atlas_app.charts.corridor_charts import corridor_distances, corridor_summary, step_profile
from atlas_app.charts.reading import (
    KEY_STRUCTURES,
    near_working_corridor,
    steps_by_phase,
    working_step_metrics,
)
from atlas_app.charts.style import PHASE_LABELS
from atlas_app.ui.panels import picked_specimen, prevalence_note, show_faults
from atlas_app.ui.resources import approach_metrics, approach_set, loaded_atlas

# Page keys (the lead moves them to ui/state.py).
COMPARE_APPROACHES = "compare.approaches"
COMPARE_STRUCTURES = "compare.structures"
COMPARE_PROFILE = "compare.profile_structure"

PLOTLY_CONFIG: dict[str, Any] = {"displaylogo": False}

loaded = loaded_atlas()
atlas = loaded.atlas
approaches = approach_set()
show_faults(loaded)
if len(approaches.approaches) < 2:
    st.error("At least two approaches are needed to compare them.")
    st.stop()

all_ids = list(approaches.approaches)
short = {a: approaches.approaches[a].short_name for a in all_ids}

st.title("Compare the approaches")
st.caption(
    "The same specimen, every approach: their steps side by side, their working corridors, "
    "and how close each corridor comes to the structures at stake."
)
chosen = st.multiselect(
    "Approaches",
    all_ids,
    default=all_ids[:3],
    max_selections=3,
    key=COMPARE_APPROACHES,
    format_func=lambda a: approaches.approaches[a].name,
)
specimen_ = picked_specimen(atlas)  # the shared pickers, in the sidebar
if len(chosen) < 2:
    st.info("Choose two or three approaches to compare.")
    st.stop()
chosen = [a for a in all_ids if a in chosen]  # the atlas's order, whatever the picking order

st.caption(prevalence_note(atlas, specimen_))

metrics = {a: approach_metrics(a, specimen_.spec) for a in chosen}
names = {sid: s.name for sid, s in specimen_.structures.items()}
approach_names = {a: short[a] for a in chosen}

# --- Steps by phase ----------------------------------------------------------------------

st.subheader("Steps, phase by phase")
by_phase = steps_by_phase(metrics)
rows = []
for phase in PHASES:
    row = {"Phase": f"**{PHASE_LABELS[phase]}**"}
    for a in chosen:
        steps = by_phase[phase][a]
        row[short[a]] = "  \n".join(f"**{n}.** {t}" for n, t in steps) if steps else "—"
    rows.append(row)
st.table(rows, hide_index=True)
working = {a: working_step_metrics(metrics[a]) for a in chosen}
st.caption(
    "Numbers are each approach's own step numbers. The working corridor measured below is "
    "the corridor in use at the last step at the target: "
    + "; ".join(f"{short[a]}: {w['title'] if w else 'none'}" for a, w in working.items())
    + "."
)

# --- Charts ------------------------------------------------------------------------------

present = [s for s in KEY_STRUCTURES if s in names]
others = sorted(
    (s for s in names if s not in present and specimen_.structures[s].category != "pathology"),
    key=lambda s: (specimen_.structures[s].category, names[s]),
)
st.subheader("How close each corridor comes")
picked = st.multiselect(
    "Structures",
    present + others,
    default=present,
    key=COMPARE_STRUCTURES,
    format_func=lambda s: names.get(s, s),
    help="Vessels and nerves of the right side by default; add any structure of the specimen.",
)
if picked:
    st.plotly_chart(
        corridor_distances(metrics, picked, names, approach_names=approach_names),
        config=PLOTLY_CONFIG,
        width="stretch",
    )
st.caption(
    "Gap between each structure and the wall of the working corridor, after the "
    "retractions of that step. Below 0 the structure reaches into the corridor (shaded); "
    f"the dashed line is {NEAR_MM:g} mm. No bar: the structure was divided or moved out of "
    "the field by then. Distances come from the schematic geometry of this atlas, not from "
    "measurements in patients."
)

profile_options = present + others
profile = st.selectbox(
    "Follow one structure through the steps",
    profile_options,
    index=0,
    key=COMPARE_PROFILE,
    format_func=lambda s: names.get(s, s),
)
if profile is not None:
    st.plotly_chart(
        step_profile(metrics, profile, names[profile], approach_names=approach_names),
        config=PLOTLY_CONFIG,
        width="stretch",
    )
st.caption(
    "Steps are lined up by phase (preparation, exposure, retraction, at the target, "
    "closure). A break in a line is a step without a working corridor yet, or with the "
    "structure divided."
)

st.plotly_chart(
    corridor_summary(metrics, approach_names=approach_names),
    config=PLOTLY_CONFIG,
    width="stretch",
)
st.caption(
    "Depth: from the incision to the target point. Angle: between the corridor's axis and "
    "the front-to-back axis of the body. Exposure: the largest share of the target's "
    "surface facing the surgeon that can be seen down the corridor past every vessel and "
    "nerve, at its best step (it falls to 0 once the target has been removed)."
)

# --- Per approach: near structures, strengths, limits -----------------------------------

st.subheader("Approach by approach")
columns = st.columns(len(chosen), gap="large")
for col, a in zip(columns, chosen, strict=True):
    approach = approaches.approaches[a]
    with col:
        st.markdown(f"#### {approach.short_name}")
        near = near_working_corridor(metrics[a])
        st.markdown(f"**Within {NEAR_MM:g} mm of the working corridor**")
        if near:
            st.markdown(
                "\n".join(
                    f"- {names.get(sid, sid)}: "
                    + (f"inside the corridor ({d:.1f} mm)" if d <= 0 else f"{d:.1f} mm")
                    for sid, d in near
                )
            )
        else:
            st.markdown("No vessel, nerve or viscus.")
        st.markdown("**Strengths**")
        st.markdown("\n".join(f"- {s}" for s in approach.strengths) or "—")
        st.markdown("**Limits**")
        st.markdown("\n".join(f"- {s}" for s in approach.limits) or "—")
st.caption(
    "Near structures: vessels, nerves and viscera on this specimen, measured at the working "
    "step after its retractions; bones and muscles are left out. Strengths and limits are "
    "summarised from the published sources cited on each approach's page."
)
