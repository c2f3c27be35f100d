"""The battery of named checks run by ``python -m atlas_app validate``.

Each check takes a loaded :class:`Atlas` and yields :class:`Fault` records. They are
small and independent so a broken fixture can prove that exactly one of them fires.
Faults met while loading (``yaml_syntax``, ``schema``, ``schema_version``, duplicate
``unique_ids``) come from the loader.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import BaseModel

from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.data_files import walk
from atlas_app.model.loader import load_atlas
from atlas_app.model.schema import (
    CATEGORIES,
    CenterlineGeometry,
    Citation,
    MeshGeometry,
    MirrorGeometry,
    OffsetGeometry,
    ParametricGeometry,
    Structure,
    Vec3,
    side_suffix_problem,
)
from atlas_app.model.specimen import PatchError, build_specimen, default_choices

Check = Callable[[Atlas], Iterator[Fault]]
CHECKS: dict[str, Check] = {}
LOAD_CHECKS = ("yaml_syntax", "schema", "schema_version")
PREVALENCE_TOLERANCE = 0.005


def check(fn: Check) -> Check:
    """Register a check under its name without the ``check_`` prefix."""
    CHECKS[fn.__name__.removeprefix("check_")] = fn
    return fn


RecordPath = tuple[str | int, ...]


def _records(atlas: Atlas) -> Iterator[tuple[str, str, BaseModel]]:
    for kind in ("references", "structures", "landmarks", "groups", "variant_groups"):
        for record_id, record in getattr(atlas, kind).items():
            yield kind, record_id, record


def _points_of(structure: Structure) -> Iterator[tuple[RecordPath, Vec3]]:
    g = structure.geometry
    if isinstance(g, CenterlineGeometry):
        for i, p in enumerate(g.points):
            yield ("geometry", "points", i), p
    elif isinstance(g, ParametricGeometry):
        if g.center is not None:
            yield ("geometry", "center"), g.center
        for i, p in enumerate(g.points or []):
            yield ("geometry", "points", i), p


@check
def check_unique_ids(atlas: Atlas) -> Iterator[Fault]:
    """Structures, groups and variant options share one namespace (parents may be either)."""
    seen: dict[str, tuple[str, str]] = {}
    named = [("structures", i) for i in atlas.structures] + [("groups", i) for i in atlas.groups]
    for group in atlas.variant_groups.values():
        named.append(("variant_groups", group.id))
    for kind, record_id in named:
        if record_id in seen:
            yield atlas.fault(
                "unique_ids",
                kind,
                record_id,
                ("id",),
                f"id also used by a record in {seen[record_id][0]}",
            )
        else:
            seen[record_id] = (kind, record_id)
    for group in atlas.variant_groups.values():
        for i, option in enumerate(group.options):
            if option.id in seen and seen[option.id] != ("variant_groups", group.id):
                yield atlas.fault(
                    "unique_ids",
                    "variant_groups",
                    group.id,
                    ("options", i, "id"),
                    f"option id '{option.id}' is taken",
                )
            seen[option.id] = ("variant_groups", group.id)


@check
def check_references_resolve(atlas: Atlas) -> Iterator[Fault]:
    """Every id a record points to (parent, groups, mirror source, patch target) exists."""
    nodes = set(atlas.structures) | set(atlas.groups)
    for sid, s in atlas.structures.items():
        if s.parent is not None and s.parent not in nodes:
            yield atlas.fault(
                "references_resolve", "structures", sid, ("parent",), f"unknown parent '{s.parent}'"
            )
        for i, gid in enumerate(s.groups):
            if gid not in atlas.groups:
                yield atlas.fault(
                    "references_resolve", "structures", sid, ("groups", i), f"unknown group '{gid}'"
                )
        if isinstance(s.geometry, MirrorGeometry) and s.geometry.of not in atlas.structures:
            yield atlas.fault(
                "references_resolve",
                "structures",
                sid,
                ("geometry", "of"),
                f"mirrors unknown structure '{s.geometry.of}'",
            )
        if isinstance(s.geometry, OffsetGeometry) and s.geometry.of not in atlas.structures:
            yield atlas.fault(
                "references_resolve",
                "structures",
                sid,
                ("geometry", "of"),
                f"runs beside unknown structure '{s.geometry.of}'",
            )
    for gid, g in atlas.groups.items():
        if g.parent is not None and g.parent not in atlas.groups:
            yield atlas.fault(
                "references_resolve",
                "groups",
                gid,
                ("parent",),
                f"unknown parent group '{g.parent}'",
            )
    for vg in atlas.variant_groups.values():
        for i, o in enumerate(vg.options):
            added = {s.id for s in o.patch.add}
            targets: list[tuple[RecordPath, str]] = []
            targets += [(("remove", j), t) for j, t in enumerate(o.patch.remove)]
            targets += [(("modify", t), t) for t in o.patch.modify]
            for w, warp in enumerate(o.patch.warp):
                targets += [(("warp", w, "ends", t), t) for t in warp.ends]
            for a, added_s in enumerate(o.patch.add):
                if isinstance(added_s.geometry, OffsetGeometry | MirrorGeometry):
                    targets.append((("add", a, "geometry", "of"), added_s.geometry.of))
            for sub, target in targets:
                if target not in atlas.structures and target not in added:
                    yield atlas.fault(
                        "references_resolve",
                        "variant_groups",
                        vg.id,
                        ("options", i, "patch", *sub),
                        f"patch names unknown structure '{target}'",
                    )
            lm = list(o.patch.landmarks) + [w.landmark for w in o.patch.warp if w.landmark]
            for lid in lm:
                if lid not in atlas.landmarks:
                    yield atlas.fault(
                        "references_resolve",
                        "variant_groups",
                        vg.id,
                        ("options", i, "patch", "landmarks", lid),
                        f"patch names unknown landmark '{lid}'",
                    )


@check
def check_citations_resolve(atlas: Atlas) -> Iterator[Fault]:
    """Every citation names an entry of the bibliography."""
    for kind, record_id, record in _records(atlas):
        for path, value in walk(record):
            if isinstance(value, Citation) and value.ref not in atlas.references:
                yield atlas.fault(
                    "citations_resolve",
                    kind,
                    record_id,
                    (*path, "ref"),
                    f"unknown reference '{value.ref}'",
                )


@check
def check_radii_match_points(atlas: Atlas) -> Iterator[Fault]:
    """A per-point radius list has one positive radius per control point."""
    for sid, s in atlas.structures.items():
        g = s.geometry
        if not isinstance(g, CenterlineGeometry):
            continue
        radii = g.radius if isinstance(g.radius, list) else [g.radius]
        if isinstance(g.radius, list) and len(g.radius) != len(g.points):
            yield atlas.fault(
                "radii_match_points",
                "structures",
                sid,
                ("geometry", "radius"),
                f"{len(g.radius)} radii for {len(g.points)} points",
            )
        for i, r in enumerate(radii):
            if not (r > 0 and math.isfinite(r)):
                sub = (
                    ("geometry", "radius", i)
                    if isinstance(g.radius, list)
                    else ("geometry", "radius")
                )
                yield atlas.fault(
                    "radii_match_points",
                    "structures",
                    sid,
                    sub,
                    f"radius {r} must be positive and finite",
                )


@check
def check_coordinates_finite(atlas: Atlas) -> Iterator[Fault]:
    """No NaN or infinite coordinate anywhere."""
    for sid, s in atlas.structures.items():
        for sub, p in _points_of(s):
            if not all(math.isfinite(c) for c in p):
                yield atlas.fault(
                    "coordinates_finite",
                    "structures",
                    sid,
                    sub,
                    f"coordinate {list(p)} is not finite",
                )
    for lid, lm in atlas.landmarks.items():
        if not all(math.isfinite(c) for c in lm.point):
            yield atlas.fault(
                "coordinates_finite",
                "landmarks",
                lid,
                ("point",),
                f"coordinate {list(lm.point)} is not finite",
            )


def _inside(p: Vec3, box: tuple[Vec3, Vec3]) -> bool:
    lo, hi = box
    return all(lo[k] <= p[k] <= hi[k] for k in range(3))


@check
def check_coordinates_in_region(atlas: Atlas) -> Iterator[Fault]:
    """Every authored point lies inside the atlas region (catches a slipped sign or a cm)."""
    if atlas.info is None:
        return
    region = atlas.info.region
    desc = f"outside the region {list(region[0])}..{list(region[1])} mm"
    for sid, s in atlas.structures.items():
        for sub, p in _points_of(s):
            if all(math.isfinite(c) for c in p) and not _inside(p, region):
                yield atlas.fault(
                    "coordinates_in_region", "structures", sid, sub, f"{list(p)} is {desc}"
                )
    for lid, lm in atlas.landmarks.items():
        if all(math.isfinite(c) for c in lm.point) and not _inside(lm.point, region):
            yield atlas.fault(
                "coordinates_in_region", "landmarks", lid, ("point",), f"{list(lm.point)} is {desc}"
            )


@check
def check_inside_parent_bounds(atlas: Atlas) -> Iterator[Fault]:
    """Centerline points of a structure whose parent group declares bounds lie inside them."""
    for sid, s in atlas.structures.items():
        group = atlas.groups.get(s.parent or "")
        if group is None or group.bounds is None:
            continue
        for sub, p in _points_of(s):
            if all(math.isfinite(c) for c in p) and not _inside(p, group.bounds):
                yield atlas.fault(
                    "inside_parent_bounds",
                    "structures",
                    sid,
                    sub,
                    f"{list(p)} lies outside the bounds of '{group.id}'",
                )


@check
def check_landmarks_present(atlas: Atlas) -> Iterator[Fault]:
    """The landmarks the design names (DESIGN §3) are all defined."""
    if atlas.info is None:
        return
    for i, lid in enumerate(atlas.info.required_landmarks):
        if lid not in atlas.landmarks:
            yield atlas.fault(
                "landmarks_present",
                "atlas",
                "atlas",
                ("required_landmarks", i),
                f"required landmark '{lid}' is not defined",
            )


@check
def check_mesh_files_exist(atlas: Atlas) -> Iterator[Fault]:
    """Each mesh file is in the atlas and looks like the format its name says."""
    for sid, s in atlas.structures.items():
        if not isinstance(s.geometry, MeshGeometry):
            continue
        for key, name in (("file", s.geometry.file), ("detail", s.geometry.detail)):
            if name is None:
                continue
            problem = _mesh_file_problem(atlas.root / name)
            if problem:
                yield atlas.fault(
                    "mesh_files_exist", "structures", sid, ("geometry", key), f"{name}: {problem}"
                )


def _mesh_file_problem(path: Path) -> str | None:
    if not path.is_file():
        return "file not found"
    with path.open("rb") as handle:
        head = handle.read(512)
    if len(head) < 84:
        return "file is too small to be a mesh"
    if path.suffix == ".vtp" and b"<VTKFile" not in head:
        return "not a VTK XML PolyData file"
    if path.suffix == ".ply" and not head.startswith(b"ply"):
        return "not a PLY file"
    return None


@check
def check_anatomy_categories(atlas: Atlas) -> Iterator[Fault]:
    """Atlas data holds anatomy; instruments belong to approach steps."""
    for sid, s in atlas.structures.items():
        if s.category not in CATEGORIES:
            yield atlas.fault(
                "anatomy_categories",
                "structures",
                sid,
                ("category",),
                f"'{s.category}' is not an anatomical category ({', '.join(CATEGORIES)})",
            )


@check
def check_side_suffix(atlas: Atlas) -> Iterator[Fault]:
    """Ids of sided structures end in _right/_left; midline ones do not (DESIGN §3)."""
    for sid, s in atlas.structures.items():
        problem = side_suffix_problem(sid, s.side)
        if problem:
            yield atlas.fault("side_suffix", "structures", sid, ("id",), problem)


@check
def check_hierarchy_acyclic(atlas: Atlas) -> Iterator[Fault]:
    """Following parents always ends at a root."""
    parents = {k: v.parent for k, v in atlas.groups.items()}
    parents.update({k: v.parent for k, v in atlas.structures.items()})
    for start in parents:
        seen = {start}
        node = parents.get(start)
        while node is not None:
            if node in seen:
                kind = "structures" if start in atlas.structures else "groups"
                yield atlas.fault(
                    "hierarchy_acyclic",
                    kind,
                    start,
                    ("parent",),
                    f"parent chain loops back to '{node}'",
                )
                break
            seen.add(node)
            node = parents.get(node)


@check
def check_mirror_sources(atlas: Atlas) -> Iterator[Fault]:
    """A mirror reflects a centerline or parametric structure of the opposite side."""
    opposite = {"right": "left", "left": "right"}
    for sid, s in atlas.structures.items():
        if not isinstance(s.geometry, MirrorGeometry):
            continue
        src = atlas.structures.get(s.geometry.of)
        if src is None:
            continue  # references_resolve reports it
        if isinstance(src.geometry, MeshGeometry | MirrorGeometry):
            yield atlas.fault(
                "mirror_sources",
                "structures",
                sid,
                ("geometry", "of"),
                f"'{src.id}' is a {src.geometry.kind}; mirror a centerline or parametric structure",
            )
        elif opposite.get(src.side) != s.side:
            yield atlas.fault(
                "mirror_sources",
                "structures",
                sid,
                ("geometry", "of"),
                f"mirror of a {src.side} structure must be on the "
                f"{opposite.get(src.side, 'other')} side",
            )


@check
def check_prevalences_sum_to_one(atlas: Atlas) -> Iterator[Fault]:
    """The options of a variant group cover every specimen exactly once."""
    for gid, g in atlas.variant_groups.items():
        total = sum(o.prevalence for o in g.options)
        if abs(total - 1.0) > PREVALENCE_TOLERANCE:
            yield atlas.fault(
                "prevalences_sum_to_one",
                "variant_groups",
                gid,
                ("options",),
                f"prevalences add up to {total:.3f}, not 1",
            )


@check
def check_variant_patches_apply(atlas: Atlas) -> Iterator[Fault]:
    """Each option, chosen alone with every other group at its default, builds a specimen."""
    if any(f.check in ("references_resolve",) for f in CHECKS["references_resolve"](atlas)):
        return  # a dangling id would fail here too; report it once, there
    base = default_choices(atlas)
    for gid, g in atlas.variant_groups.items():
        for i, option in enumerate(g.options):
            try:
                build_specimen(atlas, {**base, gid: option.id})
            except PatchError as exc:
                yield atlas.fault(
                    "variant_patches_apply",
                    "variant_groups",
                    gid,
                    ("options", i, "patch"),
                    str(exc),
                )


def run_checks(atlas: Atlas) -> list[Fault]:
    """Every fault of a loaded atlas: the loader's, then each check's, sorted by place."""
    faults = list(atlas.faults)
    for fn in CHECKS.values():
        faults.extend(fn(atlas))
    return sorted(set(faults))


def validate_atlas(root: Path | str) -> tuple[Atlas, list[Fault]]:
    """Load an atlas directory and run the whole battery."""
    atlas = load_atlas(root)
    return atlas, run_checks(atlas)
