"""Checks of the numbers in the geometry: radii per point, finite coordinates inside the
region and the parent's bounds, the landmarks the atlas requires."""

from __future__ import annotations

import math
from collections.abc import Iterator

from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.checks.registry import check
from atlas_app.model.geometry_schema import CenterlineGeometry, ParametricGeometry
from atlas_app.model.records import Vec3
from atlas_app.model.schema import Structure
from atlas_app.model.yaml_io import DocPath


def _points_of(structure: Structure) -> Iterator[tuple[DocPath, Vec3]]:
    g = structure.geometry
    if isinstance(g, CenterlineGeometry):
        for i, p in enumerate(g.points):
            yield ("geometry", "points", i), p
    elif isinstance(g, ParametricGeometry):
        if g.center is not None:
            yield ("geometry", "center"), g.center
        for i, p in enumerate(g.points or []):
            yield ("geometry", "points", i), p


@check
def check_radii_match_points(atlas: Atlas) -> Iterator[Fault]:
    """A per-point radius list has one positive radius per control point."""
    for sid, s in atlas.structures.items():
        g = s.geometry
        if not isinstance(g, CenterlineGeometry):
            continue
        radii = g.radius if isinstance(g.radius, list) else [g.radius]
        if isinstance(g.radius, list) and len(g.radius) != len(g.points):
            yield atlas.fault(
                "radii_match_points",
                "structures",
                sid,
                ("geometry", "radius"),
                f"{len(g.radius)} radii for {len(g.points)} points",
            )
        for i, r in enumerate(radii):
            if not (r > 0 and math.isfinite(r)):
                sub = (
                    ("geometry", "radius", i)
                    if isinstance(g.radius, list)
                    else ("geometry", "radius")
                )
                yield atlas.fault(
                    "radii_match_points",
                    "structures",
                    sid,
                    sub,
                    f"radius {r} must be positive and finite",
                )


@check
def check_coordinates_finite(atlas: Atlas) -> Iterator[Fault]:
    """No NaN or infinite coordinate anywhere."""
    for sid, s in atlas.structures.items():
        for sub, p in _points_of(s):
            if not all(math.isfinite(c) for c in p):
                yield atlas.fault(
                    "coordinates_finite",
                    "structures",
                    sid,
                    sub,
                    f"coordinate {list(p)} is not finite",
                )
    for lid, lm in atlas.landmarks.items():
        if not all(math.isfinite(c) for c in lm.point):
            yield atlas.fault(
                "coordinates_finite",
                "landmarks",
                lid,
                ("point",),
                f"coordinate {list(lm.point)} is not finite",
            )


def _inside(p: Vec3, box: tuple[Vec3, Vec3]) -> bool:
    lo, hi = box
    return all(lo[k] <= p[k] <= hi[k] for k in range(3))


@check
def check_coordinates_in_region(atlas: Atlas) -> Iterator[Fault]:
    """Every authored point lies inside the atlas region (catches a slipped sign or a cm)."""
    if atlas.info is None:
        return
    region = atlas.info.region
    desc = f"outside the region {list(region[0])}..{list(region[1])} mm"
    for sid, s in atlas.structures.items():
        for sub, p in _points_of(s):
            if all(math.isfinite(c) for c in p) and not _inside(p, region):
                yield atlas.fault(
                    "coordinates_in_region", "structures", sid, sub, f"{list(p)} is {desc}"
                )
    for lid, lm in atlas.landmarks.items():
        if all(math.isfinite(c) for c in lm.point) and not _inside(lm.point, region):
            yield atlas.fault(
                "coordinates_in_region", "landmarks", lid, ("point",), f"{list(lm.point)} is {desc}"
            )


@check
def check_inside_parent_bounds(atlas: Atlas) -> Iterator[Fault]:
    """Centerline points of a structure whose parent group declares bounds lie inside them."""
    for sid, s in atlas.structures.items():
        group = atlas.groups.get(s.parent or "")
        if group is None or group.bounds is None:
            continue
        for sub, p in _points_of(s):
            if all(math.isfinite(c) for c in p) and not _inside(p, group.bounds):
                yield atlas.fault(
                    "inside_parent_bounds",
                    "structures",
                    sid,
                    sub,
                    f"{list(p)} lies outside the bounds of '{group.id}'",
                )


@check
def check_landmarks_present(atlas: Atlas) -> Iterator[Fault]:
    """The landmarks the design names (docs/architecture.md §1) are all defined."""
    if atlas.info is None:
        return
    for i, lid in enumerate(atlas.info.required_landmarks):
        if lid not in atlas.landmarks:
            yield atlas.fault(
                "landmarks_present",
                "atlas",
                "atlas",
                ("required_landmarks", i),
                f"required landmark '{lid}' is not defined",
            )
