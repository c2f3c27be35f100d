"""Nerves that Z-Anatomy models: centerlines fitted to its swept tubes.

Z-Anatomy draws each nerve as a few open tubes (a trunk and some roots or branches). The
piece the prose names is turned into rings (``centerlines.tube_rings``), cut where the prose
says, smoothed lightly and resampled. Its radius is the fitted one unless the prose gives a
published calibre (Z-Anatomy draws its lumbosacral nerves 1–2 mm thick whatever their size).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyvista as pv

from atlas_build.centerlines import (
    Centerline,
    connected_pieces,
    cut_at,
    cut_z,
    nearest_distance,
    resample,
    smooth,
    tube_rings,
)
from atlas_build.prose import Entry, load_prose, load_section
from atlas_build.registration import RigidMap
from atlas_build.sources import Source
from atlas_build.writers import r1

Array = np.ndarray
NERVE_SPACING_MM = 6.0
NERVE_SMOOTHING_MM = 1.5
LEAVES_GAP_MM = 2.5
"""A nerve has left another once its centreline is this far from the other's."""


@dataclass
class Nerve:
    entry: Entry
    line: Centerline
    fitted_radius: tuple[float, float]  # min, max of Z-Anatomy's drawn radius


@dataclass
class Nerves:
    items: dict[str, Nerve] = field(default_factory=dict)

    def line(self, nid: str) -> Centerline:
        return self.items[nid].line

    def records(self, cite: list[Any]) -> list[dict[str, Any]]:
        return [nerve_record(n, cite) for n in self.items.values()]

    def report(self) -> dict[str, Any]:
        return {
            nid: {
                "points": len(n.line),
                "length_mm": round(n.line.length(), 1),
                "zanatomy_radius_mm": [round(v, 2) for v in n.fitted_radius],
                "radius": "published calibre" if "calibre" in n.entry.build else "fitted",
            }
            for nid, n in self.items.items()
        }


def nerve_record(nerve: Nerve, cite: list[Any]) -> dict[str, Any]:
    calibre = nerve.entry.build.get("calibre")
    cite = cite + [
        {k: " ".join(str(v).split()) if k == "note" else v for k, v in c.items()}
        for c in nerve.entry.build.get("course_cite", [])
    ]
    geometry: dict[str, Any] = {"kind": "centerline", "points": [r1(p) for p in nerve.line.points]}
    if calibre:
        geometry["radius"] = float(calibre["radius"])
        if "aspect" in calibre:
            geometry["aspect"] = float(calibre["aspect"])
            geometry["flat_normal"] = [float(v) for v in calibre["flat_normal"]]
        geometry["source"] = cite + list(calibre["cite"])
    else:
        geometry["radius"] = r1(nerve.line.radii)
        geometry["source"] = cite
    return nerve.entry.atlas_record(geometry)


def za_lines(source: Source, rigid: RigidMap, stem: str) -> list[Centerline]:
    """The centreline of every piece of a Z-Anatomy nerve, in the atlas frame."""
    mesh = rigid.mesh(source.surface(stem))
    return [tube_rings(p) for p in connected_pieces(mesh)]


def pick(lines: list[Centerline], rule: Any, landmarks: dict[str, Array]) -> Centerline:
    if rule == "longest":
        return max(lines, key=lambda c: c.length())
    target = landmarks[rule["start_near"]]
    line = min(lines, key=lambda c: float(np.linalg.norm(c.points[0] - target)))
    return line


def after_leaving(line: Centerline, other: Centerline) -> Centerline:
    """The part of ``line`` after it last comes within :data:`LEAVES_GAP_MM` of ``other``."""
    pts = other.points
    gaps = np.array([float(np.min(np.linalg.norm(pts - p, axis=1))) for p in line.points])
    close = np.nonzero(gaps < LEAVES_GAP_MM + float(other.radii.max()))[0]
    if not len(close):
        return line
    return cut_at(line, float(line.arc()[close[-1]]), keep="end")


def fit_nerve(
    source: Source,
    rigid: RigidMap,
    entry: Entry,
    landmarks: dict[str, Array],
    done: dict[str, Nerve],
) -> Nerve:
    b = entry.build
    lines = za_lines(source, rigid, b["source"] if "source" in b else b["za"])
    line = pick(lines, b["piece"], landmarks)
    if "then" in b:
        more = max(za_lines(source, rigid, b["then"]), key=lambda c: c.length())
        start = nearest_distance(more, line.points[-1])
        line = line.concat(cut_at(more, start, keep="end"))
    if "below_junction_of" in b:
        root = done[b["below_junction_of"]].line
        line = cut_at(line, nearest_distance(line, root.points[-1]), keep="end")
    if "leaves" in b:
        other = max(za_lines(source, rigid, b["leaves"]), key=lambda c: c.length())
        line = after_leaving(line, other)
    if "bottom_z" in b and line.points[:, 2].min() < float(b["bottom_z"]):
        line = cut_z(line, z_min=float(b["bottom_z"]))
    fitted = (float(line.radii.min()), float(line.radii.max()))
    # A ring at a tube's very tip can read far thinner than the drawn nerve.
    line = Centerline(line.points, np.maximum(line.radii, np.percentile(line.radii, 10)))
    line = resample(smooth(line, NERVE_SMOOTHING_MM), NERVE_SPACING_MM, low=4, high=40)
    return Nerve(entry, line, fitted)


def fit_nerves(source: Source, rigid: RigidMap, landmarks: dict[str, Array]) -> Nerves:
    out = Nerves()
    for nid, entry in load_prose("nerves").items():
        out.items[nid] = fit_nerve(source, rigid, entry, landmarks, out.items)
    return out


def nerve_records(nerves: Nerves) -> list[dict[str, Any]]:
    return nerves.records(load_section("nerves", "geometry_cite"))


def za_surface(source: Source, rigid: RigidMap, stem: str) -> pv.PolyData:
    """A Z-Anatomy surface in the atlas frame (for pictures and checks)."""
    return rigid.mesh(source.surface(stem))
