"""Great and iliac vessels and the ureters: centerlines fitted to BodyParts3D surfaces.

Each vessel surface is traced section by section (``centerlines.trace_tube``); the aorta, the
vena cava and the ureters are cut at ``top_z`` (the region shown ends about L3). Each parent
ends, and its branches start, at the point of its axis where the branches' axes meet it, so
the tree is joined exactly; then each line is smoothed along its length and resampled to a
few control points. A branch's first radius is its parent's last, so tubes meet flush.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyvista as pv

from atlas_build.centerlines import (
    Centerline,
    cut_z,
    end_parent_at,
    hold_end_radii,
    junction_on_axis,
    orient,
    resample,
    smooth,
    start_branch_at,
    trace_tube,
)
from atlas_build.prose import Entry, load_prose, load_section
from atlas_build.registration import RigidMap
from atlas_build.sources import Source
from atlas_build.writers import r1

CLIP_MARGIN_MM = 15.0
"""Vessels cut at ``top_z`` are traced a little above it, so the cut is not an end effect."""
URETER_AREA_RANGE = (0.25, 4.0)
"""A ureter's section varies more along it (renal pelvis above, peristalsis) than a vessel's."""


@dataclass
class Vessels:
    entries: dict[str, Entry]
    surfaces: dict[str, pv.PolyData]
    lines: dict[str, Centerline] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)

    def records(self, cite: list[Any]) -> list[dict[str, Any]]:
        out = []
        for vid, entry in self.entries.items():
            line = self.lines[vid]
            out.append(
                entry.atlas_record(
                    {
                        "kind": "centerline",
                        "points": [r1(p) for p in line.points],
                        "radius": r1(line.radii),
                        "source": cite,
                    }
                )
            )
        return out


def trees(entries: dict[str, Entry]) -> dict[str, list[str]]:
    """Parent id → the ids of the branches that start at its end."""
    return {
        vid: list(e.build.get("branches", []))
        for vid, e in entries.items()
        if "branches" in e.build
    }


def trace(entry: Entry, surface: pv.PolyData) -> Centerline:
    """The dense traced line of one vessel, top end first, cut at ``top_z`` if it has one."""
    top = entry.build.get("top_z")
    if top is not None:
        surface = surface.clip(
            normal="z", origin=(0.0, 0.0, float(top) + CLIP_MARGIN_MM), invert=True
        )
    area_range = URETER_AREA_RANGE if entry.record["category"] == "viscus" else (0.4, 2.0)
    line = orient(hold_end_radii(trace_tube(surface, area_range)))
    if top is not None:
        line = cut_z(line, z_max=float(top))
    return line


def fit_vessels(source: Source, rigid: RigidMap) -> Vessels:
    """Trace, join, smooth and resample every vessel and ureter."""
    entries = load_prose("vessels")
    surfaces = {vid: rigid.mesh(source.surface(e.build["source"])) for vid, e in entries.items()}
    out = Vessels(entries, surfaces)
    tree = trees(entries)
    branch_ids = {b for bs in tree.values() for b in bs}
    dense: dict[str, Centerline] = {}
    for vid, entry in entries.items():
        if vid not in branch_ids:
            dense[vid] = trace(entry, surfaces[vid])
    # Parents before their branches: the order of the prose file.
    for parent_id, children in tree.items():
        parent = dense[parent_id]
        for cid in children:
            traced = hold_end_radii(trace_tube(surfaces[cid]))
            dense[cid] = orient(traced, parent.points[-1])
        joint = junction_on_axis(parent, [dense[c] for c in children])
        parent = end_parent_at(parent, joint)
        dense[parent_id] = parent
        for cid in children:
            dense[cid] = start_branch_at(dense[cid], joint, float(parent.radii[-1]))
    for vid in entries:
        out.lines[vid] = resample(smooth(dense[vid], keep_first_radius=vid in branch_ids))
    # A branch starts exactly where, and as wide as, its parent ends after the parent's own
    # smoothing.
    for parent_id, children in tree.items():
        for cid in children:
            out.lines[cid].points[0] = out.lines[parent_id].points[-1]
            out.lines[cid].radii[0] = out.lines[parent_id].radii[-1]
    for vid, line in out.lines.items():
        out.report[vid] = {
            "points": len(line),
            "length_mm": round(line.length(), 1),
            "diameter_mm": {
                "min": round(2 * float(line.radii.min()), 1),
                "median": round(2 * float(np.median(line.radii)), 1),
                "max": round(2 * float(line.radii.max()), 1),
            },
        }
    return out


def vessel_records(vessels: Vessels) -> list[dict[str, Any]]:
    return vessels.records(load_section("vessels", "geometry_cite"))
