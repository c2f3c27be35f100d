"""Risk across anatomical variation: each approach's corridor against many sampled bodies."""

from __future__ import annotations

from typing import Any

import streamlit as st

from atlas_app.approaches.api import mesh_vertices
from atlas_app.approaches.metrics import NEAR_MM
from atlas_app.approaches.variability import SHAFT_STOP_MM, Variability, run_variability
from atlas_app.charts.approach_charts import (
    variability_distributions,
    within_5mm,
    within_5mm_rows,
)
from atlas_app.ui.panels import show_faults
from atlas_app.ui.resources import approach_set, loaded_atlas, specimen

# Page keys (the lead moves them to ui/state.py).
VARIABILITY_N = "variability.n"
VARIABILITY_SEED = "variability.seed"
VARIABILITY_APPROACHES = "variability.approaches"
VARIABILITY_RUN = "variability.run"
VARIABILITY_LAST_RUN = "variability.last_run"  # (n, seed, approach ids) of the shown result

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

st.plotly_chart(variability_distributions(result, names), config=PLOTLY_CONFIG, width="stretch")
st.caption(
    "Gap between the structure and the wall of the working corridor, one value per sampled "
    "specimen. Box: middle half of the specimens, line at the median (dotted: mean), "
    "whiskers from the smallest to the largest gap. Dots: each distinct gap, larger when "
    "more specimens have it. Below 0 the structure reaches into the corridor (shaded); the "
    f"dashed line is {NEAR_MM:g} mm."
)
st.plotly_chart(within_5mm(result, names), config=PLOTLY_CONFIG, width="stretch")

st.markdown(f"**Specimens with the structure within {NEAR_MM:g} mm of the corridor (%)**")
st.dataframe(
    within_5mm_rows(result, names),
    hide_index=True,
    width="stretch",
    column_config={
        names[a]: st.column_config.NumberColumn(names[a], format="%.1f %%") for a in ids_run
    },
)

st.subheader("What this shows, and what it does not")
st.markdown(
    f"""
A textbook drawing shows one body. Here each approach is measured against
{result.n:,} bodies drawn from the published frequency of each variant (where the aorta
divides, where the iliac veins join, how the lumbosacral trunk forms, doubled or plexiform
roots, how many iliolumbar veins, how the genitofemoral nerve divides, an accessory obturator
nerve). The charts show how often, across that variation, the L5 root and lumbosacral trunk,
the obturator and genitofemoral nerves and the iliac veins come within {NEAR_MM:g} mm of
each approach's working corridor on the way to the target (the corridor is measured up to
{SHAFT_STOP_MM:g} mm short of the cement, where every approach works on the L5 root itself),
after the retractions of that step: a risk over a population, not the measure of one patient.
Negative distances mean the structure lies inside the corridor's path and has to be seen and
protected there.

**Limits.**
- Variant groups are sampled independently: no study reports how they occur together, so
  combinations that go together (or never do) in real bodies are mixed freely.
- The geometry is schematic: nerves and small vessels are authored from published relations
  on one registered CT, and the corridor is a cone from incision to target, not a retractor
  system in tissue that moves.
- Only the right-sided nerve variants are modelled, and one step of each approach is measured.
- A structure within {NEAR_MM:g} mm is a structure to look for and protect, not a predicted
  injury.
"""
)
