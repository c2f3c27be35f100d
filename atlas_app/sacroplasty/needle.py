"""Needle paths of the techniques, their cement, and what a needle plan measures.

A needle is a straight segment from its entry point to its tip (the aim). Measured against
the registered sacrum of a specimen: how much of it lies in bone, whether it leaves the
bone on the way (through the anterior cortex, the cephalad cortex of the ala, the S1
endplate, the side of the ala…), whether it crosses a foramen, which Denis zone its tip is
in, how far the tip is behind the anterior cortex, and the gap to the L5 root, the
lumbosacral trunk and the S1 root. The sacrum is the whole bone of the adult body (with
its foramina open), so every part of a path is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from threading import Lock
from typing import Literal

import numpy as np
import pyvista as pv
import vtk

from atlas_app.caching import Memo, MiB
from atlas_app.geometry.centerline import Array, segment_pairs
from atlas_app.geometry.measure import evaluate_distance, implicit_distance
from atlas_app.geometry.specimen_meshes import cached_structure_mesh
from atlas_app.model.atlas import Atlas
from atlas_app.model.schema import SIDE_SIGN
from atlas_app.model.specimen import Specimen
from atlas_app.sacroplasty.loader import SacroplastySet
from atlas_app.sacroplasty.points import mirrored, resolve
from atlas_app.sacroplasty.schema import Technique, sided

SACRUM_ID = "sacrum"
WATCHED_NERVES = (
    "l5_ventral_ramus_{side}",
    "lumbosacral_trunk_{side}",
    "s1_ventral_ramus_{side}",
    "l4_ventral_ramus_{side}",
)
"""The nerves a sacral needle or leak is measured against (variant strands of them too)."""
L5_NERVES = ("l5_ventral_ramus_{side}", "lumbosacral_trunk_{side}")
SAMPLE_MM = 0.5
NEAR_NERVE_MM = 5.0
SAFE_TARGET_MM = 11.0  # AJNR safe-target study: 11.2–12.8 mm behind the anterior cortex
MIN_LENGTH_MM = 5.0  # shorter than this is no needle to plan


# --- Needles and cement of a technique -----------------------------------------------


@dataclass(frozen=True)
class NeedlePath:
    """A straight cannula from ``entry`` to ``tip`` (mm, atlas frame)."""

    label: str
    side: str
    entry: Array
    tip: Array
    radius_mm: float = 1.5
    technique: str | None = None
    needle: str | None = None

    @property
    def length(self) -> float:
        return float(np.linalg.norm(self.tip - self.entry))

    @property
    def direction(self) -> Array:
        d = self.tip - self.entry
        n = float(np.linalg.norm(d))
        return d / n if n > 0 else np.array([0.0, 0.0, 1.0])

    def samples(self, step: float = SAMPLE_MM) -> Array:
        n = max(int(np.ceil(self.length / step)), 1) + 1
        t = np.linspace(0.0, 1.0, n)[:, None]
        return self.entry[None, :] + t * (self.tip - self.entry)[None, :]


@dataclass(frozen=True)
class Spheres:
    """Cement drawn as a union of spheres."""

    centres: Array  # (n, 3)
    radii: Array  # (n,)

    def __len__(self) -> int:
        return len(self.radii)

    def volume_ml(self, step: float = 0.5) -> float:
        """Volume of the union (grid count), in millilitres."""
        if not len(self):
            return 0.0
        lo = (self.centres - self.radii[:, None]).min(0)
        hi = (self.centres + self.radii[:, None]).max(0)
        axes = [np.arange(a, b + step, step) for a, b in zip(lo, hi, strict=True)]
        grid = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 3)
        inside = np.zeros(len(grid), bool)
        for c, r in zip(self.centres, self.radii, strict=True):
            inside |= ((grid - c) ** 2).sum(1) <= r * r
        return float(inside.sum() * step**3 / 1000.0)

    @staticmethod
    def join(parts: list[Spheres]) -> Spheres:
        if not parts:
            return Spheres(np.zeros((0, 3)), np.zeros(0))
        return Spheres(
            np.vstack([p.centres for p in parts]), np.concatenate([p.radii for p in parts])
        )


def technique_paths(
    data: SacroplastySet, specimen: Specimen, technique_id: str, side: str
) -> tuple[NeedlePath, ...]:
    """The needles of a technique on one side of a specimen."""
    tech = data.techniques[technique_id]
    return tuple(
        NeedlePath(
            label=n.label,
            side=side,
            entry=resolve(n.entry, specimen, side, data),
            tip=resolve(n.aim, specimen, side, data),
            radius_mm=n.gauge_mm / 2.0,
            technique=technique_id,
            needle=n.id,
        )
        for n in tech.needles
    )


def cement_for(tech: Technique, paths: tuple[NeedlePath, ...]) -> Spheres:
    """Where the technique leaves cement: a mass at each tip, or a column laid from the
    tip back along the track as the cannula is withdrawn."""
    plan = tech.cement
    parts = []
    for p in paths:
        if plan.pattern == "at_tip":
            parts.append(Spheres(p.tip[None, :], np.array([plan.radius_mm])))
            continue
        back = np.arange(0.0, plan.length_mm + 1e-9, plan.spacing_mm)
        back = back[back <= p.length]
        # The cement leaves the cannula's mouth: the first sphere sits just behind the tip.
        centres = p.tip[None, :] - (back[:, None] + 0.5 * plan.radius_mm) * p.direction[None, :]
        parts.append(Spheres(centres, np.full(len(back), plan.radius_mm)))
    return Spheres.join(parts)


def technique_cement(
    data: SacroplastySet, specimen: Specimen, technique_id: str, side: str
) -> Spheres:
    return cement_for(
        data.techniques[technique_id], technique_paths(data, specimen, technique_id, side)
    )


# --- The anatomy a needle is measured against -----------------------------------------


@dataclass(frozen=True)
class Canal:
    """A foramen as a short cylinder from its anterior opening backwards."""

    id: str
    name: str
    opening: Array
    back: Array
    radius_mm: float


@dataclass(frozen=True)
class Nerve:
    id: str
    name: str
    mesh: pv.PolyData = field(repr=False)


@dataclass(frozen=True)
class Anatomy:
    """The sacrum, foramina and nerves of one side of a specimen, ready to measure."""

    side: str
    sacrum: pv.PolyData = field(repr=False)
    canals: tuple[Canal, ...]
    nerves: tuple[Nerve, ...]
    s1_body_center: Array
    _sdf: vtk.vtkImplicitPolyDataDistance = field(repr=False, compare=False)
    _nerve_sdf: dict[str, vtk.vtkImplicitPolyDataDistance] = field(repr=False, compare=False)
    # The VTK distance objects keep scratch buffers: one thread at a time per anatomy.
    _vtk_lock: Lock = field(default_factory=Lock, repr=False, compare=False)

    @property
    def sign(self) -> float:
        return SIDE_SIGN[self.side]

    def depth(self, points: Array) -> Array:
        """Signed distance to the sacral surface: negative inside the bone (mm)."""
        with self._vtk_lock:
            return evaluate_distance(self._sdf, points)

    def normal(self, point: Array, h: float = 0.5) -> Array:
        """Outward unit normal of the sacral surface near ``point`` (gradient of depth)."""
        p = np.asarray(point, float)
        offsets = np.eye(3) * h
        grad = (self.depth(p + offsets) - self.depth(p - offsets)) / (2 * h)
        n = float(np.linalg.norm(grad))
        return grad / n if n > 0 else np.zeros(3)

    def nerve_gap(self, nerve_id: str, points: Array) -> float:
        """Smallest distance from the points to the nerve's surface (negative inside)."""
        with self._vtk_lock:
            return float(evaluate_distance(self._nerve_sdf[nerve_id], points).min())

    def margins(self, z: float) -> tuple[float, float]:
        """|x| of the medial and lateral margins of the foramina at height z (Denis zone
        boundaries), interpolated between the foramina and held beyond them."""
        zs = np.array([c.opening[2] for c in self.canals])
        order = np.argsort(zs)
        xs = np.array([abs(c.opening[0]) for c in self.canals])[order]
        rs = np.array([c.radius_mm for c in self.canals])[order]
        zs = zs[order]
        centre = float(np.interp(z, zs, xs))
        radius = float(np.interp(z, zs, rs))
        return centre - radius, centre + radius

    def zone(self, point: Array) -> int:
        """Denis zone of a point by its distance from the midline (1 ala, 2 foramina,
        3 central)."""
        medial, lateral = self.margins(float(point[2]))
        ax = abs(float(point[0]))
        if ax >= lateral:
            return 1
        if ax > medial:
            return 2
        return 3

    def in_s1_body(self, point: Array) -> bool:
        """Within the S1 body: medial to the foramina, from the first foramen's level up,
        and not behind the body (where the canal is)."""
        s1 = min(self.canals, key=lambda c: -c.opening[2])
        medial, _ = self.margins(float(point[2]))
        return bool(
            abs(point[0]) <= medial
            and point[2] >= s1.opening[2] - 10.0
            and point[1] >= self.s1_body_center[1] - 16.0
        )


def _nerve_ids(specimen: Specimen, side: str) -> list[str]:
    prefixes = tuple(sided(n, side).removesuffix(f"_{side}") for n in WATCHED_NERVES)
    out = [sided(n, side) for n in WATCHED_NERVES if sided(n, side) in specimen.structures]
    for sid, s in specimen.structures.items():
        if (
            sid not in out
            and s.category == "nerve"
            and sid.endswith(f"_{side}")
            and sid.startswith(prefixes)
        ):
            out.append(sid)
    return out


def _canals(data: SacroplastySet, specimen: Specimen, side: str) -> tuple[Canal, ...]:
    out = []
    for f in data.foramina.values():
        opening = resolve(f.opening, specimen, side, data)
        d = mirrored(f.direction, side)
        d /= np.linalg.norm(d)
        out.append(Canal(f.id, f.name, opening, opening + f.length_mm * d, f.radius_mm))
    return tuple(out)


# One side's measuring anatomy takes about 0.2 MB.
_anatomies: Memo[tuple[str, ...], Anatomy] = Memo(max_bytes=8 * MiB)


def anatomy_for(atlas: Atlas, specimen: Specimen, data: SacroplastySet, side: str) -> Anatomy:
    """The measuring anatomy of one side (cached by the geometry it is built from)."""
    nerves = _nerve_ids(specimen, side)
    key = (
        str(atlas.root),
        side,
        specimen.structures[SACRUM_ID].geometry.model_dump_json(),
        repr(sorted(specimen.landmarks.items())),
        *(specimen.structures[n].geometry.model_dump_json() for n in nerves),
        repr([(f.id, f.model_dump_json()) for f in data.foramina.values()]),
    )
    return _anatomies.get_or_make(key, lambda: _build_anatomy(atlas, specimen, data, side))


def _build_anatomy(atlas: Atlas, specimen: Specimen, data: SacroplastySet, side: str) -> Anatomy:
    sacrum = cached_structure_mesh(atlas, specimen.structures[SACRUM_ID])
    nerve_objs = []
    nerve_sdf = {}
    for nid in _nerve_ids(specimen, side):
        mesh = cached_structure_mesh(atlas, specimen.structures[nid])
        nerve_objs.append(Nerve(nid, specimen.structures[nid].name, mesh))
        nerve_sdf[nid] = implicit_distance(mesh)
    return Anatomy(
        side=side,
        sacrum=sacrum,
        canals=_canals(data, specimen, side),
        nerves=tuple(nerve_objs),
        s1_body_center=np.asarray(specimen.landmarks.get("s1_body_center", (0, -17.6, 1.1))),
        _sdf=implicit_distance(sacrum),
        _nerve_sdf=nerve_sdf,
    )


# --- Measuring a needle ------------------------------------------------------------------

BreachKind = Literal[
    "anterior_cortex",
    "cephalad_cortex",
    "s1_endplate",
    "foramen",
    "lateral_cortex",
    "medial_cortex",
    "posterior_cortex",
]
BREACH_LABELS: dict[str, str] = {
    "anterior_cortex": "anterior cortex of the sacrum",
    "cephalad_cortex": "cephalad cortex (top) of the ala",
    "s1_endplate": "S1 endplate, into the L5–S1 disc",
    "foramen": "a sacral foramen",
    "lateral_cortex": "side of the ala, toward the sacroiliac joint",
    "medial_cortex": "inner cortex, toward the sacral canal",
    "posterior_cortex": "back of the sacrum",
}
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Breach:
    kind: BreachKind
    point: tuple[float, float, float]
    detail: str = ""

    @property
    def label(self) -> str:
        return BREACH_LABELS[self.kind]


@dataclass(frozen=True)
class PlanWarning:
    """A message about a plan: ``error`` for a breach, ``warning`` for a close call,
    ``info`` for what cannot be checked."""

    kind: str
    severity: Severity
    text: str


@dataclass(frozen=True)
class NerveGap:
    id: str
    name: str
    gap_mm: float


@dataclass(frozen=True)
class NeedleMeasures:
    length_mm: float
    in_bone_mm: float
    enters_bone: bool
    tip_in_bone: bool
    tip_depth_mm: float
    tip_to_anterior_cortex_mm: float | None
    tip_zone: int | None
    tip_region: str
    stays_in_bone: bool
    in_ala_or_s1_body: bool
    min_bone_margin_mm: float | None
    foramen_gap_mm: float
    nearest_foramen: str
    nerve_gaps: tuple[NerveGap, ...]
    breaches: tuple[Breach, ...]
    warnings: tuple[PlanWarning, ...]

    def gap_to(self, nerve_id: str) -> float | None:
        return next((g.gap_mm for g in self.nerve_gaps if g.id == nerve_id), None)

    @property
    def breach_kinds(self) -> set[str]:
        return {b.kind for b in self.breaches}

    def as_dict(self) -> dict[str, object]:
        return {
            "length_mm": round(self.length_mm, 1),
            "in_bone_mm": round(self.in_bone_mm, 1),
            "tip_in_bone": self.tip_in_bone,
            "tip_depth_mm": round(self.tip_depth_mm, 1),
            "tip_to_anterior_cortex_mm": None
            if self.tip_to_anterior_cortex_mm is None
            else round(self.tip_to_anterior_cortex_mm, 1),
            "tip_zone": self.tip_zone,
            "tip_region": self.tip_region,
            "stays_in_bone": self.stays_in_bone,
            "foramen_gap_mm": round(self.foramen_gap_mm, 1),
            "nerve_gaps": {g.id: round(g.gap_mm, 1) for g in self.nerve_gaps},
            "breaches": [b.kind for b in self.breaches],
            "warnings": [w.text for w in self.warnings],
        }


def _crossing(anatomy: Anatomy, a: Array, b: Array) -> Array:
    """The point between a (inside) and b (outside) where the path crosses the surface."""
    da, db = anatomy.depth(np.vstack([a, b]))
    t = da / (da - db) if da != db else 0.5
    return np.asarray(a + float(np.clip(t, 0.0, 1.0)) * (b - a))


def _in_canal(anatomy: Anatomy, point: Array, margin: float = 1.0) -> Canal | None:
    for c in anatomy.canals:
        d, _, _ = segment_pairs(np.vstack([point, point + 1e-6]), np.vstack([c.opening, c.back]))
        if float(d.min()) < c.radius_mm + margin:
            return c
    return None


def _classify_exit(anatomy: Anatomy, point: Array) -> BreachKind:
    if _in_canal(anatomy, point) is not None:
        return "foramen"
    n = anatomy.normal(point, h=1.0)
    lateral = anatomy.sign * n[0]
    if n[2] >= 0.5:
        return "s1_endplate" if anatomy.zone(point) == 3 else "cephalad_cortex"
    if n[1] > 0.45:
        return "anterior_cortex"
    if n[2] > 0.35 and n[1] > 0.2:  # the rounded front-top edge of the ala
        return "cephalad_cortex"
    if lateral > 0.5:
        return "lateral_cortex"
    if lateral < -0.5:
        return "medial_cortex"
    return "posterior_cortex"


def _ray_to_surface(anatomy: Anatomy, start: Array, direction: Array, limit: float) -> float | None:
    steps = np.arange(0.0, limit, 0.25)
    pts = start[None, :] + steps[:, None] * direction[None, :]
    outside = np.nonzero(anatomy.depth(pts) > 0)[0]
    return float(steps[outside[0]]) if len(outside) else None


def measure_needle(anatomy: Anatomy, path: NeedlePath) -> NeedleMeasures:
    """Everything the planner reports about one needle."""
    pts = path.samples()
    step = path.length / max(len(pts) - 1, 1)
    depth = anatomy.depth(pts)
    inside = depth < 0
    entered = np.nonzero(inside)[0]
    enters = bool(len(entered))
    breaches: list[Breach] = []
    if enters:
        first = int(entered[0])
        for i in range(first + 1, len(pts)):
            if inside[i - 1] and not inside[i]:
                p = _crossing(anatomy, pts[i - 1], pts[i])
                kind = _classify_exit(anatomy, p)
                canal = _in_canal(anatomy, p) if kind == "foramen" else None
                if not any(b.kind == kind for b in breaches):
                    where = (float(p[0]), float(p[1]), float(p[2]))
                    breaches.append(Breach(kind, where, canal.name if canal else ""))
    # Foramina: the part of the shaft in or behind the bone, against each canal.
    canal_gaps = []
    for c in anatomy.canals:
        d, _, _ = segment_pairs(np.vstack([path.entry, path.tip]), np.vstack([c.opening, c.back]))
        canal_gaps.append((float(d.min()) - c.radius_mm - path.radius_mm, c))
    foramen_gap, nearest = min(canal_gaps, key=lambda g: g[0])
    if foramen_gap < 0 and not any(b.kind == "foramen" for b in breaches):
        o = nearest.opening
        breaches.append(Breach("foramen", (float(o[0]), float(o[1]), float(o[2])), nearest.name))
    gaps = tuple(
        sorted(
            (
                NerveGap(n.id, n.name, anatomy.nerve_gap(n.id, pts) - path.radius_mm)
                for n in anatomy.nerves
            ),
            key=lambda g: g.gap_mm,
        )
    )
    tip = path.tip
    tip_depth = -float(depth[-1])
    tip_in = bool(inside[-1])
    to_front = _ray_to_surface(anatomy, tip, np.array([0.0, 1.0, 0.0]), 80.0) if tip_in else None
    zone = anatomy.zone(tip) if tip_in else None
    if not tip_in:
        region = "outside the sacrum"
    elif zone == 1:
        region = "ala, lateral to the foramina (Denis zone 1)"
    elif zone == 2:
        region = "in line with the foramina (Denis zone 2)"
    elif anatomy.in_s1_body(tip):
        region = "S1 body (Denis zone 3)"
    else:
        region = "central column, by the sacral canal (Denis zone 3)"
    checked = np.arange(len(pts)) >= (entered[0] if enters else len(pts))
    in_region = all(
        inside[i] and (anatomy.zone(pts[i]) == 1 or anatomy.in_s1_body(pts[i]))
        for i in np.nonzero(checked)[0]
    )
    margin = float(-depth[checked].max()) if checked.any() else None
    stays = enters and tip_in and not breaches
    m = NeedleMeasures(
        length_mm=path.length,
        in_bone_mm=float(inside.sum() * step),
        enters_bone=enters,
        tip_in_bone=tip_in,
        tip_depth_mm=tip_depth,
        tip_to_anterior_cortex_mm=to_front,
        tip_zone=zone,
        tip_region=region,
        stays_in_bone=stays,
        in_ala_or_s1_body=bool(enters and tip_in and in_region and foramen_gap >= 0),
        min_bone_margin_mm=margin,
        foramen_gap_mm=foramen_gap,
        nearest_foramen=nearest.name,
        nerve_gaps=gaps,
        breaches=tuple(breaches),
        warnings=(),
    )
    return _with_warnings(m, path, anatomy)


def _lower(name: str) -> str:
    """'Lumbosacral trunk (right)' → 'lumbosacral trunk (right)'; 'L5 …' stays."""
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def _with_warnings(m: NeedleMeasures, path: NeedlePath, anatomy: Anatomy) -> NeedleMeasures:
    out: list[PlanWarning] = []
    l5 = {sided(n, anatomy.side) for n in L5_NERVES}
    for b in m.breaches:
        where = f"at ({b.point[0]:.0f}, {b.point[1]:.0f}, {b.point[2]:.0f}) mm"
        if b.kind in ("anterior_cortex", "cephalad_cortex"):
            text = (
                f"The needle breaches the {b.label} {where}. Cement injected here can leak in "
                "front of the ala, onto the L5 root and the lumbosacral trunk."
            )
        elif b.kind == "s1_endplate":
            text = f"The needle breaches the {b.label} {where}: cement can enter the disc space."
        elif b.kind == "foramen":
            text = (
                f"The needle crosses the {b.detail.lower()}: cement can follow it to the "
                "sacral root."
            )
        elif b.kind == "lateral_cortex":
            text = f"The needle leaves the ala through its {b.label} {where}."
        elif b.kind == "medial_cortex":
            text = f"The needle breaches the {b.label} {where}."
        else:
            text = f"The needle leaves the sacrum through the {b.label} {where}."
        out.append(PlanWarning(f"breach_{b.kind}", "error", text))
    if path.length < MIN_LENGTH_MM:
        out.append(
            PlanWarning(
                "no_length",
                "error",
                "The entry and the aim are (almost) the same point: move one of them.",
            )
        )
    elif not m.enters_bone:
        out.append(PlanWarning("misses_bone", "error", "The needle never enters the sacrum."))
    elif not m.tip_in_bone:
        out.append(
            PlanWarning(
                "tip_outside",
                "error",
                f"The tip lies outside the bone, {m.tip_depth_mm * -1:.1f} mm beyond its surface.",
            )
        )
    if m.tip_zone in (2, 3) and m.tip_in_bone:
        out.append(PlanWarning("tip_zone", "warning", f"The tip lies in the {m.tip_region}."))
    front = m.tip_to_anterior_cortex_mm
    if front is not None and front < SAFE_TARGET_MM:
        # Teaching thresholds (not published): < 3 mm is as good as through, < 6 mm close.
        level: Severity = "error" if front < 3.0 else "warning" if front < 6.0 else "info"
        out.append(
            PlanWarning(
                "near_anterior_cortex",
                level,
                f"The tip is {front:.1f} mm behind the anterior cortex; the published "
                "middle-of-S1 targets lay 11–13 mm behind it on average.",
            )
        )
    if 0 <= m.foramen_gap_mm < NEAR_NERVE_MM:
        out.append(
            PlanWarning(
                "near_foramen",
                "warning",
                f"The shaft passes {m.foramen_gap_mm:.1f} mm from the {m.nearest_foramen.lower()}.",
            )
        )
    for g in m.nerve_gaps:
        if g.gap_mm < NEAR_NERVE_MM:
            important = g.id in l5 or g.gap_mm <= 0
            out.append(
                PlanWarning(
                    f"near_{g.id}",
                    "error" if g.gap_mm <= 0 or (important and g.gap_mm < 2.0) else "warning",
                    f"The needle touches the {_lower(g.name)}."
                    if g.gap_mm <= 0
                    else f"The needle is {g.gap_mm:.1f} mm from the {_lower(g.name)}.",
                )
            )
    if path.entry[1] > path.tip[1] + 5.0:
        out.append(
            PlanWarning(
                "anterior_entry",
                "warning",
                "The entry lies in front of the tip: sacroplasty needles come from the back.",
            )
        )
    return replace(m, warnings=tuple(out))


def clear_caches() -> None:
    """Forget built anatomy (benchmarks measure the cold path)."""
    _anatomies.clear()
