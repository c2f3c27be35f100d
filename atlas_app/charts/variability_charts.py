"""Plotly figures and tables of the approaches across sampled specimens: pure builders, no
Streamlit. (d), (e) each watched family's gap to each corridor (its distribution, how often
within 5 mm); (f) each measure split by the variant that drives it. Input: a
:class:`~atlas_app.approaches.variability.Variability`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from atlas_app.approaches.metrics import NEAR_MM
from atlas_app.approaches.variability import WATCHED, Measure, Variability, measures
from atlas_app.charts.style import (
    BAND_PAD_MM,
    INSIDE_FILL,
    LINE_COLOR,
    approach_colors,
    display_name,
    threshold_lines,
)


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
            label = display_name(names, aid)
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
            row[display_name(names, aid)] = round(100 * variability.within(aid, family, NEAR_MM), 1)
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
                name=display_name(names, aid),
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
            groups = [(display_name(option_names, o), options == o) for o in sorted(driver.medians)]
        for label, mask in groups:
            row = f"{display_name(names, aid)} · {label}"
            rows.append(row)
            xs, shares = _distinct(np.where(mask, v, np.nan))
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=[row] * len(xs),
                    mode="markers",
                    name=display_name(names, aid),
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
        threshold_lines(fig, "x", (min(_x_values(fig), default=0.0), NEAR_MM))
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
                    f"{display_name(option_names, o)} {_shown(m, np.array(x)):.1f}"
                    for o, x in driver.medians.items()
                )
                drives = (
                    f"{display_name(group_names, driver.group)} ({driver.share:.0%} of the "
                    f"spread; medians: {medians})"
                )
            worst = variability.worst(aid, key)
            out.append(
                {
                    "Approach": display_name(names, aid),
                    "Measure": f"{m.label} ({m.unit})",
                    "Median": round(float(np.nanmedian(v)), 1),
                    "Range": f"{np.nanmin(v):.1f} to {np.nanmax(v):.1f}",
                    "Worst": None if worst is None else round(float(v[worst]), 1),
                    "Driven by": drives,
                }
            )
    return out
