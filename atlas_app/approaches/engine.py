"""The step engine: what the field looks like at each step of an approach.

For a specimen and an approach, :func:`walk` gives one :class:`StepState` per step: the
structures removed so far, the corridor in use, the retractions applied to the tissue
(smoothly, see :mod:`atlas_app.geometry.deform`), the tributaries they stretch, and the
instruments and corridor as extra structures a scene can draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from atlas_app.approaches.schema import Approach, Corridor, PointRef, Retraction, Step
from atlas_app.geometry.centerline import Array
from atlas_app.geometry.corridor import Cone
from atlas_app.geometry.deform import (
    DeformedGeometry,
    Move,
    Tether,
    TetherStrain,
    deform_centerline,
    drag_mouth,
    find_tethers,
    stretch,
)
from atlas_app.model.schema import (
    CenterlineGeometry,
    MeshGeometry,
    ParametricGeometry,
    Structure,
)
from atlas_app.model.specimen import Specimen

CORRIDOR_ID = "working_corridor"
CORRIDOR_COLOR = "#3fa7d6"
INSTRUMENT_COLOR = "#7d8794"
SIDE_SIGN = {"right": 1.0, "left": -1.0}
WORDS = {
    "medial": (-1.0, 0.0, 0.0),
    "lateral": (1.0, 0.0, 0.0),
    "superior": (0.0, 0.0, 1.0),
    "inferior": (0.0, 0.0, -1.0),
    "anterior": (0.0, 1.0, 0.0),
    "posterior": (0.0, -1.0, 0.0),
}
ENGINE_SOURCE = [{"ref": "technical_note_2021", "note": "schematic instrument drawing"}]


@dataclass(frozen=True)
class AppliedRetraction:
    structure: str
    at: Array
    vector: Array
    reach: float
    instrument: str | None


@dataclass(frozen=True)
class StepState:
    """The field during one step."""

    approach: Approach
    index: int
    specimen: Specimen  # retracted geometry, plus the corridor and instruments
    removed: frozenset[str]
    cone: Cone | None
    retractions: tuple[AppliedRetraction, ...]
    displacement: Mapping[str, float]  # mm, largest move of each moved structure
    tethers: tuple[TetherStrain, ...]  # the tributaries this step's retractions pull on
    extras: tuple[str, ...] = field(default=())  # ids of the corridor and instruments

    @property
    def step(self) -> Step:
        return self.approach.steps[self.index]

    @property
    def anatomy(self) -> dict[str, Structure]:
        """The specimen's structures still in the field (not removed, not instruments)."""
        return {
            k: v
            for k, v in self.specimen.structures.items()
            if k not in self.removed and k not in self.extras
        }


def structure_points(s: Structure) -> Array:
    """Representative points of a structure's geometry (control points or centre)."""
    g = s.geometry
    if isinstance(g, CenterlineGeometry) or (isinstance(g, ParametricGeometry) and g.points):
        return np.asarray(g.points, float)
    if isinstance(g, ParametricGeometry) and g.center is not None:
        return np.asarray([g.center], float)
    raise ValueError(f"{s.id}: no points to stand for it")


def resolve_point(
    ref: PointRef, specimen: Specimen, side: str, mesh_center: Mapping[str, Array] | None = None
) -> Array:
    """A PointRef as coordinates (offsets are written for the right side)."""
    offset = np.asarray(ref.offset, float) * [SIDE_SIGN[side], 1.0, 1.0]
    if ref.at is not None:
        base = np.asarray(ref.at, float)
    elif ref.landmark is not None:
        base = np.asarray(specimen.landmarks[ref.landmark], float)
    else:
        assert ref.structure is not None
        s = specimen.structures[ref.structure]
        if isinstance(s.geometry, MeshGeometry):
            if mesh_center is None or ref.structure not in mesh_center:
                raise ValueError(f"centre of mesh structure '{ref.structure}' is unknown")
            base = mesh_center[ref.structure]
        else:
            base = structure_points(s).mean(axis=0)
    return base + offset


def direction_vector(direction: Any, side: str) -> Array:
    if isinstance(direction, str):
        v = np.asarray(WORDS[direction], float)
        v[0] *= SIDE_SIGN[side]
    else:
        v = np.asarray(direction, float)
    return v / np.linalg.norm(v)


def make_cone(
    corridor: Corridor, specimen: Specimen, side: str, mesh_center: Mapping[str, Array]
) -> Cone:
    return Cone(
        resolve_point(corridor.entry, specimen, side, mesh_center),
        resolve_point(corridor.target, specimen, side, mesh_center),
        corridor.entry_radius_mm,
        corridor.target_radius_mm,
    )


def contact_point(
    s: Structure,
    r: Retraction,
    specimen: Specimen,
    side: str,
    cone: Cone | None,
    mesh_points: Mapping[str, Array],
    centers: Mapping[str, Array],
) -> Array:
    """Where the blade bears: given, or the structure's point nearest the corridor's axis."""
    if r.at is not None:
        return resolve_point(r.at, specimen, side, centers)
    pts = mesh_points[s.id] if isinstance(s.geometry, MeshGeometry) else structure_points(s)
    if cone is None:
        return pts.mean(axis=0)
    _, d = cone.axial(pts)
    return pts[int(np.argmin(d))]


def _retracted(s: Structure, moves: tuple[Move, ...]) -> Structure:
    g = s.geometry
    if isinstance(g, CenterlineGeometry):
        return s.model_copy(update={"geometry": deform_centerline(g, moves)})
    raw = tuple((_vec(m.at), _vec(m.by), float(m.reach)) for m in moves)
    base = g.base if isinstance(g, DeformedGeometry) else g.model_dump()
    old = g.moves if isinstance(g, DeformedGeometry) else ()
    deformed = DeformedGeometry(base=base, moves=(*old, *raw))
    return s.model_copy(update={"geometry": deformed})


def _vec(v: Array) -> tuple[float, float, float]:
    return (float(v[0]), float(v[1]), float(v[2]))


def _max_shift(s: Structure, moves: tuple[Move, ...], pts: Array) -> float:
    shift = np.zeros_like(pts)
    for m in moves:
        shift = shift + m.displacement(pts)
    return float(np.linalg.norm(shift, axis=1).max())


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


def _cone_geometry(p0: Array, p1: Array, r0: float, r1: float) -> ParametricGeometry:
    return ParametricGeometry(
        kind="parametric",
        shape="cone",
        points=[tuple(map(float, p0)), tuple(map(float, p1))],
        radii=[r0, r1],
        source=ENGINE_SOURCE,
    )


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
            _cone_geometry(c.entry, c.target, c.entry_radius, c.target_radius),
            "The working channel of this step, from the incision to the target.",
        )
    )
    axis = c.axis
    for r in retractions:
        inst = instruments.get(r.instrument or "")
        if inst is None or inst.shape != "blade":
            continue
        tip = r.at + r.vector  # the blade sits where it holds the tissue
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
            u = np.cross(axis, [0.0, 0.0, 1.0])
            if np.linalg.norm(u) < 1e-6:
                u = np.cross(axis, [1.0, 0.0, 0.0])
            u /= np.linalg.norm(u)
            v = np.cross(axis, u)
            ring_r = max(c.entry_radius + 12.0, 30.0)
            # Nearly a full circle: a tube cannot close on itself, so leave a small gap.
            theta = np.linspace(0, 2 * np.pi * 0.97, 40)
            circle = np.cos(theta)[:, None] * u + np.sin(theta)[:, None] * v
            pts = c.entry[None, :] + ring_r * circle
            ring = CenterlineGeometry(
                kind="centerline",
                points=[tuple(map(float, p)) for p in pts],
                radius=2.5,
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


def field_at(
    atlas_specimen: Specimen,
    approach: Approach,
    index: int,
    instruments: Mapping[str, Any],
    mesh_points: Mapping[str, Array],
    draw_instruments: bool = True,
    centers: Mapping[str, Array] | None = None,
) -> StepState:
    """The field during step ``index``: removals of all steps so far, the corridor last
    set, and this step's retractions (with the tributaries they drag)."""
    side = approach.side
    if centers is None:
        centers = {k: v.mean(axis=0) for k, v in mesh_points.items()}
    done = approach.steps[: index + 1]
    step = done[-1]
    removed: set[str] = set()
    cone: Cone | None = None
    for earlier in done:
        removed = (removed | set(earlier.removed)) - set(earlier.restored)
        if earlier.corridor is not None:
            cone = make_cone(earlier.corridor, atlas_specimen, side, centers)
    base = atlas_specimen.structures
    structures = dict(base)
    applied: list[AppliedRetraction] = []
    moves_by: dict[str, tuple[Move, ...]] = {}
    for r in step.retract:
        s = structures.get(r.structure)
        if s is None or r.structure in removed:
            continue  # a variant lacks it, or it is already out of the field
        at = contact_point(s, r, atlas_specimen, side, cone, mesh_points, centers)
        vec = direction_vector(r.direction, side) * r.by_mm
        move = Move(at, vec, r.reach_mm)
        moves_by[r.structure] = (*moves_by.get(r.structure, ()), move)
        structures[r.structure] = _retracted(structures[r.structure], (move,))
        applied.append(AppliedRetraction(r.structure, at, vec, r.reach_mm, r.instrument))
    displacement = {}
    for sid, moves in moves_by.items():
        pts = mesh_points[sid] if sid in mesh_points else structure_points(base[sid])
        displacement[sid] = _max_shift(base[sid], moves, pts)
    strains = []
    if any(base[sid].category in ("artery", "vein") for sid in moves_by):
        lines: dict[str, CenterlineGeometry] = {
            k: v.geometry for k, v in base.items() if isinstance(v.geometry, CenterlineGeometry)
        }
        vessels: dict[str, str] = {
            k: base[k].category for k in lines if base[k].category in ("artery", "vein")
        }
        for t in tethers_of(lines, vessels):
            if t.parent not in moves_by or t.branch in moves_by:
                continue
            st = stretch(t, lines[t.branch], moves_by[t.parent])
            if st.pulled:  # a branch the pull slackens is not reported
                strains.append(st)
            if t.branch not in removed and st.mouth_shift_mm > 0:
                # Drawn dragged: the mouth follows the parent, the far end stays.
                g = lines[t.branch]
                moved = drag_mouth(np.asarray(g.points, float), moves_by[t.parent])
                g = g.model_copy(update={"points": [tuple(map(float, p)) for p in moved]})
                structures[t.branch] = base[t.branch].model_copy(update={"geometry": g})
                displacement[t.branch] = st.mouth_shift_mm
    extras = (
        instrument_structures(cone, step, tuple(applied), instruments) if draw_instruments else []
    )
    for e in extras:
        structures[e.id] = e
    specimen = Specimen(
        spec=atlas_specimen.spec,
        choices=atlas_specimen.choices,
        structures=structures,
        landmarks=atlas_specimen.landmarks,
    )
    return StepState(
        approach,
        index,
        specimen,
        frozenset(removed),
        cone,
        tuple(applied),
        displacement,
        tuple(strains),
        tuple(e.id for e in extras),
    )


def tethers_of(lines: Mapping[str, CenterlineGeometry], vessels: dict[str, str]) -> list[Tether]:
    """:func:`find_tethers`, remembered: most specimens share their vessels."""
    key = tuple((k, vessels[k], lines[k].model_dump_json()) for k in sorted(vessels))
    return _tethers(key)


@lru_cache(maxsize=256)
def _tethers(key: tuple[tuple[str, str, str], ...]) -> list[Tether]:
    lines = {k: CenterlineGeometry.model_validate_json(j) for k, _, j in key}
    return find_tethers(lines, {k: c for k, c, _ in key})


def walk(
    atlas_specimen: Specimen,
    approach: Approach,
    instruments: Mapping[str, Any],
    mesh_points: Mapping[str, Array],
) -> list[StepState]:
    """Every step's field for one specimen. ``mesh_points`` gives the surface vertices of
    the specimen's mesh structures (for contact points and centres)."""
    return [
        field_at(atlas_specimen, approach, i, instruments, mesh_points)
        for i in range(len(approach.steps))
    ]
