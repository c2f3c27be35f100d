"""Variants → specimen: one choice per variant group, applied as patches on the base model.

A specimen is the base atlas with each chosen option's patch applied and mirrored
structures resolved into concrete geometry. Nothing here copies the base model's
records: patches replace only what they name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from atlas_app.model.atlas import Atlas
from atlas_app.model.geometry_schema import (
    CenterlineGeometry,
    MirrorGeometry,
    OffsetGeometry,
    ParametricGeometry,
)
from atlas_app.model.records import Vec3
from atlas_app.model.schema import Patch, Structure, Warp

DEFAULT_SPEC = "default"


class SpecError(ValueError):
    """A specimen description that names unknown or conflicting variants."""


class PatchError(ValueError):
    """A variant patch that cannot be applied to the base model."""


@dataclass(frozen=True)
class Specimen:
    """One concrete body: every structure with resolved geometry, every landmark."""

    spec: str
    choices: Mapping[str, str]
    structures: Mapping[str, Structure]
    landmarks: Mapping[str, Vec3]

    def prevalence(self, atlas: Atlas) -> float:
        """Probability of this combination if the variant groups are independent."""
        p = 1.0
        for group_id, option_id in self.choices.items():
            group = atlas.variant_groups[group_id]
            p *= next(o.prevalence for o in group.options if o.id == option_id)
        return p


def default_choices(atlas: Atlas) -> dict[str, str]:
    return {g.id: g.default for g in atlas.variant_groups.values()}


def parse_spec(atlas: Atlas, spec: str) -> dict[str, str]:
    """``default`` or comma-separated option ids → a choice for every group."""
    choices = default_choices(atlas)
    spec = spec.strip()
    if spec in ("", DEFAULT_SPEC):
        return choices
    owner = atlas.option_group()
    chosen_by: dict[str, str] = {}
    for option_id in (s.strip() for s in spec.split(",")):
        if option_id == DEFAULT_SPEC or not option_id:
            continue
        if option_id not in owner:
            known = ", ".join(sorted(owner))
            raise SpecError(f"unknown variant '{option_id}' (known: {known})")
        group_id = owner[option_id]
        if group_id in chosen_by and chosen_by[group_id] != option_id:
            raise SpecError(
                f"'{chosen_by[group_id]}' and '{option_id}' are alternatives of "
                f"'{group_id}': choose one"
            )
        chosen_by[group_id] = option_id
        choices[group_id] = option_id
    return choices


def format_spec(atlas: Atlas, choices: Mapping[str, str]) -> str:
    """The canonical SPEC string of a choice: ``default`` or the non-default option ids."""
    parts = [
        choices[g.id]
        for g in atlas.variant_groups.values()
        if g.id in choices and choices[g.id] != g.default
    ]
    return ",".join(parts) if parts else DEFAULT_SPEC


def _deep_merge(base: dict[str, Any], change: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in change.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def arc_lengths(points: np.ndarray) -> np.ndarray:
    """Cumulative length along a polyline, starting at 0."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    return np.concatenate([[0.0], np.cumsum(seg)])


def falloff_weights(distance: np.ndarray, reach: float) -> np.ndarray:
    """1 at distance 0, easing to 0 at ``reach`` with zero slope at both ends (no kinks)."""
    t = np.clip(distance / reach, 0.0, 1.0)
    return 0.5 * (1.0 + np.cos(np.pi * t))


def warp_points(points: np.ndarray, centre: np.ndarray, by: np.ndarray, reach: float) -> np.ndarray:
    """Points moved by the smooth field of a junction's move (see :class:`Warp`)."""
    d = np.linalg.norm(points - centre[None, :], axis=1)
    return points + falloff_weights(d, reach)[:, None] * by[None, :]


def _warp_centre(
    structures: dict[str, Structure], landmarks: dict[str, Vec3], warp: Warp
) -> np.ndarray:
    if warp.landmark is not None:
        if warp.landmark not in landmarks:
            raise PatchError(f"warp: unknown landmark '{warp.landmark}'")
        return np.asarray(landmarks[warp.landmark], float)
    sid, end = next(iter(warp.ends.items()))
    g = structures[sid].geometry
    assert isinstance(g, CenterlineGeometry)
    return np.asarray(g.points[0 if end == "start" else -1], float)


def apply_warp(structures: dict[str, Structure], landmarks: dict[str, Vec3], warp: Warp) -> None:
    """Move a junction and the vessels around it, in place. The structures in ``ends`` must
    be centerlines of the specimen; those in ``follow`` are moved when it has them."""
    for sid in warp.ends:
        s = structures.get(sid)
        if s is None or not isinstance(s.geometry, CenterlineGeometry):
            raise PatchError(f"warp: '{sid}' is not a centerline structure of this specimen")
    centre = _warp_centre(structures, landmarks, warp)
    by = np.asarray(warp.by, dtype=float)
    for sid in warp.moved():
        s = structures.get(sid)
        if s is None:
            continue  # a tributary this specimen lacks (an absent iliolumbar vein)
        if not isinstance(s.geometry, CenterlineGeometry):
            raise PatchError(f"warp: '{sid}' is not a centerline structure of this specimen")
        pts = warp_points(np.asarray(s.geometry.points, float), centre, by, warp.falloff_mm)
        geom = s.geometry.model_copy(update={"points": [tuple(map(float, p)) for p in pts]})
        structures[sid] = s.model_copy(update={"geometry": geom})
    if warp.landmark is not None:
        landmarks[warp.landmark] = tuple(map(float, centre + by))  # type: ignore[assignment]


def apply_patch(
    structures: dict[str, Structure],
    landmarks: dict[str, Vec3],
    patch: Patch,
    *,
    warps: bool = True,
) -> None:
    """Apply one variant's patch in place (remove, modify, add, landmarks, then its warps;
    ``warps=False`` leaves them to the caller, who applies every variant's warps last)."""
    for sid in patch.remove:
        if sid not in structures:
            raise PatchError(f"remove: no structure '{sid}'")
        del structures[sid]
    for sid, change in patch.modify.items():
        if sid not in structures:
            raise PatchError(f"modify: no structure '{sid}'")
        merged = _deep_merge(structures[sid].model_dump(exclude_unset=True), change)
        try:
            structures[sid] = Structure.model_validate(merged)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise PatchError(f"modify {sid}: {where}: {first['msg']}") from exc
    for s in patch.add:
        if s.id in structures:
            raise PatchError(f"add: '{s.id}' already exists")
        structures[s.id] = s
    for lid, point in patch.landmarks.items():
        if lid not in landmarks:
            raise PatchError(f"landmarks: unknown landmark '{lid}'")
        landmarks[lid] = point
    if warps:
        for warp in patch.warp:
            apply_warp(structures, landmarks, warp)


def mirror_point(p: Vec3) -> Vec3:
    return (-p[0], p[1], p[2])


def mirror_geometry(geometry: CenterlineGeometry | ParametricGeometry) -> Any:
    """The geometry reflected across the midsagittal plane (x → −x)."""
    update: dict[str, Any] = {}
    if isinstance(geometry, CenterlineGeometry):
        update["points"] = [mirror_point(p) for p in geometry.points]
        if geometry.flat_normal is not None:
            update["flat_normal"] = mirror_point(geometry.flat_normal)
    else:
        if geometry.center is not None:
            update["center"] = mirror_point(geometry.center)
        if geometry.points is not None:
            update["points"] = [mirror_point(p) for p in geometry.points]
        if geometry.axes is not None:
            update["axes"] = tuple(mirror_point(a) for a in geometry.axes)
    return geometry.model_copy(update=update)


def resolve_mirrors(structures: dict[str, Structure]) -> None:
    """Replace each mirror geometry with the reflected geometry of its source, in place."""
    for sid, s in list(structures.items()):
        if not isinstance(s.geometry, MirrorGeometry):
            continue
        src = structures.get(s.geometry.of)
        if src is None:
            raise PatchError(f"{sid}: mirrors '{s.geometry.of}', which this specimen lacks")
        if not isinstance(src.geometry, CenterlineGeometry | ParametricGeometry):
            raise PatchError(f"{sid}: only centerline or parametric structures can be mirrored")
        structures[sid] = s.model_copy(update={"geometry": mirror_geometry(src.geometry)})


def offset_centerline(source: CenterlineGeometry, offset: OffsetGeometry) -> CenterlineGeometry:
    """The strand of an offset geometry: the source's control points over the offset's span
    (cut at the span's ends along the polyline), shifted, with the offset's radius."""
    pts = np.asarray(source.points, float)
    s = arc_lengths(pts)
    a, b = (f * s[-1] for f in offset.span)
    keep = [np.array([np.interp(a, s, pts[:, k]) for k in range(3)])]
    keep += [p for p, d in zip(pts, s, strict=True) if a < d < b]
    keep.append(np.array([np.interp(b, s, pts[:, k]) for k in range(3)]))
    moved = np.asarray(keep) + np.asarray(offset.by, float)
    return CenterlineGeometry(
        kind="centerline",
        points=[tuple(map(float, p)) for p in moved],
        radius=offset.radius,
        source=offset.source,
    )


def resolve_offsets(structures: dict[str, Structure]) -> None:
    """Replace each offset geometry with the strand beside its (already patched) source."""
    for sid, s in list(structures.items()):
        if not isinstance(s.geometry, OffsetGeometry):
            continue
        src = structures.get(s.geometry.of)
        if src is None or not isinstance(src.geometry, CenterlineGeometry):
            raise PatchError(
                f"{sid}: runs beside '{s.geometry.of}', which is not a centerline here"
            )
        geometry = offset_centerline(src.geometry, s.geometry)
        structures[sid] = s.model_copy(update={"geometry": geometry})


@contextmanager
def _blaming(option_id: str) -> Iterator[None]:
    """Name the variant in a patch error raised inside."""
    try:
        yield
    except PatchError as exc:
        raise PatchError(f"variant '{option_id}': {exc}") from exc


def build_specimen(atlas: Atlas, spec: str | Mapping[str, str] = DEFAULT_SPEC) -> Specimen:
    """Apply the chosen variants to the base model. Raises SpecError or PatchError."""
    choices = parse_spec(atlas, spec) if isinstance(spec, str) else dict(spec)
    structures = dict(atlas.structures)
    landmarks: dict[str, Vec3] = {k: v.point for k, v in atlas.landmarks.items()}
    chosen = []
    for group in atlas.variant_groups.values():
        option_id = choices.get(group.id, group.default)
        option = next((o for o in group.options if o.id == option_id), None)
        if option is None:
            raise SpecError(f"'{option_id}' is not an option of '{group.id}'")
        chosen.append(option)
    for option in chosen:
        with _blaming(option.id):
            apply_patch(structures, landmarks, option.patch, warps=False)
    for option in chosen:  # junctions move once every structure is in place
        with _blaming(option.id):
            for warp in option.patch.warp:
                apply_warp(structures, landmarks, warp)
    resolve_mirrors(structures)
    resolve_offsets(structures)
    return Specimen(
        spec=format_spec(atlas, choices),
        choices=choices,
        structures=structures,
        landmarks=landmarks,
    )


def sample_choices(atlas: Atlas, n: int, seed: int) -> list[dict[str, str]]:
    """Draw ``n`` specimens' variant choices from the published prevalences, reproducibly.

    Groups are drawn independently: anatomy that varies together is one group (the levels of
    the aortic bifurcation and the iliocaval confluence are chosen as pairs).
    """
    rng = np.random.default_rng(seed)
    columns: dict[str, np.ndarray] = {}
    for group in atlas.variant_groups.values():
        p = np.array([o.prevalence for o in group.options], dtype=float)
        idx = rng.choice(len(p), size=n, p=p / p.sum())
        columns[group.id] = np.array([o.id for o in group.options], dtype=object)[idx]
    return [{g: str(col[i]) for g, col in columns.items()} for i in range(n)]


def sample_specimens(atlas: Atlas, n: int, seed: int) -> list[Specimen]:
    """``n`` specimens sampled from the prevalences with ``seed``."""
    return [build_specimen(atlas, c) for c in sample_choices(atlas, n, seed)]
