"""The corridor and the instruments of a step drawn as schematic structures a scene can
show: the working funnel, blades lining it, the ring retractor at its mouth, probe and
punch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from atlas_app.approaches.retraction import AppliedRetraction
from atlas_app.approaches.schema import Step
from atlas_app.geometry.centerline import Array
from atlas_app.geometry.corridor import Cone
from atlas_app.model.geometry_schema import CenterlineGeometry, ParametricGeometry
from atlas_app.model.schema import Structure

CORRIDOR_ID = "working_corridor"
CORRIDOR_COLOR = "#3fa7d6"
INSTRUMENT_COLOR = "#7d8794"
ENGINE_SOURCE = [{"ref": "technical_note_2021", "note": "schematic instrument drawing"}]


def _extra(
    sid: str,
    name: str,
    color: str,
    geometry: ParametricGeometry | CenterlineGeometry,
    description: str,
) -> Structure:
    return Structure(
        id=sid,
        name=name,
        category="instrument",
        side="midline",
        color=color,
        description=description,
        schematic=True,
        geometry=geometry,
    )


def _cone_geometry(
    p0: Array, p1: Array, r0: float, r1: float, open_: bool = False
) -> ParametricGeometry:
    return ParametricGeometry(
        kind="parametric",
        shape="cone",
        points=[tuple(map(float, p0)), tuple(map(float, p1))],
        radii=[r0, r1],
        open=open_,
        source=ENGINE_SOURCE,
    )


RING_CLEARANCE_MM = 5.0
"""The ring retractor sits this far outside the corridor's mouth."""
RING_WIRE_MM = 1.5
"""Drawn thin: it is nearest the surgeon's eye and would frame the view heavily."""


def _across(axis: Array) -> tuple[Array, Array]:
    """Two unit vectors square to ``axis`` and to each other (the first one horizontal
    when the axis is not vertical)."""
    u = np.cross(axis, [0.0, 0.0, 1.0])
    if np.linalg.norm(u) < 1e-6:
        u = np.cross(axis, [1.0, 0.0, 0.0])
    u = u / np.linalg.norm(u)
    return u, np.cross(axis, u)


def blade_tip(cone: Cone, seat: Array, vector: Array) -> Array:
    """Where a blade holding tissue aside is drawn: on the corridor's wall at the depth of
    its seat, on the side it pushes toward (a blade lines the channel)."""
    t, _ = cone.axial(seat.reshape(1, 3))
    on_axis = cone.entry + t[0] * cone.depth * cone.axis
    sideways = vector - (vector @ cone.axis) * cone.axis
    size = float(np.linalg.norm(sideways))
    if size < 1e-6:
        return seat + vector
    return on_axis + sideways / size * float(cone.radius_at(t)[0])


def instrument_structures(
    state_cone: Cone | None,
    step: Step,
    retractions: tuple[AppliedRetraction, ...],
    instruments: Mapping[str, Any],
) -> list[Structure]:
    """Schematic drawings of the corridor and the instruments in the field."""
    out: list[Structure] = []
    if state_cone is None:
        return out
    c = state_cone
    out.append(
        _extra(
            CORRIDOR_ID,
            "Working corridor",
            CORRIDOR_COLOR,
            _cone_geometry(c.entry, c.target, c.entry_radius, c.target_radius, open_=True),
            "The working channel of this step, from the incision to the target: a funnel "
            "open at both ends, so what lies in it is seen through its mouth and what lies "
            "outside it through its wall.",
        )
    )
    axis = c.axis
    for r in retractions:
        inst = instruments.get(r.instrument or "")
        if inst is None or inst.shape != "blade":
            continue
        tip = blade_tip(c, r.at, r.vector)
        back = tip - axis * min(c.depth * 0.8, inst.size_mm[0])
        out.append(
            _extra(
                f"blade_{r.structure}",
                f"{inst.name} on {r.structure}",
                INSTRUMENT_COLOR,
                _cone_geometry(back, tip, 2.2, 1.6),
                f"{inst.name} holding {r.structure} aside.",
            )
        )
    for inst_id in step.instruments:
        inst = instruments.get(inst_id)
        if inst is None:
            continue
        if inst.shape == "ring":
            u, v = _across(axis)
            ring_r = c.entry_radius + RING_CLEARANCE_MM
            # Nearly a full circle: a tube cannot close on itself, so leave a small gap.
            theta = np.linspace(0, 2 * np.pi * 0.97, 40)
            circle = np.cos(theta)[:, None] * u + np.sin(theta)[:, None] * v
            pts = c.entry[None, :] + ring_r * circle
            ring = CenterlineGeometry(
                kind="centerline",
                points=[tuple(map(float, p)) for p in pts],
                radius=RING_WIRE_MM,
                source=ENGINE_SOURCE,
            )
            out.append(_extra(inst_id, inst.name, INSTRUMENT_COLOR, ring, inst.description))
        elif inst.shape in ("probe", "punch"):
            tip = c.target - axis * 4.0
            offset = np.cross(axis, [0.0, 0.0, 1.0]) * (3.0 if inst.shape == "probe" else -3.0)
            out.append(
                _extra(
                    inst_id,
                    inst.name,
                    INSTRUMENT_COLOR,
                    _cone_geometry(c.entry + offset * 3, tip + offset, 2.0, 1.2),
                    inst.description,
                )
            )
    return out
