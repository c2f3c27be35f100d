"""A chart slide → its data, and that data as a plotly figure, a table or a static image.

:func:`chart_data` measures what the slide asks for (the approaches on the slide's
specimen, or the variability across sampled specimens). From the same data:

- :func:`chart_figure` gives the interactive plotly figure of
  :mod:`atlas_app.charts.approach_charts`, for a page;
- :func:`chart_image` draws the same chart with matplotlib as PNG or SVG, for exports.
  Plotly's own image export needs kaleido and a Chromium browser on the server (it works
  on a machine with Debian's chromium, but the app's host has none and must not download
  one); matplotlib is already a dependency, draws in milliseconds and needs nothing else;
- :func:`chart_table` gives the numbers as a table (a text alternative).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
import plotly.graph_objects as go
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from atlas_app.approaches.api import measure_approach, mesh_vertices
from atlas_app.approaches.loader import ApproachSet
from atlas_app.approaches.metrics import NEAR_MM
from atlas_app.approaches.variability import WATCHED, Variability, run_variability
from atlas_app.cases.model import (
    CaseError,
    ChartSlide,
    CorridorDistances,
    CorridorSummary,
    StepProfile,
    VariabilityChart,
)
from atlas_app.charts import approach_charts as ac
from atlas_app.model.atlas import Atlas
from atlas_app.model.specimen import DEFAULT_SPEC, PatchError, SpecError, build_specimen

CHART_TITLES: dict[str, str] = {
    "corridor_distances": "Distance from each working corridor to key structures",
    "corridor_summary": "The working corridors: depth, angle of attack, target exposure",
    "step_profile": "{name}: distance to the corridor, step by step",
    "variability": "Gap to the corridor across {n:,} sampled specimens",
    "within_5mm": "Within 5 mm of the corridor, in {n:,} sampled specimens",
}
_INSIDE = (213 / 255, 94 / 255, 0.0, 0.10)
_LINE = "#555555"
_FONT = 9.5

Progress = Callable[[float], None]


@dataclass(frozen=True)
class ChartData:
    """What one chart slide shows, measured."""

    chart: CorridorDistances | CorridorSummary | StepProfile | VariabilityChart
    title: str
    specimen: str
    approach_ids: tuple[str, ...]
    approach_names: dict[str, str]  # id → short name
    names: dict[str, str]  # structure id → name, on the specimen
    metrics: dict[str, Any] | None = None  # approach id → measure_approach
    variability: Variability | None = None
    structures: tuple[str, ...] = ()  # the distance chart's rows


def _default_title(chart: Any, names: dict[str, str], n: int) -> str:
    if isinstance(chart, StepProfile):
        return CHART_TITLES["step_profile"].format(name=names.get(chart.structure, chart.structure))
    if isinstance(chart, VariabilityChart):
        key = "within_5mm" if chart.show == "within_5mm" else "variability"
        return CHART_TITLES[key].format(n=n)
    return CHART_TITLES[chart.type]


def chart_data(
    atlas: Atlas,
    approaches: ApproachSet,
    slide: ChartSlide,
    *,
    case_specimen: str = DEFAULT_SPEC,
    case_approaches: Sequence[str] = (),
    progress: Progress | None = None,
) -> ChartData:
    """Measure what the chart slide shows. Raises :class:`CaseError` for an approach or
    variant this atlas lacks. The variability chart samples ``n`` specimens (seconds)."""
    ids = tuple(slide.approaches or case_approaches)
    if not ids:
        raise CaseError("the chart names no approach, and neither does the case")
    unknown = [a for a in ids if a not in approaches.approaches]
    if unknown:
        raise CaseError(f"unknown approach '{unknown[0]}'")
    spec = slide.specimen or case_specimen
    try:
        specimen = build_specimen(atlas, spec)
    except (SpecError, PatchError) as exc:
        raise CaseError(f"specimen '{spec}': {exc}") from exc
    names = {sid: s.name for sid, s in specimen.structures.items()}
    short = {a: approaches.approaches[a].short_name for a in ids}
    chart = slide.chart
    metrics: dict[str, Any] | None = None
    variability: Variability | None = None
    structures: tuple[str, ...] = ()
    if isinstance(chart, VariabilityChart):
        base = build_specimen(atlas, DEFAULT_SPEC)
        variability = run_variability(
            atlas,
            approaches,
            ids,
            mesh_vertices(atlas, base),
            n=chart.n,
            seed=chart.seed,
            progress=progress,
        )
    else:
        metrics = {}
        for i, a in enumerate(ids):
            metrics[a] = measure_approach(atlas, approaches, specimen, a)
            if progress is not None:
                progress((i + 1) / len(ids))
        if isinstance(chart, CorridorDistances):
            chosen = chart.structures or ac.KEY_STRUCTURES
            structures = tuple(s for s in chosen if s in names)
    n = variability.n if variability is not None else 0
    return ChartData(
        chart=chart,
        title=slide.title or _default_title(chart, names, n),
        specimen=specimen.spec,
        approach_ids=ids,
        approach_names=short,
        names=names,
        metrics=metrics,
        variability=variability,
        structures=structures,
    )


# --- The interactive figure (plotly) ------------------------------------------------------


def chart_figure(data: ChartData) -> go.Figure:
    """The chart as the app's plotly figure (for a page; exports use :func:`chart_image`)."""
    chart, short = data.chart, data.approach_names
    if data.variability is not None:
        families = {f: label for f, (label, _) in WATCHED.items()}
        if isinstance(chart, VariabilityChart) and chart.show == "within_5mm":
            fig = ac.within_5mm(data.variability, short, families=families)
        else:
            fig = ac.variability_distributions(data.variability, short, families=families)
    else:
        metrics = data.metrics or {}
        if isinstance(chart, CorridorDistances):
            fig = ac.corridor_distances(
                metrics, list(data.structures), data.names, approach_names=short
            )
        elif isinstance(chart, StepProfile):
            fig = ac.step_profile(
                metrics,
                chart.structure,
                data.names.get(chart.structure, chart.structure),
                approach_names=short,
            )
        else:
            fig = ac.corridor_summary(metrics, approach_names=short)
    fig.update_layout(title={"text": data.title})
    return fig


# --- The numbers as a table ---------------------------------------------------------------


def _mm(value: float | None) -> str:
    return (
        "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1f}"
    )


def chart_table(data: ChartData) -> tuple[list[str], list[list[str]]]:
    """The chart's numbers as (header, rows) of text: its text alternative."""
    short = [data.approach_names[a] for a in data.approach_ids]
    chart = data.chart
    if data.variability is not None:
        v = data.variability
        if isinstance(chart, VariabilityChart) and chart.show == "within_5mm":
            header = ["Structure", *(f"{s}: % within {NEAR_MM:g} mm" for s in short)]
            rows = [
                [label, *(f"{100 * v.within(a, f, NEAR_MM):.1f}" for a in data.approach_ids)]
                for f, (label, _) in WATCHED.items()
            ]
            return header, rows
        header = ["Structure", "Approach", "Min (mm)", "Q1", "Median", "Q3", "Max"]
        rows = []
        for f, (label, _) in WATCHED.items():
            for a in data.approach_ids:
                stats = ac.distribution_stats(np.asarray(v.distances[a][f], dtype=float))
                if stats is None:
                    rows.append([label, data.approach_names[a], "—", "—", "—", "—", "—"])
                else:
                    rows.append(
                        [label, data.approach_names[a]]
                        + [_mm(stats[k]) for k in ("min", "q1", "median", "q3", "max")]
                    )
        return header, rows
    metrics = data.metrics or {}
    if isinstance(chart, CorridorDistances):
        header = ["Structure", *(f"{s}: gap (mm)" for s in short)]
        rows = []
        for sid in data.structures:
            row = [data.names.get(sid, sid)]
            for a in data.approach_ids:
                step = ac.working_step_metrics(metrics[a])
                row.append(_mm(None if step is None else ac.structure_distance(step, sid)))
            rows.append(row)
        return header, rows
    if isinstance(chart, StepProfile):
        header = ["Approach", "Step", "Phase", "Gap (mm)"]
        rows = [
            [
                data.approach_names[a],
                f"{i + 1}. {s['title']}",
                ac.PHASE_LABELS[s["phase"]],
                _mm(ac.structure_distance(s, chart.structure)),
            ]
            for a in data.approach_ids
            for i, s in enumerate(metrics[a]["steps"])
        ]
        return header, rows
    header = ["Approach", "Depth (mm)", "Angle (°)", "Best target exposure (%)"]
    rows = []
    for a in data.approach_ids:
        step = ac.working_step_metrics(metrics[a])
        corridor = None if step is None else step["corridor"]
        best, _ = ac.best_exposure(metrics[a])
        rows.append(
            [
                data.approach_names[a],
                _mm(None if corridor is None else corridor["depth_mm"]),
                _mm(None if corridor is None else corridor["angle_deg"]),
                f"{100 * best:.0f}",
            ]
        )
    return header, rows


# --- The static image (matplotlib) --------------------------------------------------------


def _thresholds(ax: Axes, axis: str, lowest: float) -> None:
    lo = min(lowest, 0.0) - ac.BAND_PAD_MM
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
    colors = ac.approach_colors(list(data.approach_ids))
    k = max(1, len(data.approach_ids))
    height = 0.8 / k
    values: list[float] = []
    for j, a in enumerate(data.approach_ids):
        step = ac.working_step_metrics(metrics[a])
        for i, sid in enumerate(data.structures):
            d = None if step is None else ac.structure_distance(step, sid)
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

    colors = ac.approach_colors(list(data.approach_ids))
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
    colors = ac.approach_colors(list(data.approach_ids))
    slots, of_step = ac.phase_slots({a: metrics[a] for a in data.approach_ids})
    where = {label: i for i, label in enumerate(slots)}
    values: list[float] = []
    for a in data.approach_ids:
        xs = [where[label] for label in of_step[a]]
        ys = []
        for s in metrics[a]["steps"]:
            d = ac.structure_distance(s, chart.structure)
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
    colors = ac.approach_colors(list(data.approach_ids))
    labels = [data.approach_names[a] for a in data.approach_ids]
    depth, angle, exposure = [], [], []
    for a in data.approach_ids:
        step = ac.working_step_metrics(metrics[a])
        corridor = None if step is None else step["corridor"]
        depth.append(float("nan") if corridor is None else corridor["depth_mm"])
        angle.append(float("nan") if corridor is None else corridor["angle_deg"])
        exposure.append(100 * ac.best_exposure(metrics[a])[0])
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
    colors = ac.approach_colors(list(data.approach_ids))
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
    colors = ac.approach_colors(list(data.approach_ids))
    families = list(WATCHED)
    cols = 2 if len(families) > 1 else 1
    rows = math.ceil(len(families) / cols)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    labels = [data.approach_names[a] for a in data.approach_ids]
    for ax, f in zip(axes, families, strict=False):
        lowest = 0.0
        for i, a in enumerate(data.approach_ids):
            d = np.asarray(v.distances[a][f], dtype=float)
            stats = ac.distribution_stats(d)
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
