"""Landmarks measured on the adult body: bones first (the vessels' default levels are set
against them), then the vessel junctions."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from atlas_build.landmarks import (
    SIDE_SIGN,
    Body,
    S1Body,
    ala_ridge,
    disc_front,
    dorsal_foramina,
    joint_anterior,
    joint_inferior,
    joint_margin,
    joint_surface,
    obturator_canal,
    s1_body,
    sacral_foramina,
    vertebral_body,
)
from atlas_build.prose import Entry, load_prose, load_section
from atlas_build.steps.solids import Solids
from atlas_build.writers import r1

Array = np.ndarray
BRIM_MEDIAL_TO_JOINT_MM = 10.0


@dataclass
class Measured:
    """Every measured point by landmark id, and the bodies and joint margins behind them."""

    points: dict[str, Array] = field(default_factory=dict)
    bodies: dict[str, Body] = field(default_factory=dict)
    joint_margins: dict[str, Array] = field(default_factory=dict)
    foramen_areas: dict[str, float] = field(default_factory=dict)
    s1: S1Body | None = None

    def level_of(self, z: float) -> str:
        """'L4 body', 'L4–L5 disc', … for a height (midline bodies)."""
        names = ["l3", "l4", "l5"]
        for lv in names:
            b = self.bodies[lv]
            if b.bottom_z <= z <= b.top_z:
                return f"{lv.upper()} body"
        for upper, lower in pairwise(names):
            if self.bodies[lower].top_z < z < self.bodies[upper].bottom_z:
                return f"{upper.upper()}–{lower.upper()} disc"
        return "below L5" if z < self.bodies["l5"].bottom_z else "above L3"


def measure_bones(solids: Solids) -> Measured:
    """The bony landmarks, on the full-resolution surfaces (foramina on the detail copy, whose
    depth maps are quicker and as exact at their 0.5 mm grid)."""
    m = Measured()
    m.points["sacral_promontory"] = np.zeros(3)
    for lv in ("l3", "l4", "l5"):
        body = m.bodies[lv] = vertebral_body(solids.full(f"{lv}_vertebra"))
        m.points[f"{lv}_body_center"] = body.centre
        m.points[f"{lv}_body_top"] = np.array([0.0, body.centre_y, body.top_z])
        m.points[f"{lv}_body_bottom"] = np.array([0.0, body.centre_y, body.bottom_z])
    sacrum = solids.full("sacrum")
    m.s1 = s1_body(sacrum, solids.full("l5_s1_disc"), m.bodies["l5"].height)
    m.points["s1_body_center"] = m.s1.centre
    for disc in ("l4_l5", "l5_s1"):
        m.points[f"{disc}_disc_anterior_center"] = disc_front(solids.full(f"{disc}_disc"))
    for side, sign in SIDE_SIGN.items():
        hip = solids.full(f"hip_bone_{side}")
        joint = joint_surface(sacrum, hip, side)
        front = joint_anterior(joint)
        m.joint_margins[side] = joint_margin(joint)
        m.points[f"si_joint_anterior_{side}"] = front
        m.points[f"pelvic_brim_{side}"] = ala_ridge(
            sacrum, float(front[0]) - sign * BRIM_MEDIAL_TO_JOINT_MM
        )
        m.points[f"obturator_canal_{side}"] = obturator_canal(hip)
        m.points[f"si_joint_inferior_{side}"] = joint_inferior(joint)
    anterior = sacral_foramina(solids.detail("sacrum"))
    for face, found in (
        ("anterior", anterior),
        ("posterior", dorsal_foramina(solids.detail("sacrum"), anterior)),
    ):
        for foramen in found:
            lid = f"s{foramen.level}_{face}_foramen_{foramen.side}"
            m.points[lid] = foramen.mouth
            m.foramen_areas[lid] = foramen.area_mm2
    return m


def landmark_records(measured: Measured) -> list[dict[str, Any]]:
    """Records for every landmark of ``prose/landmarks.yaml``, in its order."""
    ref = load_section("landmarks", "cite")
    out = []
    entry: Entry
    for lid, entry in load_prose("landmarks").items():
        if lid not in measured.points:
            raise KeyError(f"landmark '{lid}' was not measured")
        source: dict[str, Any] = {"ref": ref}
        note = entry.build.get("note")
        if note:
            source["note"] = note
        out.append(
            {
                "id": lid,
                "name": entry.record["name"],
                "point": r1(measured.points[lid]),
                "description": entry.record["description"],
                "source": [source],
            }
        )
    return out
