"""Plotly figures that compare the approaches: pure builders, no Streamlit.

Inputs are the plain metrics of :func:`atlas_app.approaches.api.measure_approach` (one dict
per approach, keyed by approach id) and a :class:`~atlas_app.approaches.variability.Variability`.
Each approach keeps one colour everywhere (Okabe-Ito palette, safe for colour-blind readers);
every bar also carries its value as text, so colour is never the only cue.

Distances are gaps between a structure and the wall of the working corridor: negative means
the structure reaches into the corridor, 0 is the wall, 5 mm is the "near" threshold of
:data:`atlas_app.approaches.metrics.NEAR_MM`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from atlas_app.approaches.metrics import NEAR_MM
from atlas_app.approaches.schema import PHASES
from atlas_app.approaches.variability import WATCHED, Measure, Variability, measures

Metrics = Mapping[str, Any]  # one approach's metrics (DESIGN §5 shape)
MetricsByApproach = Mapping[str, Metrics]  # approach id → metrics

APPROACH_COLORS: dict[str, str] = {
    "anterior_retroperitoneal_transpsoas": "#0072B2",  # blue
    "interaortic": "#D55E00",  # vermillion
    "iliac_retraction": "#009E73",  # bluish green
}
OTHER_COLORS: tuple[str, ...] = ("#CC79A7", "#E69F00", "#56B4E9", "#000000")
KEY_STRUCTURES: tuple[str, ...] = (
    "l5_ventral_ramus_right",
    "lumbosacral_trunk_right",
    "obturator_nerve_right",
    "genitofemoral_nerve_right",
    "femoral_nerve_right",
    "sympathetic_trunk_right",
    "superior_hypogastric_plexus",
    "common_iliac_artery_right",
    "common_iliac_vein_right",
    "external_iliac_vein_right",
    "internal_iliac_vein_right",
    "iliolumbar_vein_right",
    "ureter_right",
)
"""The right-sided nerves and vessels at stake: what the Compare page and a case's distance
chart show when no structure is chosen."""

PHASE_LABELS: dict[str, str] = {
    "preparation": "Preparation",
    "exposure": "Exposure",
    "retraction": "Retraction",
    "target": "At the target",
    "closure": "Closure",
}
INSIDE_FILL = "rgba(213, 94, 0, 0.08)"  # the band of negative gaps: inside the corridor
LINE_COLOR = "#555555"
BAND_PAD_MM = 2.0  # the shaded band reaches this far below the lowest value shown


def approach_colors(approach_ids: Sequence[str]) -> dict[str, str]:
    """A fixed colour per known approach; others get the remaining colours in order."""
    spare = iter(OTHER_COLORS)
    out: dict[str, str] = {}
    for aid in approach_ids:
        out[aid] = APPROACH_COLORS.get(aid) or next(spare, "#777777")
    return out


def _name(names: Mapping[str, str] | None, key: str) -> str:
    return names.get(key, key) if names else key


# --- Reading the metrics ---------------------------------------------------------------


def working_step_index(metrics: Metrics) -> int | None:
    """Index of the step measured as "the working corridor": the last step of the target
    phase if it has a corridor, else the last step with a corridor (None if none has)."""
    steps = metrics["steps"]
    targets = [i for i, s in enumerate(steps) if s["phase"] == "target"]
    if targets and steps[targets[-1]]["corridor"] is not None:
        return targets[-1]
    with_corridor = [i for i, s in enumerate(steps) if s["corridor"] is not None]
    return with_corridor[-1] if with_corridor else None


def working_step_metrics(metrics: Metrics) -> Metrics | None:
    i = working_step_index(metrics)
    return None if i is None else metrics["steps"][i]


def steps_by_phase(
    metrics_by_approach: MetricsByApproach,
) -> dict[str, dict[str, list[tuple[int, str]]]]:
    """phase → approach id → [(step number from 1, title), …] in the approach's order."""
    table: dict[str, dict[str, list[tuple[int, str]]]] = {
        p: {a: [] for a in metrics_by_approach} for p in PHASES
    }
    for aid, m in metrics_by_approach.items():
        for i, s in enumerate(m["steps"]):
            table[s["phase"]][aid].append((i + 1, s["title"]))
    return table


def phase_slots(
    metrics_by_approach: MetricsByApproach,
) -> tuple[list[str], dict[str, list[str]]]:
    """Phase-aligned x labels: each phase gets as many slots as its longest approach has
    steps in it ("Exposure 1", "Exposure 2", …; just "Closure" when one is enough).
    Returns every slot in order, and for each approach the slot of each of its steps."""
    table = steps_by_phase(metrics_by_approach)
    slots: list[str] = []
    of_step: dict[str, list[str]] = {a: [] for a in metrics_by_approach}
    labels: dict[tuple[str, int], str] = {}
    for p in PHASES:
        width = max((len(v) for v in table[p].values()), default=0)
        for k in range(width):
            label = PHASE_LABELS[p] if width == 1 else f"{PHASE_LABELS[p]} {k + 1}"
            labels[(p, k)] = label
            slots.append(label)
    for aid, m in metrics_by_approach.items():
        seen: dict[str, int] = {}
        for s in m["steps"]:
            k = seen.get(s["phase"], 0)
            seen[s["phase"]] = k + 1
            of_step[aid].append(labels[(s["phase"], k)])
    return slots, of_step


def structure_distance(step: Metrics, structure_id: str) -> float | None:
    """A structure's gap to the corridor in one step; None without corridor or structure."""
    v = step["structures"].get(structure_id)
    return None if v is None else v["distance_mm"]


def near_working_corridor(metrics: Metrics) -> list[tuple[str, float]]:
    """Vessels, nerves and viscera within 5 mm of the working corridor, nearest first."""
    step = working_step_metrics(metrics)
    if step is None:
        return []
    found = []
    for sid in step["near"]:
        d = structure_distance(step, sid)
        if d is not None:
            found.append((sid, float(d)))
    return sorted(found, key=lambda t: (t[1], t[0]))


def best_exposure(metrics: Metrics) -> tuple[float, str | None]:
    """The largest fraction of the target's facing surface exposed at any step, and the
    title of that step (the target itself is gone once it has been removed)."""
    best, title = 0.0, None
    for s in metrics["steps"]:
        if s["target_exposed_fraction"] > best:
            best, title = float(s["target_exposed_fraction"]), s["title"]
    return best, title


# --- (a) distances from the working corridor --------------------------------------------


def _threshold_lines(fig: go.Figure, axis: str, span: tuple[float, float]) -> None:
    """Shade the inside of the corridor and mark the wall (0) and the 5 mm line."""
    lo = min(span[0], 0.0) - BAND_PAD_MM
    if axis == "x":
        fig.add_vrect(x0=lo, x1=0.0, fillcolor=INSIDE_FILL, line_width=0, layer="below")
        fig.add_vline(x=0.0, line_color=LINE_COLOR, line_width=1.5)
        fig.add_vline(x=NEAR_MM, line_color=LINE_COLOR, line_width=1.5, line_dash="dash")
    else:
        fig.add_hrect(y0=lo, y1=0.0, fillcolor=INSIDE_FILL, line_width=0, layer="below")
        fig.add_hline(y=0.0, line_color=LINE_COLOR, line_width=1.5)
        fig.add_hline(y=NEAR_MM, line_color=LINE_COLOR, line_width=1.5, line_dash="dash")


def corridor_distances(
    metrics_by_approach: MetricsByApproach,
    structure_ids: Sequence[str],
    names: Mapping[str, str],
    *,
    approach_names: Mapping[str, str] | None = None,
) -> go.Figure:
    """Grouped horizontal bars: each structure's gap to each approach's working corridor.

    One trace per approach (its colour), one bar per structure; a structure divided or
    absent at that step has no bar (its hover text says so)."""
    colors = approach_colors(list(metrics_by_approach))
    labels = [_name(names, s) for s in structure_ids]
    fig = go.Figure()
    values: list[float] = []
    for aid, m in metrics_by_approach.items():
        step = working_step_metrics(m)
        xs: list[float | None] = []
        for sid in structure_ids:
            d = None if step is None else structure_distance(step, sid)
            xs.append(d)
            if d is not None:
                values.append(float(d))
        step_title = step["title"] if step is not None else "no corridor"
        fig.add_trace(
            go.Bar(
                x=xs,
                y=labels,
                orientation="h",
                name=_name(approach_names, aid),
                marker_color=colors[aid],
                text=[None if x is None else f"{x:.1f}" for x in xs],
                textposition="outside",
                cliponaxis=False,
                customdata=[step_title] * len(xs),
                hovertemplate="%{y}: %{x:.1f} mm<br>step: %{customdata}<extra>%{fullData.name}"
                "</extra>",
            )
        )
    span = (min(values, default=0.0), max(values, default=NEAR_MM))
    _threshold_lines(fig, "x", span)
    fig.add_annotation(
        x=0.0,
        y=1.0,
        yref="paper",
        text="corridor wall",
        showarrow=False,
        xanchor="right",
        yanchor="bottom",
        font_size=11,
    )
    fig.add_annotation(
        x=NEAR_MM,
        y=1.0,
        yref="paper",
        text="5 mm",
        showarrow=False,
        xanchor="left",
        yanchor="bottom",
        font_size=11,
    )
    fig.update_layout(
        title={"text": "Distance from each working corridor to key structures"},
        barmode="group",
        xaxis_title="Gap to the corridor wall (mm; below 0 = inside the corridor)",
        yaxis={"autorange": "reversed", "title": None},
        legend_title_text="Approach",
        height=140 + len(structure_ids) * (14 * max(1, len(metrics_by_approach)) + 12),
        margin={"l": 10, "r": 30, "t": 70, "b": 50},
    )
    return fig


# --- (b) one structure, step by step ----------------------------------------------------


def step_profile(
    metrics_by_approach: MetricsByApproach,
    structure_id: str,
    name: str,
    *,
    approach_names: Mapping[str, str] | None = None,
) -> go.Figure:
    """The gap from one structure to the corridor at every step, steps aligned by phase.
    Steps without a corridor, or without the structure, leave a gap in the line."""
    colors = approach_colors(list(metrics_by_approach))
    slots, of_step = phase_slots(metrics_by_approach)
    fig = go.Figure()
    values: list[float] = []
    for aid, m in metrics_by_approach.items():
        ys: list[float | None] = []
        for s in m["steps"]:
            d = structure_distance(s, structure_id)
            ys.append(d)
            if d is not None:
                values.append(float(d))
        fig.add_trace(
            go.Scatter(
                x=of_step[aid],
                y=ys,
                mode="lines+markers",
                name=_name(approach_names, aid),
                line={"color": colors[aid], "width": 2.5},
                marker={"size": 9},
                connectgaps=False,
                customdata=[s["title"] for s in m["steps"]],
                hovertemplate="%{customdata}<br>%{y:.1f} mm<extra>%{fullData.name}</extra>",
            )
        )
    _threshold_lines(fig, "y", (min(values, default=0.0), max(values, default=NEAR_MM)))
    fig.update_layout(
        title={"text": f"{name}: distance to the corridor, step by step"},
        xaxis={
            "title": "Step (aligned by phase)",
            "categoryorder": "array",
            "categoryarray": slots,
            "type": "category",
        },
        yaxis_title="Gap to the corridor wall (mm)",
        legend_title_text="Approach",
        height=420,
        margin={"l": 10, "r": 10, "t": 60, "b": 90},
    )
    return fig


# --- (c) the corridors themselves -------------------------------------------------------


def corridor_summary(
    metrics_by_approach: MetricsByApproach,
    *,
    approach_names: Mapping[str, str] | None = None,
) -> go.Figure:
    """Depth, angle of attack (from the anteroposterior axis) and best target exposure of
    each approach's working corridor, side by side."""
    ids = list(metrics_by_approach)
    colors = approach_colors(ids)
    labels = [_name(approach_names, a) for a in ids]
    depth: list[float | None] = []
    angle: list[float | None] = []
    exposure: list[float | None] = []
    exposure_step: list[str] = []
    for aid in ids:
        step = working_step_metrics(metrics_by_approach[aid])
        corridor = None if step is None else step["corridor"]
        depth.append(None if corridor is None else corridor["depth_mm"])
        angle.append(None if corridor is None else corridor["angle_deg"])
        best, title = best_exposure(metrics_by_approach[aid])
        exposure.append(round(100 * best, 1))
        exposure_step.append(title or "none")
    fig = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=(
            "Depth, incision to target (mm)",
            "Angle from the AP axis (°)",
            "Target surface exposed (%)",
        ),
        horizontal_spacing=0.1,
    )
    marker = {"color": [colors[a] for a in ids]}
    panels: list[tuple[list[float | None], str]] = [(depth, "mm"), (angle, "°"), (exposure, "%")]
    for col, (values, unit) in enumerate(panels, start=1):
        extra = exposure_step if col == 3 else ["working corridor"] * len(ids)
        fig.add_trace(
            go.Bar(
                x=labels,
                y=values,
                marker=marker,
                text=[None if v is None else f"{v:.0f} {unit}" for v in values],
                textposition="outside",
                cliponaxis=False,
                customdata=extra,
                hovertemplate=f"%{{x}}: %{{y:.1f}} {unit}<br>%{{customdata}}<extra></extra>",
                showlegend=False,
            ),
            row=1,
            col=col,
        )
    fig.update_yaxes(title_text="mm", row=1, col=1, rangemode="tozero")
    fig.update_yaxes(title_text="°", row=1, col=2, rangemode="tozero")
    fig.update_yaxes(title_text="%", row=1, col=3, range=[0, 105])
    fig.update_layout(
        title={"text": "The working corridors: depth, angle of attack, target exposure"},
        height=400,
        margin={"l": 10, "r": 10, "t": 90, "b": 40},
    )
    return fig


# --- (d), (e) across sampled specimens ---------------------------------------------------


def _family_labels(families: Mapping[str, str] | None) -> dict[str, str]:
    return dict(families) if families else {f: label for f, (label, _) in WATCHED.items()}


def distribution_stats(values: np.ndarray) -> dict[str, float] | None:
    """Quartiles, mean and range of the finite values (None if there are none)."""
    v = values[~np.isnan(values)]
    if v.size == 0:
        return None
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    return {
        "min": float(v.min()),
        "q1": float(q1),
        "median": float(med),
        "q3": float(q3),
        "max": float(v.max()),
        "mean": float(v.mean()),
        "present": float(v.size / values.size),
    }


def _distinct(values: np.ndarray) -> tuple[list[float], list[float]]:
    """Distinct values (to 0.1 mm) and the share of all specimens at each."""
    v = np.round(values[~np.isnan(values)], 1)
    if v.size == 0:
        return [], []
    uniq, counts = np.unique(v, return_counts=True)
    return [float(u) for u in uniq], [float(c / values.size) for c in counts]


def variability_distributions(
    variability: Variability,
    names: Mapping[str, str] | None = None,
    *,
    families: Mapping[str, str] | None = None,
) -> go.Figure:
    """Per watched family, the distribution of its gap to each approach's corridor across
    the sampled specimens: a box (quartiles, whiskers at the smallest and largest value)
    and a dot for each distinct value, sized by the share of specimens that have it."""
    fams = _family_labels(families)
    ids = list(variability.approach_ids)
    colors = approach_colors(ids)
    cols = 2 if len(fams) > 1 else 1
    rows = math.ceil(len(fams) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=list(fams.values()),
        vertical_spacing=0.16,
        horizontal_spacing=0.1,
    )
    lowest: dict[str, float] = {}
    for i, family in enumerate(fams):
        row, col = i // cols + 1, i % cols + 1
        for aid in ids:
            label = _name(names, aid)
            d = np.asarray(variability.distances[aid][family], dtype=float)
            stats = distribution_stats(d)
            if stats is None:
                continue
            lowest[family] = min(lowest.get(family, 0.0), stats["min"])
            fig.add_trace(
                go.Box(
                    x=[label],
                    q1=[stats["q1"]],
                    median=[stats["median"]],
                    q3=[stats["q3"]],
                    lowerfence=[stats["min"]],
                    upperfence=[stats["max"]],
                    mean=[stats["mean"]],
                    name=label,
                    legendgroup=aid,
                    showlegend=i == 0,
                    marker_color=colors[aid],
                    line_color=colors[aid],
                    fillcolor="rgba(0,0,0,0)",
                    hoverinfo="y",
                ),
                row=row,
                col=col,
            )
            ys, shares = _distinct(d)
            fig.add_trace(
                go.Scatter(
                    x=[label] * len(ys),
                    y=ys,
                    mode="markers",
                    name=label,
                    legendgroup=aid,
                    showlegend=False,
                    marker={
                        "color": colors[aid],
                        "opacity": 0.55,
                        "size": [6 + 22 * math.sqrt(s) for s in shares],
                        "line": {"width": 0},
                    },
                    customdata=[100 * s for s in shares],
                    hovertemplate="%{y:.1f} mm in %{customdata:.1f} % of specimens"
                    "<extra>%{fullData.name}</extra>",
                ),
                row=row,
                col=col,
            )
    for i, family in enumerate(fams):
        row, col = i // cols + 1, i % cols + 1
        fig.add_hrect(
            y0=lowest.get(family, 0.0) - BAND_PAD_MM,
            y1=0.0,
            fillcolor=INSIDE_FILL,
            line_width=0,
            layer="below",
            row=row,
            col=col,
        )
        fig.add_hline(y=0.0, line_color=LINE_COLOR, line_width=1.2, row=row, col=col)
        fig.add_hline(
            y=NEAR_MM, line_color=LINE_COLOR, line_width=1.2, line_dash="dash", row=row, col=col
        )
        fig.update_yaxes(title_text="gap (mm)", row=row, col=col)
    fig.update_layout(
        title={"text": f"Gap to the corridor across {variability.n:,} sampled specimens"},
        legend_title_text="Approach",
        height=330 * rows + 80,
        margin={"l": 10, "r": 10, "t": 90, "b": 40},
    )
    return fig


def within_5mm_rows(
    variability: Variability,
    names: Mapping[str, str] | None = None,
    *,
    families: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One row per family: its label, then for each approach the % of specimens (among
    those that have the family) in which it comes within 5 mm of the corridor."""
    out = []
    for family, label in _family_labels(families).items():
        row: dict[str, Any] = {"Structure": label}
        for aid in variability.approach_ids:
            row[_name(names, aid)] = round(100 * variability.within(aid, family, NEAR_MM), 1)
        out.append(row)
    return out


def within_5mm(
    variability: Variability,
    names: Mapping[str, str] | None = None,
    *,
    families: Mapping[str, str] | None = None,
) -> go.Figure:
    """Grouped bars: % of sampled specimens in which each family comes within 5 mm of
    each approach's working corridor."""
    fams = _family_labels(families)
    ids = list(variability.approach_ids)
    colors = approach_colors(ids)
    fig = go.Figure()
    for aid in ids:
        pct = [round(100 * variability.within(aid, f, NEAR_MM), 1) for f in fams]
        fig.add_trace(
            go.Bar(
                x=list(fams.values()),
                y=pct,
                name=_name(names, aid),
                marker_color=colors[aid],
                text=[f"{p:.0f} %" for p in pct],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{x}: %{y:.1f} % of specimens<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        title={"text": f"Within 5 mm of the corridor, in {variability.n:,} sampled specimens"},
        barmode="group",
        xaxis_title=None,
        yaxis={"title": "% of sampled specimens", "range": [0, 110]},
        legend_title_text="Approach",
        height=420,
        margin={"l": 10, "r": 10, "t": 70, "b": 40},
    )
    return fig


# --- (f) what varies, by the variant that drives it ----------------------------------------


def _shown(measure: Measure, values: np.ndarray) -> np.ndarray:
    """Values in the unit shown (a strain is kept as a fraction, shown in %)."""
    return 100 * values if measure.unit == "%" else values


def measure_by_variant(
    variability: Variability,
    measure: str,
    names: Mapping[str, str] | None = None,
    *,
    option_names: Mapping[str, str] | None = None,
) -> go.Figure:
    """One measure across the sampled specimens, split for each approach by the options of
    the variant group that drives it most: a row per (approach, option), a dot per distinct
    value sized by the share of specimens with it, the option's median marked."""
    m = measures()[measure]
    ids = list(variability.approach_ids)
    colors = approach_colors(ids)
    rows: list[str] = []
    fig = go.Figure()
    for aid in ids:
        raw = variability.values(aid, measure)
        if np.isnan(raw).all():
            continue
        v = _shown(m, raw)
        driver = variability.driver(aid, measure)
        if driver is None:
            groups = [("every specimen", np.ones(len(v), dtype=bool))]
        else:
            options = np.array([c[driver.group] for c in variability.choices], dtype=object)
            groups = [(_name(option_names, o), options == o) for o in sorted(driver.medians)]
        for label, mask in groups:
            row = f"{_name(names, aid)} · {label}"
            rows.append(row)
            xs, shares = _distinct(np.where(mask, v, np.nan))
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=[row] * len(xs),
                    mode="markers",
                    name=_name(names, aid),
                    legendgroup=aid,
                    showlegend=False,
                    marker={
                        "color": colors[aid],
                        "opacity": 0.6,
                        "size": [6 + 22 * math.sqrt(s) for s in shares],
                        "line": {"width": 0},
                    },
                    customdata=[100 * s for s in shares],
                    hovertemplate=f"%{{x:.1f}} {m.unit} in %{{customdata:.1f}} % of all "
                    "specimens<extra>%{y}</extra>",
                )
            )
    fig.update_layout(
        title={"text": f"{m.label} ({m.unit}), across {variability.n:,} sampled specimens"},
        xaxis_title=f"{m.label} ({m.unit})",
        yaxis={"autorange": "reversed", "type": "category", "categoryarray": rows},
        height=120 + 34 * max(1, len(rows)),
        margin={"l": 10, "r": 20, "t": 60, "b": 50},
        showlegend=False,
    )
    if m.unit == "mm" and measure in WATCHED:
        _threshold_lines(fig, "x", (min(_x_values(fig), default=0.0), NEAR_MM))
    return fig


def _x_values(fig: go.Figure) -> list[float]:
    return [float(x) for t in fig.data for x in (t.x or ())]


def variation_rows(
    variability: Variability,
    names: Mapping[str, str] | None = None,
    *,
    group_names: Mapping[str, str] | None = None,
    option_names: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One row per approach and measure that applies to it: median, range, the worst
    value, and the variant group that drives it (with the share of the variance between
    its options, and its options' medians)."""
    out = []
    for aid in variability.approach_ids:
        for key, m in measures().items():
            raw = variability.values(aid, key)
            if np.isnan(raw).all():
                continue
            v = _shown(m, raw)
            driver = variability.driver(aid, key)
            if driver is None:
                drives = "nothing: the same in every specimen"
            else:
                medians = ", ".join(
                    f"{_name(option_names, o)} {_shown(m, np.array(x)):.1f}"
                    for o, x in driver.medians.items()
                )
                drives = (
                    f"{_name(group_names, driver.group)} ({driver.share:.0%} of the "
                    f"spread; medians: {medians})"
                )
            worst = variability.worst(aid, key)
            out.append(
                {
                    "Approach": _name(names, aid),
                    "Measure": f"{m.label} ({m.unit})",
                    "Median": round(float(np.nanmedian(v)), 1),
                    "Range": f"{np.nanmin(v):.1f} to {np.nanmax(v):.1f}",
                    "Worst": None if worst is None else round(float(v[worst]), 1),
                    "Driven by": drives,
                }
            )
    return out
