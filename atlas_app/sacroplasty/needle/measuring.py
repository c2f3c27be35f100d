"""Measuring a needle against the anatomy: where it enters and leaves the bone, the
foramina and nerves it passes, where its tip lies."""

from __future__ import annotations

import numpy as np

from atlas_app.geometry.centerline import Array, segment_pairs
from atlas_app.sacroplasty.needle.anatomy import Anatomy, Canal
from atlas_app.sacroplasty.needle.measures import Breach, BreachKind, NeedleMeasures, NerveGap
from atlas_app.sacroplasty.needle.path import NeedlePath
from atlas_app.sacroplasty.needle.plan_warnings import with_warnings


def _crossing(anatomy: Anatomy, a: Array, b: Array) -> Array:
    """The point between a (inside) and b (outside) where the path crosses the surface."""
    da, db = anatomy.depth(np.vstack([a, b]))
    t = da / (da - db) if da != db else 0.5
    return np.asarray(a + float(np.clip(t, 0.0, 1.0)) * (b - a))


def _in_canal(anatomy: Anatomy, point: Array, margin: float = 1.0) -> Canal | None:
    for c in anatomy.canals:
        d, _, _ = segment_pairs(np.vstack([point, point + 1e-6]), np.vstack([c.opening, c.back]))
        if float(d.min()) < c.radius_mm + margin:
            return c
    return None


def _classify_exit(anatomy: Anatomy, point: Array) -> BreachKind:
    if _in_canal(anatomy, point) is not None:
        return "foramen"
    n = anatomy.normal(point, h=1.0)
    lateral = anatomy.sign * n[0]
    if n[2] >= 0.5:
        return "s1_endplate" if anatomy.zone(point) == 3 else "cephalad_cortex"
    if n[1] > 0.45:
        return "anterior_cortex"
    if n[2] > 0.35 and n[1] > 0.2:  # the rounded front-top edge of the ala
        return "cephalad_cortex"
    if lateral > 0.5:
        return "lateral_cortex"
    if lateral < -0.5:
        return "medial_cortex"
    return "posterior_cortex"


def _ray_to_surface(anatomy: Anatomy, start: Array, direction: Array, limit: float) -> float | None:
    steps = np.arange(0.0, limit, 0.25)
    pts = start[None, :] + steps[:, None] * direction[None, :]
    outside = np.nonzero(anatomy.depth(pts) > 0)[0]
    return float(steps[outside[0]]) if len(outside) else None


def measure_needle(anatomy: Anatomy, path: NeedlePath) -> NeedleMeasures:
    """Everything the planner reports about one needle."""
    pts = path.samples()
    step = path.length / max(len(pts) - 1, 1)
    depth = anatomy.depth(pts)
    inside = depth < 0
    entered = np.nonzero(inside)[0]
    enters = bool(len(entered))
    breaches: list[Breach] = []
    if enters:
        first = int(entered[0])
        for i in range(first + 1, len(pts)):
            if inside[i - 1] and not inside[i]:
                p = _crossing(anatomy, pts[i - 1], pts[i])
                kind = _classify_exit(anatomy, p)
                canal = _in_canal(anatomy, p) if kind == "foramen" else None
                if not any(b.kind == kind for b in breaches):
                    where = (float(p[0]), float(p[1]), float(p[2]))
                    breaches.append(Breach(kind, where, canal.name if canal else ""))
    # Foramina: the part of the shaft in or behind the bone, against each canal.
    canal_gaps = []
    for c in anatomy.canals:
        d, _, _ = segment_pairs(np.vstack([path.entry, path.tip]), np.vstack([c.opening, c.back]))
        canal_gaps.append((float(d.min()) - c.radius_mm - path.radius_mm, c))
    foramen_gap, nearest = min(canal_gaps, key=lambda g: g[0])
    if foramen_gap < 0 and not any(b.kind == "foramen" for b in breaches):
        o = nearest.opening
        breaches.append(Breach("foramen", (float(o[0]), float(o[1]), float(o[2])), nearest.name))
    gaps = tuple(
        sorted(
            (
                NerveGap(n.id, n.name, anatomy.nerve_gap(n.id, pts) - path.radius_mm)
                for n in anatomy.nerves
            ),
            key=lambda g: g.gap_mm,
        )
    )
    tip = path.tip
    tip_depth = -float(depth[-1])
    tip_in = bool(inside[-1])
    to_front = _ray_to_surface(anatomy, tip, np.array([0.0, 1.0, 0.0]), 80.0) if tip_in else None
    zone = anatomy.zone(tip) if tip_in else None
    if not tip_in:
        region = "outside the sacrum"
    elif zone == 1:
        region = "ala, lateral to the foramina (Denis zone 1)"
    elif zone == 2:
        region = "in line with the foramina (Denis zone 2)"
    elif anatomy.in_s1_body(tip):
        region = "S1 body (Denis zone 3)"
    else:
        region = "central column, by the sacral canal (Denis zone 3)"
    checked = np.arange(len(pts)) >= (entered[0] if enters else len(pts))
    in_region = all(
        inside[i] and (anatomy.zone(pts[i]) == 1 or anatomy.in_s1_body(pts[i]))
        for i in np.nonzero(checked)[0]
    )
    margin = float(-depth[checked].max()) if checked.any() else None
    stays = enters and tip_in and not breaches
    m = NeedleMeasures(
        length_mm=path.length,
        in_bone_mm=float(inside.sum() * step),
        enters_bone=enters,
        tip_in_bone=tip_in,
        tip_depth_mm=tip_depth,
        tip_to_anterior_cortex_mm=to_front,
        tip_zone=zone,
        tip_region=region,
        stays_in_bone=stays,
        in_ala_or_s1_body=bool(enters and tip_in and in_region and foramen_gap >= 0),
        min_bone_margin_mm=margin,
        foramen_gap_mm=foramen_gap,
        nearest_foramen=nearest.name,
        nerve_gaps=gaps,
        breaches=tuple(breaches),
        warnings=(),
    )
    return with_warnings(m, path, anatomy)
