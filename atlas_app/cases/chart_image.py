"""A chart slide's data drawn with matplotlib as PNG or SVG, for the exports.

The same charts as :func:`atlas_app.cases.charts.chart_figure` draws with plotly for a page.
Plotly's own image export needs kaleido and a Chromium browser on the server (it works on a
machine with Debian's chromium, but the app's host has none and must not download one);
matplotlib is already a dependency, draws in milliseconds and needs nothing else.
"""

from __future__ import annotations

import io
import math

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from atlas_app.approaches.metrics import NEAR_MM
from atlas_app.approaches.variability import WATCHED, Variability
from atlas_app.cases.charts import ChartData
from atlas_app.cases.model import CorridorDistances, StepProfile, VariabilityChart
from atlas_app.charts.reading import (
    best_exposure,
    phase_slots,
    structure_distance,
    working_step_metrics,
)
from atlas_app.charts.style import BAND_PAD_MM, approach_colors
from atlas_app.charts.variability_charts import distribution_stats

_INSIDE = (213 / 255, 94 / 255, 0.0, 0.10)
_LINE = "#555555"
_FONT = 9.5


def _thresholds(ax: Axes, axis: str, lowest: float) -> None:
    lo = min(lowest, 0.0) - BAND_PAD_MM
    if axis == "x":
        ax.axvspan(lo, 0.0, color=_INSIDE, lw=0, zorder=0)
        ax.axvline(0.0, color=_LINE, lw=1.2, zorder=1)
        ax.axvline(NEAR_MM, color=_LINE, lw=1.2, ls="--", zorder=1)
    else:
        ax.axhspan(lo, 0.0, color=_INSIDE, lw=0, zorder=0)
        ax.axhline(0.0, color=_LINE, lw=1.2, zorder=1)
        ax.axhline(NEAR_MM, color=_LINE, lw=1.2, ls="--", zorder=1)


def _style(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=_FONT)
    ax.grid(axis="both", color="#e6e8ee", lw=0.6, zorder=0)
    ax.set_axisbelow(True)


def _draw_distances(fig: Figure, data: ChartData) -> None:
    ax = fig.add_subplot()
    metrics = data.metrics or {}
    colors = approach_colors(list(data.approach_ids))
    k = max(1, len(data.approach_ids))
    height = 0.8 / k
    values: list[float] = []
    for j, a in enumerate(data.approach_ids):
        step = working_step_metrics(metrics[a])
        for i, sid in enumerate(data.structures):
            d = None if step is None else structure_distance(step, sid)
            y = i - 0.4 + height * (j + 0.5)
            if d is None:
                ax.text(0.3, y, "—", va="center", fontsize=_FONT - 1, color="#777777")
                continue
            values.append(float(d))
            ax.barh(y, d, height=height * 0.92, color=colors[a], zorder=2)
            ax.text(
                d + (0.3 if d >= 0 else -0.3),
                y,
                f"{d:.1f}",
                va="center",
                ha="left" if d >= 0 else "right",
                fontsize=_FONT - 1.5,
                zorder=3,
            )
    _thresholds(ax, "x", min(values, default=0.0))
    ax.set_yticks(range(len(data.structures)), [data.names.get(s, s) for s in data.structures])
    ax.invert_yaxis()
    ax.set_xlabel("Gap to the corridor wall (mm; below 0 = inside the corridor)", fontsize=_FONT)
    _legend(ax, data)
    _style(ax)


def _legend(ax: Axes, data: ChartData) -> None:
    from matplotlib.patches import Patch

    colors = approach_colors(list(data.approach_ids))
    handles = [Patch(color=colors[a], label=data.approach_names[a]) for a in data.approach_ids]
    ax.legend(
        handles=handles,
        title="Approach",
        fontsize=_FONT - 0.5,
        title_fontsize=_FONT,
        frameon=False,
        loc="best",
    )


def _draw_profile(fig: Figure, data: ChartData, chart: StepProfile) -> None:
    ax = fig.add_subplot()
    metrics = data.metrics or {}
    colors = approach_colors(list(data.approach_ids))
    slots, of_step = phase_slots({a: metrics[a] for a in data.approach_ids})
    where = {label: i for i, label in enumerate(slots)}
    values: list[float] = []
    for a in data.approach_ids:
        xs = [where[label] for label in of_step[a]]
        ys = []
        for s in metrics[a]["steps"]:
            d = structure_distance(s, chart.structure)
            ys.append(float("nan") if d is None else float(d))
            if d is not None:
                values.append(float(d))
        ax.plot(
            xs,
            ys,
            marker="o",
            lw=2.2,
            ms=6,
            color=colors[a],
            zorder=3,
            label=data.approach_names[a],
        )
    _thresholds(ax, "y", min(values, default=0.0))
    ax.set_xticks(range(len(slots)), slots, rotation=35, ha="right")
    ax.set_xlabel("Step (aligned by phase)", fontsize=_FONT)
    ax.set_ylabel("Gap to the corridor wall (mm)", fontsize=_FONT)
    _legend(ax, data)
    _style(ax)


def _draw_summary(fig: Figure, data: ChartData) -> None:
    metrics = data.metrics or {}
    colors = approach_colors(list(data.approach_ids))
    labels = [data.approach_names[a] for a in data.approach_ids]
    depth, angle, exposure = [], [], []
    for a in data.approach_ids:
        step = working_step_metrics(metrics[a])
        corridor = None if step is None else step["corridor"]
        depth.append(float("nan") if corridor is None else corridor["depth_mm"])
        angle.append(float("nan") if corridor is None else corridor["angle_deg"])
        exposure.append(100 * best_exposure(metrics[a])[0])
    panels = [
        (depth, "Depth, incision to target (mm)", "mm"),
        (angle, "Angle from the AP axis (°)", "°"),
        (exposure, "Target surface exposed (%)", "%"),
    ]
    axes = fig.subplots(1, 3)
    for ax, (values, title, unit) in zip(axes, panels, strict=True):
        bars = ax.bar(labels, values, color=[colors[a] for a in data.approach_ids], zorder=2)
        for bar, v in zip(bars, values, strict=True):
            if not math.isnan(v):
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    v,
                    f"{v:.0f} {unit}",
                    ha="center",
                    va="bottom",
                    fontsize=_FONT - 1,
                )
        ax.set_title(title, fontsize=_FONT + 0.5)
        ax.set_ylim(
            0, 105 if unit == "%" else max([v for v in values if not math.isnan(v)] or [1.0]) * 1.18
        )
        ax.tick_params(axis="x", labelrotation=20)
        _style(ax)


def _draw_within(fig: Figure, data: ChartData, v: Variability) -> None:
    ax = fig.add_subplot()
    colors = approach_colors(list(data.approach_ids))
    families = list(WATCHED)
    k = max(1, len(data.approach_ids))
    width = 0.8 / k
    for j, a in enumerate(data.approach_ids):
        pct = [100 * v.within(a, f, NEAR_MM) for f in families]
        xs = [i - 0.4 + width * (j + 0.5) for i in range(len(families))]
        ax.bar(xs, pct, width=width * 0.92, color=colors[a], zorder=2)
        for x, p in zip(xs, pct, strict=True):
            ax.text(x, p + 1, f"{p:.0f} %", ha="center", va="bottom", fontsize=_FONT - 1.5)
    ax.set_xticks(range(len(families)), [WATCHED[f][0] for f in families])
    ax.set_ylim(0, 110)
    ax.set_ylabel("% of sampled specimens", fontsize=_FONT)
    _legend(ax, data)
    _style(ax)


def _draw_distributions(fig: Figure, data: ChartData, v: Variability) -> None:
    colors = approach_colors(list(data.approach_ids))
    families = list(WATCHED)
    cols = 2 if len(families) > 1 else 1
    rows = math.ceil(len(families) / cols)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    labels = [data.approach_names[a] for a in data.approach_ids]
    for ax, f in zip(axes, families, strict=False):
        lowest = 0.0
        for i, a in enumerate(data.approach_ids):
            d = np.asarray(v.distances[a][f], dtype=float)
            stats = distribution_stats(d)
            if stats is None:
                continue
            lowest = min(lowest, stats["min"])
            color = colors[a]
            box = {
                "med": stats["median"],
                "q1": stats["q1"],
                "q3": stats["q3"],
                "whislo": stats["min"],
                "whishi": stats["max"],
                "mean": stats["mean"],
                "label": labels[i],
                "fliers": [],
            }
            ax.bxp(
                [box],
                positions=[i],
                widths=0.5,
                showmeans=True,
                meanline=True,
                boxprops={"color": color, "lw": 1.6},
                medianprops={"color": color, "lw": 2},
                whiskerprops={"color": color},
                capprops={"color": color},
                meanprops={"color": "#333333", "ls": ":"},
            )
            # A dot for each distinct gap, larger when more specimens have it.
            finite = d[~np.isnan(d)]
            uniq, counts = np.unique(np.round(finite, 1), return_counts=True)
            shares = counts / d.size
            ax.scatter(
                np.full(uniq.size, i),
                uniq,
                s=(6 + 22 * np.sqrt(shares)) ** 2 / 4,
                color=color,
                alpha=0.45,
                lw=0,
                zorder=3,
            )
        _thresholds(ax, "y", lowest)
        ax.set_xticks(range(len(labels)), labels)
        ax.set_title(WATCHED[f][0], fontsize=_FONT + 0.5)
        ax.set_ylabel("gap (mm)", fontsize=_FONT)
        _style(ax)
    for ax in axes[len(families) :]:
        ax.set_visible(False)


def chart_image(
    data: ChartData,
    *,
    fmt: str = "png",
    size: tuple[float, float] = (11.0, 5.6),
    dpi: int = 180,
    title: bool = True,
) -> bytes:
    """The chart drawn with matplotlib: PNG (``dpi``) or SVG (text kept as text), ``size``
    in inches, with its title on top unless ``title`` is off (a slide shows it above).
    No browser and no network are needed."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"format must be png or svg, got {fmt!r}")
    fig = Figure(figsize=size, dpi=dpi, layout="constrained")
    chart = data.chart
    if data.variability is not None:
        if isinstance(chart, VariabilityChart) and chart.show == "within_5mm":
            _draw_within(fig, data, data.variability)
        else:
            _draw_distributions(fig, data, data.variability)
    elif isinstance(chart, CorridorDistances):
        _draw_distances(fig, data)
    elif isinstance(chart, StepProfile):
        _draw_profile(fig, data, chart)
    else:
        _draw_summary(fig, data)
    if title:
        fig.suptitle(data.title, fontsize=_FONT + 3, fontweight="bold")
    out = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    # SVG text stays text (smaller, selectable); a fixed salt makes the ids repeatable.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "case"}):
        fig.savefig(out, format=fmt, dpi=dpi, facecolor="white", metadata=metadata)
    return out.getvalue()
