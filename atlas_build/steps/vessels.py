"""Great and iliac vessels and the ureters: centerlines fitted to BodyParts3D surfaces.

Each vessel surface is traced section by section (``centerlines.trace_tube``); the aorta, the
vena cava and the ureters are cut at ``top_z`` (the region shown ends about L3). Each parent
ends, and its branches start, at the point of its axis where the branches' axes meet it, so
the tree is joined exactly; then each line is smoothed along its length and resampled to a
few control points. A branch's first radius is its parent's last, so tubes meet flush.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    warp_centerline,
)
from atlas_build.landmarks import Body
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
    moved: set[str] = field(default_factory=set)

    def records(self, cite: list[Any], moved_cite: list[Any]) -> list[dict[str, Any]]:
        out = []
        for vid, entry in self.entries.items():
            line = self.lines[vid]
            source = cite + moved_cite if vid in self.moved else cite
            out.append(
                entry.atlas_record(
                    {
                        "kind": "centerline",
                        "points": [r1(p) for p in line.points],
                        "radius": r1(line.radii),
                        "source": source,
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


def fit_vessels(source: Source, rigid: RigidMap, bodies: Mapping[str, Body]) -> Vessels:
    """Trace, join, smooth and resample every vessel and ureter; then move any junction that
    the prose sets to a default level there."""
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
    for vid, entry in entries.items():
        if "default_junction" in entry.build:
            out.report[f"{vid}_junction"] = place_junction(out, tree, vid, entry, bodies)
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


def place_junction(
    vessels: Vessels,
    tree: dict[str, list[str]],
    parent_id: str,
    entry: Entry,
    bodies: Mapping[str, Body],
) -> dict[str, Any]:
    """Move the junction at the end of ``parent_id`` to the height its prose sets (``body``,
    its ``top`` or ``bottom``, plus ``offset_mm``), dragging the parent's end and its branches'
    starts together with the smooth falloff the level variants use, so the vessels bend
    rather than break."""
    rule = entry.build["default_junction"]
    body = bodies[rule["body"]]
    target = (body.top_z if rule["from"] == "top" else body.bottom_z) + float(rule["offset_mm"])
    before = vessels.lines[parent_id].points[-1].copy()
    by = np.array([0.0, 0.0, target - before[2]])
    if rule.get("rest_on_body"):
        # Down here the joined veins lie on the front of the body, not clear of it.
        r_end = float(vessels.lines[parent_id].radii[-1])
        by[1] = body.anterior_y + r_end + 1.0 - before[1]
    reach = float(rule["falloff_mm"])
    parent = vessels.lines[parent_id]
    parent.points = warp_centerline(parent.points, "end", by, reach)
    vessels.moved.update([parent_id, *tree[parent_id]])
    for cid in tree[parent_id]:
        child = vessels.lines[cid]
        child.points = warp_centerline(child.points, "start", by, reach)
    return {
        "source_z": round(float(before[2]), 1),
        "default_z": round(float(target), 1),
        "moved_mm": [round(float(v), 1) for v in by],
        "rule": rule,
    }


def vessel_records(vessels: Vessels) -> list[dict[str, Any]]:
    return vessels.records(
        load_section("vessels", "geometry_cite"), load_section("vessels", "junction_cite")
    )
