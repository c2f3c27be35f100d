"""The step engine: what the field looks like at each step of an approach.

For a specimen and an approach, :func:`walk` gives one :class:`StepState` per step: the
structures removed so far, the corridor in use, the retractions applied to the tissue
(smoothly, see :mod:`atlas_app.geometry.deform`), the tributaries they stretch, and the
instruments and corridor as extra structures a scene can draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from atlas_app.approaches.schema import Approach, Corridor, PointRef, Step
from atlas_app.caching import memoize
from atlas_app.geometry.centerline import Array
from atlas_app.geometry.corridor import Cone
from atlas_app.geometry.deform import (
    ANCHOR_MM,
    DeformedGeometry,
    Move,
    Tether,
    TetherStrain,
    VesselTree,
    anchor_weights,
    deform_centerline,
    displace,
    drag_mouth,
    find_tethers,
    find_vessel_tree,
    stretch,
    thin_points,
)
from atlas_app.geometry.shapes import centerline_curve
from atlas_app.model.geometry_schema import CenterlineGeometry, MeshGeometry, ParametricGeometry
from atlas_app.model.schema import SIDE_SIGN, Structure
from atlas_app.model.specimen import Specimen, arc_lengths

CORRIDOR_ID = "working_corridor"
CORRIDOR_COLOR = "#3fa7d6"
INSTRUMENT_COLOR = "#7d8794"
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
    """A blade in place: on what, where it sits, how far and which way it moves the tissue,
    what it carries along, and how far it would have to move it to clear the path."""

    structure: str
    at: Array  # where the blade sits on the tissue (before the move)
    vector: Array
    reach: float
    instrument: str | None
    carried: tuple[str, ...] = ()  # vessels joined to it that follow
    needed_mm: float | None = None  # to clear the corridor's path this way (None: cannot)

    @property
    def by_mm(self) -> float:
        return float(np.linalg.norm(self.vector))


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


SAMPLE_MM = 1.0
"""Tubes are measured at points about this far apart along their curve."""
MAX_NEEDED_MM = 60.0
"""The largest retraction worth computing: no blade moves tissue further (schema limit)."""
NEEDED_STEP_MM = 0.5
MIN_SHIFT_MM = 0.1
"""A structure moved less than this by a blade's fading field is not counted as moved."""


def tube_samples(geometry: CenterlineGeometry) -> tuple[Array, Array]:
    """Points about every :data:`SAMPLE_MM` along a tube's smooth curve, with its radius."""
    return _tube_samples(geometry.model_dump_json())


@memoize(items=4096)
def _tube_samples(geometry_json: str) -> tuple[Array, Array]:
    c = centerline_curve(CenterlineGeometry.model_validate_json(geometry_json))
    s = arc_lengths(c.points)
    u = np.linspace(0.0, s[-1], max(2, int(np.ceil(s[-1] / SAMPLE_MM)) + 1))
    pts = np.stack([np.interp(u, s, c.points[:, k]) for k in range(3)], axis=1)
    return pts, np.interp(u, s, c.radii)


def substance(s: Structure, mesh_points: Mapping[str, Array]) -> tuple[Array, Array]:
    """Points standing for a structure, with the radius around each: along a tube's curve,
    or a surface's vertices (radius 0)."""
    g = s.geometry
    if isinstance(g, CenterlineGeometry):
        return tube_samples(g)
    pts = mesh_points[s.id] if s.id in mesh_points else structure_points(s)
    return pts, np.zeros(len(pts))


def blade_contact(points: Array, radii: Array, cone: Cone | None, at: Array | None = None) -> Array:
    """What a blade bears on: the given point; else every part of the structure in the
    corridor (thinned); else its point nearest the corridor's axis; with no corridor yet,
    its middle."""
    if at is not None:
        return np.asarray(at, float).reshape(1, 3)
    if cone is None:
        return points.mean(axis=0).reshape(1, 3)
    inside = points[cone.clearance(points, radii) < 0.0]
    if len(inside):
        return thin_points(inside)
    _, d = cone.axial(points)
    return points[int(np.argmin(d))].reshape(1, 3)


def blade_seat(contact: Array, cone: Cone | None) -> Array:
    """Where the blade is drawn: the contact point nearest the corridor's axis."""
    if cone is None or len(contact) == 1:
        return contact[0]
    _, d = cone.axial(contact)
    return contact[int(np.argmin(d))]


def retraction_needed(
    points: Array,
    radii: Array,
    contact: Array,
    way: Array,
    reach: float,
    path: Cone,
    share: Array | None = None,
) -> float | None:
    """How far a blade on ``contact`` must move the structure along the unit vector ``way``
    for it to be clear of ``path`` (0 if it already is; None if no move up to
    :data:`MAX_NEEDED_MM` does it, e.g. a part in the path lies beyond the blade's reach).
    ``share``: how much of the move each point takes (an anchored vessel's)."""
    gap = path.clearance(points, radii)
    if gap.min() >= 0.0:
        return 0.0
    w = Move(contact, way, reach).weights(points)
    if share is not None:
        w = w * share
    if np.any((gap < 0.0) & (w <= 0.0)):
        return None
    near = (w > 0.0) & (gap < MAX_NEEDED_MM)
    pts, r, w = points[near], radii[near], w[near]
    amounts = np.arange(0.0, MAX_NEEDED_MM + NEEDED_STEP_MM / 2, NEEDED_STEP_MM)
    moved = pts[None, :, :] + (amounts[:, None, None] * w[None, :, None]) * way[None, None, :]
    gaps = path.clearance(moved.reshape(-1, 3), np.tile(r, len(amounts)))
    clear = gaps.reshape(len(amounts), -1).min(axis=1) >= 0.0
    return float(amounts[int(np.argmax(clear))]) if clear.any() else None


def _retracted(s: Structure, moves: tuple[Move, ...], anchored: bool = False) -> Structure:
    g = s.geometry
    if isinstance(g, CenterlineGeometry):
        return s.model_copy(update={"geometry": deform_centerline(g, moves, anchored)})
    raw = tuple((tuple(map(_vec, m.contact)), _vec(m.by), float(m.reach)) for m in moves)
    base = g.base if isinstance(g, DeformedGeometry) else g.model_dump()
    old = g.moves if isinstance(g, DeformedGeometry) else ()
    deformed = DeformedGeometry(base=base, moves=(*old, *raw))
    return s.model_copy(update={"geometry": deformed})


def _vec(v: Array) -> tuple[float, float, float]:
    return (float(v[0]), float(v[1]), float(v[2]))


def _moved_points(s: Structure, mesh_points: Mapping[str, Array]) -> Array:
    """The points a retraction actually moves: a tube's control points (its curve is drawn
    through them), a surface's vertices."""
    if isinstance(s.geometry, CenterlineGeometry):
        return np.asarray(s.geometry.points, float)
    return substance(s, mesh_points)[0]


def _max_shift(points: Array, moves: tuple[Move, ...], share: Array | None = None) -> float:
    shift = displace(points, moves) - points
    if share is not None:
        shift = shift * share[:, None]
    return float(np.linalg.norm(shift, axis=1).max())


def _anchoring(
    s: Structure, tree: VesselTree, moves_on: Mapping[str, object], points: Array
) -> Array | None:
    """For a moved vessel whose origin stays put (its parent and siblings are not moved in
    this step), how much of the move each of its points takes (see
    :func:`~atlas_app.geometry.deform.anchor_weights`); None when it moves freely."""
    origin = tree.origin.get(s.id, ())
    if not origin or any(o in moves_on for o in origin):
        return None
    return anchor_weights(points)


def _mouth_share(t: Tether, parent_anchored: bool) -> float:
    """How much of its parent's move a tributary's mouth takes."""
    if not parent_anchored:
        return 1.0
    u = min(t.mouth_at_mm / ANCHOR_MM, 1.0)
    return float(0.5 * (1.0 - np.cos(np.pi * u)))


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
            share = _anchoring(s, tree, moves_on, points)
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
        points = _moved_points(base[sid], mesh_points)
        share = _anchoring(base[sid], tree, moves_on, points)
        if share is not None:
            anchored.add(sid)
        shift = _max_shift(points, moves, share)
        if shift >= MIN_SHIFT_MM:
            structures[sid] = _retracted(base[sid], moves, share is not None)
            displacement[sid] = shift
    moved = {sid: moves_on[sid] for sid in displacement}
    strains = []
    if any(vessels.get(sid) for sid in moved):
        for t in tethers_of(lines, vessels):
            if t.parent not in moved or t.branch in moved:
                continue
            scale = _mouth_share(t, t.parent in anchored)
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


def tree_of(lines: Mapping[str, CenterlineGeometry], vessels: dict[str, str]) -> VesselTree:
    """:func:`find_vessel_tree`, remembered: most specimens share their vessels."""
    return _tree(_vessel_key(lines, vessels))


@memoize(items=256)
def _tree(key: tuple[tuple[str, str, str], ...]) -> VesselTree:
    lines = {k: CenterlineGeometry.model_validate_json(j) for k, _, j in key}
    return find_vessel_tree(lines, {k: c for k, c, _ in key})


def _vessel_key(
    lines: Mapping[str, CenterlineGeometry], vessels: dict[str, str]
) -> tuple[tuple[str, str, str], ...]:
    return tuple((k, vessels[k], lines[k].model_dump_json()) for k in sorted(vessels))


def tethers_of(lines: Mapping[str, CenterlineGeometry], vessels: dict[str, str]) -> list[Tether]:
    """:func:`find_tethers`, remembered: most specimens share their vessels."""
    return _tethers(_vessel_key(lines, vessels))


@memoize(items=256)
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
