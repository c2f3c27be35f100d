"""The step engine: what the field looks like at each step of an approach.

For a specimen and an approach, :func:`walk` gives one :class:`StepState` per step: the
structures removed so far, the corridor in use, the retractions applied to the tissue
(smoothly, see :mod:`atlas_app.geometry.deform`), the tributaries they stretch, and the
instruments and corridor as extra structures a scene can draw. What a blade does is
:mod:`~atlas_app.approaches.retraction`'s; how the instruments are drawn,
:mod:`~atlas_app.approaches.instruments`'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from atlas_app.approaches.instruments import instrument_structures
from atlas_app.approaches.retraction import (
    MIN_SHIFT_MM,
    AppliedRetraction,
    anchor_share,
    blade_contact,
    blade_seat,
    max_shift,
    mouth_share,
    moved_points,
    retracted,
    retraction_needed,
    structure_points,
    substance,
    tethers_of,
    tree_of,
)
from atlas_app.approaches.schema import Approach, Corridor, PointRef, Step
from atlas_app.geometry.centerline import Array
from atlas_app.geometry.corridor import Cone
from atlas_app.geometry.deform import (
    Move,
    TetherStrain,
    VesselTree,
    drag_mouth,
    stretch,
)
from atlas_app.model.geometry_schema import CenterlineGeometry, MeshGeometry
from atlas_app.model.schema import SIDE_SIGN, Structure
from atlas_app.model.specimen import Specimen

WORDS = {
    "medial": (-1.0, 0.0, 0.0),
    "lateral": (1.0, 0.0, 0.0),
    "superior": (0.0, 0.0, 1.0),
    "inferior": (0.0, 0.0, -1.0),
    "anterior": (0.0, 1.0, 0.0),
    "posterior": (0.0, -1.0, 0.0),
}


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
    set, and this step's retractions with the vessels they carry and the tributaries they
    drag."""
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
    lines: dict[str, CenterlineGeometry] = {
        k: v.geometry for k, v in base.items() if isinstance(v.geometry, CenterlineGeometry)
    }
    vessels: dict[str, str] = {
        k: base[k].category for k in lines if base[k].category in ("artery", "vein")
    }
    tree = tree_of(lines, vessels) if step.retract else VesselTree({}, {})
    applied: list[AppliedRetraction] = []
    moves_on: dict[str, tuple[Move, ...]] = {}
    for r in step.retract:
        s = base.get(r.structure)
        if s is None or r.structure in removed:
            continue  # a variant lacks it, or it is already out of the field
        points, radii = substance(s, mesh_points)
        at = None if r.at is None else resolve_point(r.at, atlas_specimen, side, centers)
        contact = blade_contact(points, radii, cone, at)
        way = direction_vector(r.direction, side)
        move = Move(contact, way * r.by_mm, r.reach)
        carried = tuple(
            v
            for v in (*r.carries, *tree.branches.get(r.structure, ()))
            if v in base and v not in removed
        )
        for sid in (r.structure, *carried):
            moves_on[sid] = (*moves_on.get(sid, ()), move)
        needed = None
        if cone is not None and r.structure not in step.through:
            share = anchor_share(s, tree, moves_on, points)
            needed = retraction_needed(points, radii, contact, way, r.reach, cone.path, share)
        applied.append(
            AppliedRetraction(
                r.structure,
                blade_seat(contact, cone),
                way * r.by_mm,
                r.reach,
                r.instrument,
                carried,
                needed,
            )
        )
    structures = dict(base)
    displacement: dict[str, float] = {}
    anchored: set[str] = set()
    for sid, moves in moves_on.items():
        points = moved_points(base[sid], mesh_points)
        share = anchor_share(base[sid], tree, moves_on, points)
        if share is not None:
            anchored.add(sid)
        shift = max_shift(points, moves, share)
        if shift >= MIN_SHIFT_MM:
            structures[sid] = retracted(base[sid], moves, share is not None)
            displacement[sid] = shift
    moved = {sid: moves_on[sid] for sid in displacement}
    strains = []
    if any(vessels.get(sid) for sid in moved):
        for t in tethers_of(lines, vessels):
            if t.parent not in moved or t.branch in moved:
                continue
            scale = mouth_share(t, t.parent in anchored)
            st = stretch(t, lines[t.branch], moved[t.parent], scale)
            if st.pulled:  # a branch the pull slackens is not reported
                strains.append(st)
            if t.branch not in removed and st.mouth_shift_mm > 0:
                # Drawn dragged: the mouth follows the parent, the far end stays.
                g = lines[t.branch]
                dragged = drag_mouth(np.asarray(g.points, float), moved[t.parent], scale)
                g = g.model_copy(update={"points": [tuple(map(float, p)) for p in dragged]})
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
