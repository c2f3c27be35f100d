"""Cement leaks as geometry: where each reported kind of leak lies and what it threatens.

A leak is a union of spheres built from the data's point specs on one specimen and side.
Its threat to a structure is the gap between the cement's surface and the structure's
surface (negative: the cement overlaps it, as around the L5 root in the reported case).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atlas_app.geometry.measure import signed_distance
from atlas_app.geometry.specimen_meshes import cached_structure_mesh
from atlas_app.model.atlas import Atlas
from atlas_app.model.specimen import Specimen
from atlas_app.sacroplasty.loader import SacroplastySet
from atlas_app.sacroplasty.needle import Anatomy, Spheres, anatomy_for
from atlas_app.sacroplasty.points import resolve
from atlas_app.sacroplasty.schema import LeakScenario, sided

NEARBY_MM = 10.0


@dataclass(frozen=True)
class Threat:
    """A structure near a leak: ``gap_mm`` from the cement's surface to its surface."""

    id: str
    name: str
    gap_mm: float
    named: bool  # the scenario names it as threatened


@dataclass(frozen=True)
class Leak:
    scenario: LeakScenario
    side: str
    cement: Spheres
    threats: tuple[Threat, ...]  # named ones first, then others within NEARBY_MM

    @property
    def nearest_named(self) -> Threat | None:
        named = [t for t in self.threats if t.named]
        return min(named, key=lambda t: t.gap_mm) if named else None


def leak_cement(data: SacroplastySet, specimen: Specimen, scenario_id: str, side: str) -> Spheres:
    s = data.leaks[scenario_id]
    centres = np.array([resolve(c.where, specimen, side, data) for c in s.cement])
    return Spheres(centres, np.array([c.radius_mm for c in s.cement], float))


def cement_gap(atlas: Atlas, specimen: Specimen, structure_id: str, cement: Spheres) -> float:
    """Gap from the cement's surface to a structure's surface (mm, negative overlapping)."""
    mesh = cached_structure_mesh(atlas, specimen.structures[structure_id])
    return float((signed_distance(mesh, cement.centres) - cement.radii).min())


def leak_threats(
    atlas: Atlas, specimen: Specimen, anatomy: Anatomy, scenario: LeakScenario, cement: Spheres
) -> tuple[Threat, ...]:
    named = [sided(t, anatomy.side) for t in scenario.threatens]
    out = []
    for sid in named:
        if sid in specimen.structures:
            gap = cement_gap(atlas, specimen, sid, cement)
            out.append(Threat(sid, specimen.structures[sid].name, gap, True))
    others = []
    for nerve in anatomy.nerves:
        if nerve.id in named:
            continue
        gap = cement_gap(atlas, specimen, nerve.id, cement)
        if gap < NEARBY_MM:
            others.append(Threat(nerve.id, nerve.name, gap, False))
    return (*sorted(out, key=lambda t: t.gap_mm), *sorted(others, key=lambda t: t.gap_mm))


def build_leak(
    atlas: Atlas, specimen: Specimen, data: SacroplastySet, scenario_id: str, side: str
) -> Leak:
    """A leak scenario on one side of a specimen, with the structures it threatens."""
    scenario = data.leaks[scenario_id]
    cement = leak_cement(data, specimen, scenario_id, side)
    anatomy = anatomy_for(atlas, specimen, data, side)
    return Leak(scenario, side, cement, leak_threats(atlas, specimen, anatomy, scenario, cement))


def describe_gap(gap_mm: float) -> str:
    """A gap in words: 'surrounds it' for a deep overlap, 'touches it', or the distance."""
    if gap_mm < -1.0:
        return "the cement surrounds or presses on it"
    if gap_mm <= 0.0:
        return "the cement touches it"
    return f"{gap_mm:.1f} mm away"
