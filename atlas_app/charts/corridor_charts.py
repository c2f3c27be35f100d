"""Plotly figures that compare the approaches' corridors on one specimen: pure builders, no
Streamlit. (a) each structure's gap to each working corridor, (b) one structure step by
step, (c) the corridors themselves (depth, angle, exposure). The metrics they read:
:mod:`.reading`; the shared colours and shading: :mod:`.style`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from atlas_app.approaches.metrics import NEAR_MM
from atlas_app.charts.reading import (
    MetricsByApproach,
    best_exposure,
    phase_slots,
    structure_distance,
    working_step_metrics,
)
from atlas_app.charts.style import approach_colors, display_name, threshold_lines


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
    labels = [display_name(names, s) for s in structure_ids]
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
                name=display_name(approach_names, aid),
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
    threshold_lines(fig, "x", span)
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
                name=display_name(approach_names, aid),
                line={"color": colors[aid], "width": 2.5},
                marker={"size": 9},
                connectgaps=False,
                customdata=[s["title"] for s in m["steps"]],
                hovertemplate="%{customdata}<br>%{y:.1f} mm<extra>%{fullData.name}</extra>",
            )
        )
    threshold_lines(fig, "y", (min(values, default=0.0), max(values, default=NEAR_MM)))
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
    labels = [display_name(approach_names, a) for a in ids]
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
