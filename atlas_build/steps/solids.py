"""Bones, discs and muscles: whole BodyParts3D surfaces, mapped rigidly, in two copies."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyvista as pv

from atlas_build.prose import Entry, load_prose, load_section
from atlas_build.registration import RigidMap
from atlas_build.sources import Source
from atlas_build.surfaces import decimate, deviation, is_closed, largest_piece, write_vtp

DETAIL_LADDER = (2000, 4000, 8000, 16000)
DETAIL_TOLERANCE_MM = 0.25
"""A detail copy is the smallest rung of the ladder whose 99th-percentile distance from the
source surface is within this (or the source itself when it is smaller)."""
MESH_DIR = "meshes"
DETAIL_DIR = "meshes/detail"


@dataclass
class Solid:
    """One built solid: the full-resolution surface in the atlas frame and what was written."""

    entry: Entry
    full: pv.PolyData
    detail: pv.PolyData
    browser: pv.PolyData
    report: dict[str, Any]

    @property
    def id(self) -> str:
        return self.entry.id


@dataclass
class Solids:
    items: dict[str, Solid] = field(default_factory=dict)

    def full(self, sid: str) -> pv.PolyData:
        return self.items[sid].full

    def detail(self, sid: str) -> pv.PolyData:
        return self.items[sid].detail

    def records(self, cite: list[Any]) -> list[dict[str, Any]]:
        return [
            s.entry.atlas_record(
                {
                    "kind": "mesh",
                    "file": f"{MESH_DIR}/{s.id}.vtp",
                    "detail": f"{DETAIL_DIR}/{s.id}.vtp",
                    "source": cite,
                }
            )
            for s in self.items.values()
        ]


def detail_copy(mesh: pv.PolyData) -> tuple[pv.PolyData, tuple[float, float]]:
    """The smallest ladder rung within the tolerance, with its (mean, p99) deviation."""
    for target in DETAIL_LADDER:
        if target >= mesh.n_cells:
            break
        copy = decimate(mesh, target)
        dev = deviation(mesh, copy)
        if dev[1] <= DETAIL_TOLERANCE_MM:
            return copy, dev
    copy = mesh.copy()
    copy.points = np.asarray(copy.points, dtype=np.float32)
    return copy, deviation(mesh, copy)


def build_solid(source: Source, rigid: RigidMap, entry: Entry) -> Solid:
    """Map one source surface, keep its largest piece, make its two copies."""
    raw = rigid.mesh(source.surface(entry.build["source"]))
    kept = largest_piece(raw)
    full = kept.mesh
    detail, dev = detail_copy(full)
    browser = decimate(full, int(entry.build["browser_triangles"]), smooth=True)
    report = {
        "source": entry.build["source"],
        "source_name": source.file(entry.build["source"]).name,
        "source_triangles": int(raw.n_cells),
        "pieces": kept.pieces,
        "kept_area_fraction": round(kept.kept_area_fraction, 5),
        "detail_triangles": int(detail.n_cells),
        "detail_deviation_mm": {"mean": round(dev[0], 3), "p99": round(dev[1], 3)},
        "detail_closed": is_closed(detail),
        "browser_triangles": int(browser.n_cells),
        "browser_deviation_mm": dict(
            zip(("mean", "p99"), (round(v, 3) for v in deviation(full, browser)), strict=True)
        ),
        "browser_closed": is_closed(browser),
    }
    return Solid(entry, full, detail, browser, report)


def build_solids(source: Source, rigid: RigidMap) -> Solids:
    out = Solids()
    for entry in load_prose("solids").values():
        out.items[entry.id] = build_solid(source, rigid, entry)
    return out


def write_solids(solids: Solids, atlas_dir: Path) -> list[dict[str, Any]]:
    """Write both copies of every solid; their records."""
    for s in solids.items.values():
        s.report["browser_bytes"] = write_vtp(s.browser, atlas_dir / MESH_DIR / f"{s.id}.vtp")
        s.report["detail_bytes"] = write_vtp(s.detail, atlas_dir / DETAIL_DIR / f"{s.id}.vtp")
    return solids.records(load_section("solids", "geometry_cite"))
