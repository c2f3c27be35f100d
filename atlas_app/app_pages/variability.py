"""Risk across anatomical variation: each approach's corridor against many sampled bodies."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from atlas_app.approaches.api import mesh_vertices
from atlas_app.approaches.metrics import NEAR_MM
from atlas_app.approaches.variability import (
    SHAFT_STOP_MM,
    Variability,
    measures,
    run_variability,
    specimen_spec,
)
from atlas_app.charts.variability_charts import measure_by_variant, variation_rows
from atlas_app.model.prevalence import spec_names
from atlas_app.ui.navigation import open_approach_step
from atlas_app.ui.panels import show_faults
from atlas_app.ui.resources import approach_set, loaded_atlas, specimen

# Page keys (the lead moves them to ui/state.py).
VARIABILITY_N = "variability.n"
VARIABILITY_SEED = "variability.seed"
VARIABILITY_APPROACHES = "variability.approaches"
VARIABILITY_RUN = "variability.run"
VARIABILITY_LAST_RUN = "variability.last_run"  # (n, seed, approach ids) of the shown result
VARIABILITY_MEASURE = "variability.measure"
VARIABILITY_WORST = "variability.worst"
VARIABILITY_OPEN_WORST = "variability.open_worst"

PLOTLY_CONFIG: dict[str, Any] = {"displaylogo": False}


@st.cache_data(max_entries=16, show_spinner=False)
def sampled_variability(n: int, seed: int, approach_ids: tuple[str, ...]) -> Variability:
    """Measure every approach's working step on ``n`` sampled specimens (atlas data only,
    the same for every user). The progress bar is drawn here, inside the cached function,
    so that a cache hit replays it (and its removal) instead of touching a bar it never
    made."""
    atlas = loaded_atlas().atlas
    base, _ = specimen("default")
    bar = st.progress(0.0, text=f"Measuring {n:,} sampled specimens…")
    shown = [-1]

    def report(fraction: float) -> None:
        pct = int(100 * fraction)
        if pct != shown[0]:  # one message per percent at most
            shown[0] = pct
            bar.progress(min(1.0, fraction), text=f"Measuring {n:,} sampled specimens… {pct} %")

    result = run_variability(
        atlas,
        approach_set(),
        approach_ids,
        mesh_vertices(atlas, base),
        n=n,
        seed=seed,
        progress=report,
    )
    bar.empty()
    return result


loaded = loaded_atlas()
atlas = loaded.atlas
approaches = approach_set()
show_faults(loaded)
if not approaches.approaches:
    st.error("No approach could be loaded.")
    st.stop()
all_ids = list(approaches.approaches)
short = {a: approaches.approaches[a].short_name for a in all_ids}

st.title("Risk across anatomical variation")
st.caption(
    "The atlas's specimens are drawn from the published prevalences of each variant; "
    "each approach's working corridor is measured against every one of them."
)

with st.form("variability.form", border=False):
    c1, c2, _ = st.columns([1, 1, 2], vertical_alignment="bottom")
    n = c1.number_input(
        "Specimens", min_value=100, max_value=5000, value=2000, step=100, key=VARIABILITY_N
    )
    seed = c2.number_input(
        "Seed",
        min_value=0,
        max_value=2**31 - 1,
        value=1,
        step=1,
        key=VARIABILITY_SEED,
        help="The same seed and number give the same specimens.",
    )
    chosen = st.multiselect(
        "Approaches",
        all_ids,
        default=all_ids,
        key=VARIABILITY_APPROACHES,
        format_func=lambda a: approaches.approaches[a].name,
    )
    run = st.form_submit_button(
        "Run", type="primary", icon=":material/play_arrow:", key=VARIABILITY_RUN
    )

if run:
    if not chosen:
        st.warning("Choose at least one approach.")
    else:
        ordered = tuple(a for a in all_ids if a in chosen)
        st.session_state[VARIABILITY_LAST_RUN] = (int(n), int(seed), ordered)

last = st.session_state.get(VARIABILITY_LAST_RUN)
if last is None:
    st.info(
        "Choose how many specimens to sample and press **Run**. 2,000 specimens take a few "
        "seconds; a setting already run is shown at once."
    )
    st.stop()

n_run, seed_run, ids_run = last
result = sampled_variability(n_run, seed_run, ids_run)
if (n_run, seed_run, set(ids_run)) != (int(n), int(seed), set(chosen)):
    st.caption("The settings above have changed: press **Run** to measure them.")

names = {a: short[a] for a in ids_run}
steps = approaches.approaches
measured = "; ".join(
    f"{short[a]}: “{next(s.title for s in steps[a].steps if s.id == result.step_ids[a])}”"
    for a in ids_run
)
st.markdown(
    f"**{result.n:,} specimens** (seed {result.seed}), **{result.unique_specimens:,} distinct "
    f"combinations of variants** measured. Step measured — {measured}."
)

group_names = {g.id: g.name for g in atlas.variant_groups.values()}
option_names = {o.id: o.name for g in atlas.variant_groups.values() for o in g.options}
st.markdown(
    "**What varies, and what drives it.** Each measure on each specimen: the median, the "
    "range, the worst value, and the variant that explains most of its spread (the share of "
    "the spread that lies between that variant's options)."
)
st.dataframe(
    variation_rows(result, names, group_names=group_names, option_names=option_names),
    hide_index=True,
    width="stretch",
)
if any(result.uncleared.values()):
    st.caption(
        "Retraction needed: "
        + "; ".join(
            f"in {k:,} specimens no move of one of the {names[a]} blades clears the path "
            "(a part in it lies beyond the blade's reach, or the step works through it)"
            for a, k in result.uncleared.items()
            if k
        )
        + "."
    )

all_measures = measures()
shown = [m for m in all_measures if any(not np.isnan(result.values(a, m)).all() for a in ids_run)]
measure = st.selectbox(
    "Measure",
    shown,
    format_func=lambda m: f"{all_measures[m].label} ({all_measures[m].unit})",
    key=VARIABILITY_MEASURE,
)
st.plotly_chart(
    measure_by_variant(
        result,
        measure,
        names,
        option_names={
            o.id: f"{g.name}: {o.name}" for g in atlas.variant_groups.values() for o in g.options
        },
    ),
    config=PLOTLY_CONFIG,
    width="stretch",
)
st.caption(
    "One row per approach and option of the variant that drives the measure most; a dot "
    "per distinct value, larger when more specimens have it. For a gap, below 0 the "
    f"structure reaches into the corridor (shaded); the dashed line is {NEAR_MM:g} mm."
)

st.subheader("Open the worst specimen")
worst = [
    (a, measure_key)
    for a in ids_run
    for measure_key in shown
    if result.worst(a, measure_key) is not None and result.driver(a, measure_key) is not None
]
if not worst:
    st.caption("No measure varies between the sampled specimens.")
else:
    a, measure_key = st.selectbox(
        "Worst specimen for",
        worst,
        format_func=lambda p: f"{names[p[0]]}: {all_measures[p[1]].label}",
        key=VARIABILITY_WORST,
    )
    index = result.worst(a, measure_key)
    assert index is not None  # listed above only when it has one
    spec = specimen_spec(atlas, result, index)
    value = result.values(a, measure_key)[index]
    m = all_measures[measure_key]
    shown_value = 100 * value if m.unit == "%" else value
    st.markdown(
        f"Specimen {index + 1:,} of {result.n:,}: **{spec_names(atlas, spec)}** — "
        f"{m.label.lower()} {shown_value:.1f} {m.unit}, at step "
        f"“{next(s.title for s in steps[a].steps if s.id == result.step_ids[a])}”."
    )
    if st.button(
        "Open it on the Approaches page",
        icon=":material/open_in_new:",
        key=VARIABILITY_OPEN_WORST,
    ):
        step_index = next(i for i, s in enumerate(steps[a].steps) if s.id == result.step_ids[a])
        open_approach_step(atlas, spec, a, step_index)

st.subheader("What this shows, and what it does not")
st.markdown(
    f"""
A textbook drawing shows one body. Here each approach is measured against
{result.n:,} bodies drawn from the published frequency of each variant (where the aorta
divides and the iliac veins join, how the lumbosacral trunk forms, doubled or plexiform
roots, how many iliolumbar veins, how the genitofemoral nerve divides, an accessory obturator
nerve), at the step named above, after that step's retractions. Three things are measured:
how close the L5 root and lumbosacral trunk, the obturator and genitofemoral nerves and the
iliac veins come to the working corridor on the way to the target (measured up to
{SHAFT_STOP_MM:g} mm short of the cement, where every approach works on the L5 root itself;
below 0 the structure lies in the path and has to be seen and protected there); how far the
step's blades would have to move their tissue to clear the path; and how much the retraction
stretches a tributary still joined to a moved vein. The anatomy varies in steps (a variant is
present or not), so each measure takes a few values: the chart shows which variant moves it
and by how much. This is a risk over a population, not the measure of one patient.

**Limits.**
- Variant groups are sampled independently: no study reports how they occur together, so
  combinations that go together (or never do) in real bodies are mixed freely.
- The geometry is partly schematic: the roots, the trunk and small vessels are authored from
  published relations on one adult body, and the corridor is a cone from incision to target,
  not a retractor system in tissue that moves; the amounts of retraction are this atlas's
  reading.
- Only the right-sided nerve variants are modelled, and one step of each approach is measured.
- A structure within {NEAR_MM:g} mm is a structure to look for and protect, not a predicted
  injury.
"""
)
