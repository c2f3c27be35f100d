"""Reading an approach's metrics for the charts and tables: the working step, the steps by
phase, a structure's gap, what lies near the working corridor, the best exposure.

Inputs are the typed metrics of :func:`atlas_app.approaches.api.measure_approach`
(:class:`~atlas_app.approaches.metric_types.ApproachMetrics`, one per approach, keyed by
approach id).
"""

from __future__ import annotations

from collections.abc import Mapping

from atlas_app.approaches.metric_types import ApproachMetrics, StepMetrics
from atlas_app.approaches.schema import PHASES
from atlas_app.charts.style import PHASE_LABELS

MetricsByApproach = Mapping[str, ApproachMetrics]  # approach id → metrics

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


def working_step_index(metrics: ApproachMetrics) -> int | None:
    """Index of the step measured as "the working corridor": the last step of the target
    phase if it has a corridor, else the last step with a corridor (None if none has)."""
    steps = metrics["steps"]
    targets = [i for i, s in enumerate(steps) if s["phase"] == "target"]
    if targets and steps[targets[-1]]["corridor"] is not None:
        return targets[-1]
    with_corridor = [i for i, s in enumerate(steps) if s["corridor"] is not None]
    return with_corridor[-1] if with_corridor else None


def working_step_metrics(metrics: ApproachMetrics) -> StepMetrics | None:
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


def structure_distance(step: StepMetrics, structure_id: str) -> float | None:
    """A structure's gap to the corridor in one step; None without corridor or structure."""
    v = step["structures"].get(structure_id)
    return None if v is None else v["distance_mm"]


def near_working_corridor(metrics: ApproachMetrics) -> list[tuple[str, float]]:
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


def best_exposure(metrics: ApproachMetrics) -> tuple[float, str | None]:
    """The largest fraction of the target's facing surface exposed at any step, and the
    title of that step (the target itself is gone once it has been removed)."""
    best, title = 0.0, None
    for s in metrics["steps"]:
        if s["target_exposed_fraction"] > best:
            best, title = float(s["target_exposed_fraction"]), s["title"]
    return best, title
