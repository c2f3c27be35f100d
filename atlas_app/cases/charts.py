"""A chart slide → its data, and that data as a plotly figure, a table or a static image.

:func:`chart_data` measures what the slide asks for (the approaches on the slide's
specimen, or the variability across sampled specimens). From the same data:

- :func:`chart_figure` gives the interactive plotly figure of
  :mod:`atlas_app.charts.corridor_charts` or :mod:`atlas_app.charts.variability_charts`,
  for a page;
- :func:`atlas_app.cases.chart_image.chart_image` draws the same chart with matplotlib as
  PNG or SVG, for exports;
- :func:`chart_table` gives the numbers as a table (a text alternative).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from atlas_app.approaches.api import measure_approach, mesh_vertices
from atlas_app.approaches.loader import ApproachSet
from atlas_app.approaches.metric_types import ApproachMetrics
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
from atlas_app.charts.corridor_charts import corridor_distances, corridor_summary, step_profile
from atlas_app.charts.reading import (
    KEY_STRUCTURES,
    best_exposure,
    structure_distance,
    working_step_metrics,
)
from atlas_app.charts.style import PHASE_LABELS
from atlas_app.charts.variability_charts import (
    distribution_stats,
    variability_distributions,
    within_5mm,
)
from atlas_app.model.atlas import Atlas
from atlas_app.model.specimen import DEFAULT_SPEC, PatchError, SpecError, build_specimen

CHART_TITLES: dict[str, str] = {
    "corridor_distances": "Distance from each working corridor to key structures",
    "corridor_summary": "The working corridors: depth, angle of attack, target exposure",
    "step_profile": "{name}: distance to the corridor, step by step",
    "variability": "Gap to the corridor across {n:,} sampled specimens",
    "within_5mm": "Within 5 mm of the corridor, in {n:,} sampled specimens",
}

Progress = Callable[[float], None]
Chart = CorridorDistances | CorridorSummary | StepProfile | VariabilityChart


@dataclass(frozen=True)
class ChartData:
    """What one chart slide shows, measured."""

    chart: Chart
    title: str
    specimen: str
    approach_ids: tuple[str, ...]
    approach_names: dict[str, str]  # id → short name
    names: dict[str, str]  # structure id → name, on the specimen
    metrics: dict[str, ApproachMetrics] | None = None  # approach id → its metrics
    variability: Variability | None = None
    structures: tuple[str, ...] = ()  # the distance chart's rows


def _default_title(chart: Chart, names: dict[str, str], n: int) -> str:
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
    metrics: dict[str, ApproachMetrics] | None = None
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
            chosen = chart.structures or KEY_STRUCTURES
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
            fig = within_5mm(data.variability, short, families=families)
        else:
            fig = variability_distributions(data.variability, short, families=families)
    else:
        metrics = data.metrics or {}
        if isinstance(chart, CorridorDistances):
            fig = corridor_distances(
                metrics, list(data.structures), data.names, approach_names=short
            )
        elif isinstance(chart, StepProfile):
            fig = step_profile(
                metrics,
                chart.structure,
                data.names.get(chart.structure, chart.structure),
                approach_names=short,
            )
        else:
            fig = corridor_summary(metrics, approach_names=short)
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
                stats = distribution_stats(np.asarray(v.distances[a][f], dtype=float))
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
                step = working_step_metrics(metrics[a])
                row.append(_mm(None if step is None else structure_distance(step, sid)))
            rows.append(row)
        return header, rows
    if isinstance(chart, StepProfile):
        header = ["Approach", "Step", "Phase", "Gap (mm)"]
        rows = [
            [
                data.approach_names[a],
                f"{i + 1}. {s['title']}",
                PHASE_LABELS[s["phase"]],
                _mm(structure_distance(s, chart.structure)),
            ]
            for a in data.approach_ids
            for i, s in enumerate(metrics[a]["steps"])
        ]
        return header, rows
    header = ["Approach", "Depth (mm)", "Angle (°)", "Best target exposure (%)"]
    rows = []
    for a in data.approach_ids:
        step = working_step_metrics(metrics[a])
        corridor = None if step is None else step["corridor"]
        best, _ = best_exposure(metrics[a])
        rows.append(
            [
                data.approach_names[a],
                _mm(None if corridor is None else corridor["depth_mm"]),
                _mm(None if corridor is None else corridor["angle_deg"]),
                f"{100 * best:.0f}",
            ]
        )
    return header, rows
