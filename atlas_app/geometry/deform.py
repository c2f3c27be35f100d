"""Retraction as a smooth displacement of tissue, and the tethers it pulls on.

A retractor blade bears at one point and moves the tissue there by a vector; tissue
around it follows with a fall-off that has zero slope at the blade and at its reach, so a
retracted vessel bends instead of breaking. Side branches attached to a moved vessel
(the iliolumbar vein on the common iliac vein) are dragged at their mouth while their far
end stays anchored, and stretch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv

from atlas_app.geometry.centerline import Array, nearest_on_polyline
from atlas_app.model.schema import CenterlineGeometry, Record, Vec3
from atlas_app.model.specimen import arc_lengths, falloff_weights


@dataclass(frozen=True)
class Move:
    """One blade: tissue at ``at`` moves by ``by`` (mm); the effect fades out by ``reach``."""

    at: Array
    by: Array
    reach: float

    def displacement(self, points: Array) -> Array:
        d = np.linalg.norm(np.asarray(points, float) - self.at[None, :], axis=1)
        return falloff_weights(d, self.reach)[:, None] * self.by[None, :]


def displace(points: Array, moves: tuple[Move, ...]) -> Array:
    """Points after every move (moves add up)."""
    out = np.asarray(points, float).copy()
    for m in moves:
        out = out + m.displacement(points)
    return out


class DeformedGeometry(Record):
    """A mesh or parametric shape with retractor moves applied to its surface.

    Not a data kind: the step engine wraps a structure's geometry in it. It is a record so
    that the surface cache can key on it like on any other geometry.
    """

    kind: str = "deformed"
    base: dict[str, object]
    moves: tuple[tuple[Vec3, Vec3, float], ...]

    def as_moves(self) -> tuple[Move, ...]:
        return tuple(Move(np.asarray(a, float), np.asarray(b, float), r) for a, b, r in self.moves)


def deform_surface(mesh: pv.PolyData, moves: tuple[Move, ...]) -> pv.PolyData:
    out = mesh.copy()
    out.points = displace(np.asarray(mesh.points), moves)
    return out


def deform_centerline(geometry: CenterlineGeometry, moves: tuple[Move, ...]) -> CenterlineGeometry:
    pts = displace(np.asarray(geometry.points, float), moves)
    return geometry.model_copy(update={"points": [tuple(map(float, p)) for p in pts]})


@dataclass(frozen=True)
class Tether:
    """A side branch whose mouth sits on a parent vessel and whose far end is anchored."""

    branch: str
    parent: str
    rest_length: float


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
                out.append(Tether(bid, pid, float(arc_lengths(b)[-1])))
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


def drag_mouth(points: Array, parent_moves: tuple[Move, ...]) -> Array:
    """A branch whose mouth moves with its parent and whose far end is anchored: points
    between follow in proportion to their arc length from the far end."""
    pts = np.asarray(points, float)
    shift = displace(pts[:1], parent_moves)[0] - pts[0]
    s = arc_lengths(pts)
    w = (s[-1] - s) / s[-1]
    return pts + w[:, None] * shift[None, :]


def stretch(tether: Tether, branch: CenterlineGeometry, moves: tuple[Move, ...]) -> TetherStrain:
    """How far a parent's retraction drags the branch's mouth and how much the branch,
    anchored at its far end, lengthens (0 when it is shortened: slack, not stretch)."""
    pts = np.asarray(branch.points, float)
    moved = drag_mouth(pts, moves)
    length = float(arc_lengths(moved)[-1])
    return TetherStrain(
        tether.branch,
        tether.parent,
        float(np.linalg.norm(moved[0] - pts[0])),
        max(0.0, (length - tether.rest_length) / tether.rest_length),
    )
