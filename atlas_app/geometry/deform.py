"""Retraction as a smooth displacement of tissue, and the tethers it pulls on.

A retractor blade bears on part of a structure (a point, or every point of it that lies in
the working corridor: a blade holds the whole stretch of a vessel it lifts out of the way)
and moves that part by a vector; tissue around it follows with a fall-off that has zero
slope at the blade and at its reach, so a retracted vessel bends instead of breaking.
Blades pushing the same way do not add up (tissue held by two blades is held once): each
point moves as far as the blade that moves it most in that direction. Vessels joined end
to end to a retracted one (its continuation, its terminal branches) follow the same field,
so joins hold. Side branches attached to a moved vessel (the iliolumbar vein on the common
iliac vein) are dragged at their mouth while their far end stays anchored, and stretch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv
from scipy.spatial import cKDTree

from atlas_app.geometry.centerline import Array, nearest_on_polyline
from atlas_app.model.geometry_schema import CenterlineGeometry
from atlas_app.model.records import Record, Vec3
from atlas_app.model.specimen import arc_lengths, falloff_weights


@dataclass(frozen=True)
class Move:
    """One blade: the tissue at ``at`` (one point, or the (k, 3) points it bears on) moves
    by ``by`` (mm); the effect fades out by ``reach`` from the nearest of them."""

    at: Array
    by: Array
    reach: float

    @property
    def contact(self) -> Array:
        return np.asarray(self.at, float).reshape(-1, 3)

    def weights(self, points: Array) -> Array:
        """1 on the blade, easing to 0 at ``reach`` from it."""
        pts = np.asarray(points, float).reshape(-1, 3)
        contact = self.contact
        if len(contact) == 1:
            d = np.linalg.norm(pts - contact[0][None, :], axis=1)
        else:
            d, _ = cKDTree(contact).query(pts, distance_upper_bound=self.reach)
        return falloff_weights(np.minimum(d, self.reach), self.reach)

    def displacement(self, points: Array) -> Array:
        return self.weights(points)[:, None] * np.asarray(self.by, float)[None, :]


def displace(points: Array, moves: tuple[Move, ...]) -> Array:
    """Points after every move. Moves the same way do not add: a point goes as far as the
    one that moves it most; moves in different directions add."""
    pts = np.asarray(points, float)
    out = pts.copy()
    ways: dict[tuple[float, ...], list[Move]] = {}
    for m in moves:
        size = float(np.linalg.norm(m.by))
        if size > 0.0:
            ways.setdefault(tuple(np.round(np.asarray(m.by, float) / size, 6)), []).append(m)
    for way, same in ways.items():
        amount = np.max([m.weights(pts) * float(np.linalg.norm(m.by)) for m in same], axis=0)
        out = out + amount.reshape(-1, 1) * np.asarray(way)[None, :]
    return out


def thin_points(points: Array, spacing_mm: float = 3.0) -> Array:
    """One point per ``spacing_mm`` cube: a blade's contact kept small enough to store and
    key caches on, without changing the field it makes (its fall-off is flat at 0)."""
    pts = np.asarray(points, float).reshape(-1, 3)
    if len(pts) == 0:
        return pts
    _, first = np.unique(np.floor(pts / spacing_mm).astype(np.int64), axis=0, return_index=True)
    return pts[np.sort(first)]


class DeformedGeometry(Record):
    """A mesh or parametric shape with retractor moves applied to its surface.

    Not a data kind: the step engine wraps a structure's geometry in it. It is a record so
    that the surface cache can key on it like on any other geometry. Each move is (the
    points the blade bears on, the vector, the reach).
    """

    kind: str = "deformed"
    base: dict[str, object]
    moves: tuple[tuple[tuple[Vec3, ...], Vec3, float], ...]

    def as_moves(self) -> tuple[Move, ...]:
        return tuple(Move(np.asarray(a, float), np.asarray(b, float), r) for a, b, r in self.moves)


def deform_surface(mesh: pv.PolyData, moves: tuple[Move, ...]) -> pv.PolyData:
    out = mesh.copy()
    out.points = displace(np.asarray(mesh.points), moves)
    return out


def deform_centerline(
    geometry: CenterlineGeometry, moves: tuple[Move, ...], anchored: bool = False
) -> CenterlineGeometry:
    """The line after the moves; ``anchored``: its origin stays put (see
    :func:`anchor_weights`)."""
    pts = np.asarray(geometry.points, float)
    shift = displace(pts, moves) - pts
    if anchored:
        shift = shift * anchor_weights(pts)[:, None]
    moved = pts + shift
    return geometry.model_copy(update={"points": [tuple(map(float, p)) for p in moved]})


JOIN_MM = 1.0
"""Vessels whose ends lie this close are joined (the build makes joins exact)."""
ANCHOR_MM = 25.0
"""A retracted vessel whose origin stays put pivots on it: its move eases in over this
length from its origin (the great vessels it leaves do not follow a blade on a branch)."""


@dataclass(frozen=True)
class VesselTree:
    """How vessels join end to end. Each vessel's first point is its origin (where it
    leaves its parent or joins its sibling: the build writes vessels from the heart
    outward). ``branches``: the vessels that begin where a vessel ends, and theirs in
    turn (its continuation and divisions: what a blade on it carries along). ``origin``:
    the vessels that meet a vessel's first point (its parent and siblings)."""

    branches: dict[str, tuple[str, ...]]
    origin: dict[str, tuple[str, ...]]


def find_vessel_tree(
    centerlines: dict[str, CenterlineGeometry], vessels: dict[str, str]
) -> VesselTree:
    """The end-to-end joins of the vessels of one specimen (``vessels``: id → category;
    only vessels of the same category join). Side branches are not joins (see
    :func:`find_tethers`)."""
    first = {v: np.asarray(centerlines[v].points[0], float) for v in vessels}
    last = {v: np.asarray(centerlines[v].points[-1], float) for v in vessels}

    def near(a: Array, b: Array) -> bool:
        return bool(np.linalg.norm(a - b) <= JOIN_MM)

    ids = sorted(vessels)
    children = {
        v: [w for w in ids if w != v and vessels[w] == vessels[v] and near(first[w], last[v])]
        for v in ids
    }
    origin = {
        v: tuple(
            w
            for w in ids
            if w != v
            and vessels[w] == vessels[v]
            and (near(first[v], first[w]) or near(first[v], last[w]))
        )
        for v in ids
    }
    branches: dict[str, tuple[str, ...]] = {}
    for v in ids:
        seen: list[str] = []
        todo = list(children[v])
        while todo:
            w = todo.pop(0)
            if w not in seen and w != v:
                seen.append(w)
                todo.extend(children[w])
        branches[v] = tuple(seen)
    return VesselTree(branches, origin)


def anchor_weights(points: Array) -> Array:
    """0 at a line's first point, easing to 1 at :data:`ANCHOR_MM` along it (zero slope at
    both ends): how much of a blade's move a vessel anchored at its origin takes."""
    s = arc_lengths(np.asarray(points, float))
    t = np.clip(s / ANCHOR_MM, 0.0, 1.0)
    return 0.5 * (1.0 - np.cos(np.pi * t))


@dataclass(frozen=True)
class Tether:
    """A side branch whose mouth sits on a parent vessel and whose far end is anchored."""

    branch: str
    parent: str
    rest_length: float
    mouth_at_mm: float = 0.0  # where the mouth lies along the parent, from its origin


def find_tethers(
    centerlines: dict[str, CenterlineGeometry], vessels: dict[str, str]
) -> list[Tether]:
    """Side branches: vessels whose first point lies on the wall of another vessel of the
    same kind (vein on vein, artery on artery), away from that vessel's ends, and not at
    any vessel's end (a tributary, not a terminal division). ``vessels``: id → category."""
    ends = np.asarray(
        [p for v in vessels for p in (centerlines[v].points[0], centerlines[v].points[-1])], float
    )
    out = []
    for bid in sorted(vessels):
        b = np.asarray(centerlines[bid].points, float)
        others_ends = np.linalg.norm(ends - b[0], axis=1)
        if (others_ends < 1.0).sum() > 1:  # it starts where another vessel ends or starts
            continue
        for pid in sorted(vessels):
            if pid == bid or vessels[pid] != vessels[bid]:
                continue
            p = np.asarray(centerlines[pid].points, float)
            near = nearest_on_polyline(b[:1], p)
            r = near.interpolate(np.asarray(centerlines[pid].radii(), float))[0]
            s = arc_lengths(p)
            pos = s[near.segment[0]] + near.fraction[0] * (
                s[near.segment[0] + 1] - s[near.segment[0]]
            )
            if near.distance[0] <= 1.6 * r and 3.0 < pos < s[-1] - 3.0:
                out.append(Tether(bid, pid, float(arc_lengths(b)[-1]), float(pos)))
                break
    return out


PULLED_STRAIN = 0.005
"""A branch lengthened by less than 0.5 % is not pulled on: the rounding of a smooth drag."""


@dataclass(frozen=True)
class TetherStrain:
    branch: str
    parent: str
    mouth_shift_mm: float
    strain: float  # elongation over rest length (0.1 = 10 %); never negative

    @property
    def pulled(self) -> bool:
        """Whether the retraction pulls on the branch at all: a branch whose mouth is pushed
        toward its anchor goes slack, it is not stretched (and not worth a warning)."""
        return self.strain > PULLED_STRAIN


def drag_mouth(points: Array, parent_moves: tuple[Move, ...], scale: float = 1.0) -> Array:
    """A branch whose mouth moves with its parent (``scale`` times the moves: an anchored
    parent moves less near its origin) and whose far end is anchored: points between
    follow in proportion to their arc length from the far end."""
    pts = np.asarray(points, float)
    shift = (displace(pts[:1], parent_moves)[0] - pts[0]) * scale
    s = arc_lengths(pts)
    w = (s[-1] - s) / s[-1]
    return pts + w[:, None] * shift[None, :]


def stretch(
    tether: Tether, branch: CenterlineGeometry, moves: tuple[Move, ...], scale: float = 1.0
) -> TetherStrain:
    """How far a parent's retraction drags the branch's mouth and how much the branch,
    anchored at its far end, lengthens (0 when it is shortened: slack, not stretch)."""
    pts = np.asarray(branch.points, float)
    moved = drag_mouth(pts, moves, scale)
    length = float(arc_lengths(moved)[-1])
    return TetherStrain(
        tether.branch,
        tether.parent,
        float(np.linalg.norm(moved[0] - pts[0])),
        max(0.0, (length - tether.rest_length) / tether.rest_length),
    )
