"""Per-step metrics, computed from the geometry of the step (never typed in).

For each structure still in the field: the gap between it and the working corridor
after retraction (negative = it reaches into the corridor), and between it and the
corridor's path (the corridor short of its target zone: what must be clear to work down),
how far retraction moved it, whether it lies in the corridor or within 5 mm of it. For the
corridor: depth and angle of attack. For each blade: how far it moves its structure and how
far it would have to, to clear the path. What still lies in the path, and why (retracted
not far enough, carried there, not retracted, passed through, or left there on purpose, as
the step says). What lies at the target. For the target: how much of its surface facing
the surgeon is reachable through the corridor's deep opening with nothing in the way. For
tethered tributaries: how much a retraction stretches them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from scipy.spatial import cKDTree

from atlas_app.approaches.engine import StepState
from atlas_app.approaches.metric_types import (
    ApproachMetrics,
    CorridorMetrics,
    InTheWay,
    StepMetrics,
    StructureMetrics,
    Why,
)
from atlas_app.geometry.centerline import Array, Curve
from atlas_app.geometry.corridor import Cone
from atlas_app.geometry.shapes import centerline_curve
from atlas_app.model.geometry_schema import CenterlineGeometry
from atlas_app.model.schema import Structure

NEAR_MM = 5.0
MOVED_MM = 1.0
"""Less than this, a structure is not counted as moved by a step's retractions."""
IN_THE_WAY = ("artery", "vein", "nerve", "viscus", "muscle", "bone")
"""What can stand in the path (pathology is the target or part of it)."""
AT_TARGET = ("artery", "vein", "nerve", "viscus")
# The literature reports avulsion of every iliolumbar vein pulled by great-vessel retraction
# (Stirling & Weaver 2002) but no tolerated elongation: 15 % is a schematic threshold.
AVULSION_STRAIN = 0.15
OCCLUSION_SAMPLES = 20

SurfacePoints = Callable[[Structure], Array]


def structure_clearance(cone: Cone, s: Structure, surface: SurfacePoints) -> float:
    """Smallest gap between a structure and the corridor wall (mm)."""
    g = s.geometry
    if isinstance(g, CenterlineGeometry):
        c = centerline_curve(g)
        return float(cone.clearance(c.points, c.radii).min())
    return float(cone.clearance(surface(s)).min())


def _tube_samples(state: StepState, skip: set[str]) -> tuple[Array, Array]:
    """Points about every millimetre along every tube in the field, with the tube's radius."""
    pts, radii = [], []
    for sid, s in state.anatomy.items():
        if sid in skip or not isinstance(s.geometry, CenterlineGeometry):
            continue
        c: Curve = centerline_curve(s.geometry)
        seg = np.linalg.norm(np.diff(c.points, axis=0), axis=1)
        n = max(2, int(np.ceil(seg.sum() / 1.0)))
        t = np.concatenate([[0.0], np.cumsum(seg)])
        u = np.linspace(0.0, t[-1], n)
        pts.append(np.stack([np.interp(u, t, c.points[:, k]) for k in range(3)], axis=1))
        radii.append(np.interp(u, t, c.radii))
    if not pts:
        return np.zeros((0, 3)), np.zeros(0)
    return np.vstack(pts), np.concatenate(radii)


def target_exposure(state: StepState, target: Structure, surface: SurfacePoints) -> float:
    """Fraction of the target's surface that faces the incision, lies within the corridor's
    deep opening and can be seen from the incision past every vessel and nerve."""
    cone = state.cone
    if cone is None:
        return 0.0
    pts = surface(target)
    centre = pts.mean(axis=0)
    to_entry = cone.entry[None, :] - pts
    facing = ((pts - centre) * to_entry).sum(axis=1) > 0
    pts = pts[facing]
    if len(pts) == 0:
        return 0.0
    # Within the opening at the target's depth (the cone's last section).
    t, d = cone.axial(pts)
    inside = d <= cone.radius_at(np.maximum(t, 0.9))
    # Line of sight: samples from each point toward the entry must stay clear of tubes.
    visible = inside.copy()
    idx = np.nonzero(inside)[0]
    tube_pts, tube_r = _tube_samples(state, {target.id})
    if len(idx) and len(tube_pts):
        s = np.linspace(0.08, 1.0, OCCLUSION_SAMPLES)
        seg = pts[idx, None, :] + s[None, :, None] * (cone.entry - pts[idx])[:, None, :]
        flat = seg.reshape(-1, 3)
        dist, nearest = cKDTree(tube_pts).query(flat, distance_upper_bound=tube_r.max() + 1.0)
        hit = np.isfinite(dist)
        blocked = np.zeros(len(flat), dtype=bool)
        blocked[hit] = dist[hit] < tube_r[nearest[hit]]
        visible[idx] = ~blocked.reshape(len(idx), OCCLUSION_SAMPLES).any(axis=1)
    return float(visible.sum() / len(pts))


def step_metrics(
    state: StepState, surface: SurfacePoints, target_id: str | None = None
) -> StepMetrics:
    """The metrics of one step (the shape: :class:`.metric_types.StepMetrics`)."""
    step = state.step
    cone = state.cone
    structures: dict[str, StructureMetrics] = {}
    corridor: CorridorMetrics | None = None
    if cone is not None:
        path = cone.path
        for sid, s in state.anatomy.items():
            gap = structure_clearance(cone, s, surface)
            path_gap = structure_clearance(path, s, surface)
            structures[sid] = {
                "distance_mm": round(gap, 2),
                "path_gap_mm": round(path_gap, 2),
                "displacement_mm": round(float(state.displacement.get(sid, 0.0)), 2),
                "in_corridor": bool(gap <= 0.0),
                "in_path": bool(path_gap < 0.0),
                "within_5mm": bool(gap <= NEAR_MM),
            }
        corridor = {
            "depth_mm": round(cone.depth, 1),
            "angle_deg": round(cone.angle_from_ap, 1),
            "entry": [round(float(v), 1) for v in cone.entry],
            "target": [round(float(v), 1) for v in cone.target],
            "entry_radius_mm": cone.entry_radius,
            "target_radius_mm": cone.target_radius,
        }
    else:
        for sid in state.displacement:
            structures[sid] = {
                "distance_mm": None,
                "path_gap_mm": None,
                "displacement_mm": round(float(state.displacement[sid]), 2),
                "in_corridor": False,
                "in_path": False,
                "within_5mm": False,
            }
    target = state.specimen.structures.get(target_id or state.approach.target.structure)
    exposed = 0.0
    if target is not None and target.id not in state.removed:
        exposed = target_exposure(state, target, surface)
    return {
        "id": step.id,
        "phase": step.phase,
        "title": step.title,
        "corridor": corridor,
        "structures": structures,
        "target_exposed_fraction": round(exposed, 3),
        "tethers": [
            {
                "structure": t.branch,
                "parent": t.parent,
                "mouth_shift_mm": round(t.mouth_shift_mm, 1),
                "strain": round(t.strain, 3),
                "ligated": t.branch in state.removed,
                "avulsion_risk": bool(t.branch not in state.removed and t.strain > AVULSION_STRAIN),
            }
            for t in state.tethers
        ],
        "retractions": [
            {
                "structure": r.structure,
                "by_mm": round(r.by_mm, 1),
                "direction": [round(float(v), 3) for v in r.vector / max(r.by_mm, 1e-9)],
                "needed_mm": r.needed_mm,
                "carried": [c for c in r.carried if state.displacement.get(c, 0.0) >= MOVED_MM],
                "instrument": r.instrument,
            }
            for r in state.retractions
        ],
        "in_the_way": in_the_way(state, structures),
        "at_target": sorted(
            k
            for k, v in structures.items()
            if v["in_corridor"]
            and not v["in_path"]
            and state.specimen.structures[k].category in AT_TARGET
        ),
        "at_risk": list(step.at_risk),
        "near": sorted(
            k
            for k, v in structures.items()
            if v["within_5mm"]
            and state.specimen.structures[k].category in ("artery", "vein", "nerve", "viscus")
        ),
    }


def in_the_way(state: StepState, structures: Mapping[str, StructureMetrics]) -> list[InTheWay]:
    """What lies in the corridor's path at a step, deepest first, and why: ``through`` (the
    corridor passes through it: it is the wall), ``retracted`` (a blade holds it, not far
    enough: ``needed_mm`` says how far would do), ``carried`` (moved there with the
    structure ``by``), ``dragged`` (a tributary pulled by ``by``), or ``not_retracted``;
    ``declared`` is what the step says about it (None when it says nothing)."""
    step = state.step
    declared = {sid: o.why for o in step.in_the_way for sid in o.structures}
    blades = {r.structure: r for r in state.retractions}
    carriers = {c: r.structure for r in state.retractions for c in r.carried}
    parents = {t.branch: t.parent for t in state.tethers}
    target = state.approach.target.structure
    rows: list[InTheWay] = []
    for sid, m in structures.items():
        category = state.specimen.structures[sid].category
        gap = m["path_gap_mm"]
        if gap is None or not m["in_path"] or sid == target or category not in IN_THE_WAY:
            continue
        moved = float(m["displacement_mm"])
        by: str | None = None
        needed: float | None = None
        why: Why
        if sid in step.through:
            why = "through"
        elif sid in blades:
            why, needed = "retracted", blades[sid].needed_mm
        elif moved >= MOVED_MM and sid in carriers:
            why, by = "carried", carriers[sid]
        elif moved >= MOVED_MM and sid in parents:
            why, by = "dragged", parents[sid]
        else:
            why = "not_retracted"
        rows.append(
            {
                "structure": sid,
                "path_gap_mm": gap,
                "moved_mm": round(moved, 1),
                "why": why,
                "by": by,
                "needed_mm": needed,
                "declared": declared.get(sid),
            }
        )
    return sorted(rows, key=lambda r: (r["path_gap_mm"], r["structure"]))


MOVED_BY_STEP = ("retracted", "carried", "dragged")


def unexplained(step: StepMetrics) -> list[InTheWay]:
    """What a step's retractions moved that still lies in the path, with nothing said
    about it in the step: the picture would contradict the words."""
    return [r for r in step["in_the_way"] if r["why"] in MOVED_BY_STEP and not r["declared"]]


def approach_metrics(states: list[StepState], surface: SurfacePoints, spec: str) -> ApproachMetrics:
    approach = states[0].approach
    return {
        "approach": approach.id,
        "specimen": spec,
        "steps": [step_metrics(s, surface) for s in states],
    }
