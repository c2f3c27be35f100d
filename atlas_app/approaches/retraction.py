"""Retraction: what a blade bears on and where it sits, how far it must move its tissue to
clear the corridor's path, how a move deforms the tissue (a vessel's anchored origin, a
tributary's mouth), and the vessel tree and tethers behind it (remembered: most specimens
share their vessels)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from atlas_app.caching import memoize
from atlas_app.geometry.centerline import Array
from atlas_app.geometry.corridor import Cone
from atlas_app.geometry.deform import (
    ANCHOR_MM,
    DeformedGeometry,
    Move,
    Tether,
    VesselTree,
    anchor_weights,
    deform_centerline,
    displace,
    find_tethers,
    find_vessel_tree,
    thin_points,
)
from atlas_app.geometry.shapes import centerline_curve
from atlas_app.model.geometry_schema import CenterlineGeometry, ParametricGeometry
from atlas_app.model.schema import Structure
from atlas_app.model.specimen import arc_lengths


@dataclass(frozen=True)
class AppliedRetraction:
    """A blade in place: on what, where it sits, how far and which way it moves the tissue,
    what it carries along, and how far it would have to move it to clear the path."""

    structure: str
    at: Array  # where the blade sits on the tissue (before the move)
    vector: Array
    reach: float
    instrument: str | None
    carried: tuple[str, ...] = ()  # vessels joined to it that follow
    needed_mm: float | None = None  # to clear the corridor's path this way (None: cannot)

    @property
    def by_mm(self) -> float:
        return float(np.linalg.norm(self.vector))


def structure_points(s: Structure) -> Array:
    """Representative points of a structure's geometry (control points or centre)."""
    g = s.geometry
    if isinstance(g, CenterlineGeometry) or (isinstance(g, ParametricGeometry) and g.points):
        return np.asarray(g.points, float)
    if isinstance(g, ParametricGeometry) and g.center is not None:
        return np.asarray([g.center], float)
    raise ValueError(f"{s.id}: no points to stand for it")


SAMPLE_MM = 1.0
"""Tubes are measured at points about this far apart along their curve."""
MAX_NEEDED_MM = 60.0
"""The largest retraction worth computing: no blade moves tissue further (schema limit)."""
NEEDED_STEP_MM = 0.5
MIN_SHIFT_MM = 0.1
"""A structure moved less than this by a blade's fading field is not counted as moved."""


def tube_samples(geometry: CenterlineGeometry) -> tuple[Array, Array]:
    """Points about every :data:`SAMPLE_MM` along a tube's smooth curve, with its radius."""
    return _tube_samples(geometry.model_dump_json())


@memoize(items=4096)
def _tube_samples(geometry_json: str) -> tuple[Array, Array]:
    c = centerline_curve(CenterlineGeometry.model_validate_json(geometry_json))
    s = arc_lengths(c.points)
    u = np.linspace(0.0, s[-1], max(2, int(np.ceil(s[-1] / SAMPLE_MM)) + 1))
    pts = np.stack([np.interp(u, s, c.points[:, k]) for k in range(3)], axis=1)
    return pts, np.interp(u, s, c.radii)


def substance(s: Structure, mesh_points: Mapping[str, Array]) -> tuple[Array, Array]:
    """Points standing for a structure, with the radius around each: along a tube's curve,
    or a surface's vertices (radius 0)."""
    g = s.geometry
    if isinstance(g, CenterlineGeometry):
        return tube_samples(g)
    pts = mesh_points[s.id] if s.id in mesh_points else structure_points(s)
    return pts, np.zeros(len(pts))


def blade_contact(points: Array, radii: Array, cone: Cone | None, at: Array | None = None) -> Array:
    """What a blade bears on: the given point; else every part of the structure in the
    corridor (thinned); else its point nearest the corridor's axis; with no corridor yet,
    its middle."""
    if at is not None:
        return np.asarray(at, float).reshape(1, 3)
    if cone is None:
        return points.mean(axis=0).reshape(1, 3)
    inside = points[cone.clearance(points, radii) < 0.0]
    if len(inside):
        return thin_points(inside)
    _, d = cone.axial(points)
    return points[int(np.argmin(d))].reshape(1, 3)


def blade_seat(contact: Array, cone: Cone | None) -> Array:
    """Where the blade is drawn: the contact point nearest the corridor's axis."""
    if cone is None or len(contact) == 1:
        return contact[0]
    _, d = cone.axial(contact)
    return contact[int(np.argmin(d))]


def retraction_needed(
    points: Array,
    radii: Array,
    contact: Array,
    way: Array,
    reach: float,
    path: Cone,
    share: Array | None = None,
) -> float | None:
    """How far a blade on ``contact`` must move the structure along the unit vector ``way``
    for it to be clear of ``path`` (0 if it already is; None if no move up to
    :data:`MAX_NEEDED_MM` does it, e.g. a part in the path lies beyond the blade's reach).
    ``share``: how much of the move each point takes (an anchored vessel's)."""
    gap = path.clearance(points, radii)
    if gap.min() >= 0.0:
        return 0.0
    w = Move(contact, way, reach).weights(points)
    if share is not None:
        w = w * share
    if np.any((gap < 0.0) & (w <= 0.0)):
        return None
    near = (w > 0.0) & (gap < MAX_NEEDED_MM)
    pts, r, w = points[near], radii[near], w[near]
    amounts = np.arange(0.0, MAX_NEEDED_MM + NEEDED_STEP_MM / 2, NEEDED_STEP_MM)
    moved = pts[None, :, :] + (amounts[:, None, None] * w[None, :, None]) * way[None, None, :]
    gaps = path.clearance(moved.reshape(-1, 3), np.tile(r, len(amounts)))
    clear = gaps.reshape(len(amounts), -1).min(axis=1) >= 0.0
    return float(amounts[int(np.argmax(clear))]) if clear.any() else None


def retracted(s: Structure, moves: tuple[Move, ...], anchored: bool = False) -> Structure:
    g = s.geometry
    if isinstance(g, CenterlineGeometry):
        return s.model_copy(update={"geometry": deform_centerline(g, moves, anchored)})
    raw = tuple((tuple(map(_vec, m.contact)), _vec(m.by), float(m.reach)) for m in moves)
    base = g.base if isinstance(g, DeformedGeometry) else g.model_dump()
    old = g.moves if isinstance(g, DeformedGeometry) else ()
    deformed = DeformedGeometry(base=base, moves=(*old, *raw))
    return s.model_copy(update={"geometry": deformed})


def _vec(v: Array) -> tuple[float, float, float]:
    return (float(v[0]), float(v[1]), float(v[2]))


def moved_points(s: Structure, mesh_points: Mapping[str, Array]) -> Array:
    """The points a retraction actually moves: a tube's control points (its curve is drawn
    through them), a surface's vertices."""
    if isinstance(s.geometry, CenterlineGeometry):
        return np.asarray(s.geometry.points, float)
    return substance(s, mesh_points)[0]


def max_shift(points: Array, moves: tuple[Move, ...], share: Array | None = None) -> float:
    shift = displace(points, moves) - points
    if share is not None:
        shift = shift * share[:, None]
    return float(np.linalg.norm(shift, axis=1).max())


def anchor_share(
    s: Structure, tree: VesselTree, moves_on: Mapping[str, object], points: Array
) -> Array | None:
    """For a moved vessel whose origin stays put (its parent and siblings are not moved in
    this step), how much of the move each of its points takes (see
    :func:`~atlas_app.geometry.deform.anchor_weights`); None when it moves freely."""
    origin = tree.origin.get(s.id, ())
    if not origin or any(o in moves_on for o in origin):
        return None
    return anchor_weights(points)


def mouth_share(t: Tether, parent_anchored: bool) -> float:
    """How much of its parent's move a tributary's mouth takes."""
    if not parent_anchored:
        return 1.0
    u = min(t.mouth_at_mm / ANCHOR_MM, 1.0)
    return float(0.5 * (1.0 - np.cos(np.pi * u)))


def tree_of(lines: Mapping[str, CenterlineGeometry], vessels: dict[str, str]) -> VesselTree:
    """:func:`find_vessel_tree`, remembered: most specimens share their vessels."""
    return _tree(_vessel_key(lines, vessels))


@memoize(items=256)
def _tree(key: tuple[tuple[str, str, str], ...]) -> VesselTree:
    lines = {k: CenterlineGeometry.model_validate_json(j) for k, _, j in key}
    return find_vessel_tree(lines, {k: c for k, c, _ in key})


def _vessel_key(
    lines: Mapping[str, CenterlineGeometry], vessels: dict[str, str]
) -> tuple[tuple[str, str, str], ...]:
    return tuple((k, vessels[k], lines[k].model_dump_json()) for k in sorted(vessels))


def tethers_of(lines: Mapping[str, CenterlineGeometry], vessels: dict[str, str]) -> list[Tether]:
    """:func:`find_tethers`, remembered: most specimens share their vessels."""
    return _tethers(_vessel_key(lines, vessels))


@memoize(items=256)
def _tethers(key: tuple[tuple[str, str, str], ...]) -> list[Tether]:
    lines = {k: CenterlineGeometry.model_validate_json(j) for k, _, j in key}
    return find_tethers(lines, {k: c for k, c, _ in key})
