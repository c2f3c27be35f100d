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
LOAD_CHECKS = (
    # the shared YAML reader's refusals (atlas_app.model.yaml_io)
    "file_readable",
    "yaml_alias",
    "yaml_characters",
    "yaml_duplicate_key",
    "yaml_limits",
    "yaml_syntax",
    "yaml_tag",
    # the loader's
    "schema",
    "schema_version",
)
GEOMETRIC_CHECKS = ("no_intersections",)
PREVALENCE_TOLERANCE = 0.005


def check(fn: Check) -> Check:
    """Register a check under its name without the ``check_`` prefix."""
    CHECKS[fn.__name__.removeprefix("check_")] = fn
    return fn


RecordPath = tuple[str | int, ...]


def _records(atlas: Atlas) -> Iterator[tuple[str, str, BaseModel]]:
    for kind in (
        "references",
        "structures",
        "landmarks",
        "groups",
        "variant_groups",
        "allowed_contacts",
    ):
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
    added_anywhere = {
        s.id for vg in atlas.variant_groups.values() for o in vg.options for s in o.patch.add
    }
    for vg in atlas.variant_groups.values():
        for i, o in enumerate(vg.options):
            known = set(atlas.structures) | {s.id for s in o.patch.add}
            targets: list[tuple[RecordPath, str, set[str]]] = []
            targets += [(("remove", j), t, known) for j, t in enumerate(o.patch.remove)]
            targets += [(("modify", t), t, known) for t in o.patch.modify]
            for w, warp in enumerate(o.patch.warp):
                targets += [(("warp", w, "ends", t), t, known) for t in warp.ends]
                # a warp also carries what other variants add (warps come last)
                targets += [
                    (("warp", w, "follow", k), t, added_anywhere | known)
                    for k, t in enumerate(warp.follow)
                ]
            for n, added_s in enumerate(o.patch.add):
                if isinstance(added_s.geometry, OffsetGeometry | MirrorGeometry):
                    targets.append((("add", n, "geometry", "of"), added_s.geometry.of, known))
            for sub, target, names in targets:
                if target not in names:
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
    for cid, contact in atlas.allowed_contacts.items():
        for i, a, b in contact.expanded():
            for sid in (a, b):
                if sid not in atlas.structures and sid not in added_anywhere:
                    yield atlas.fault(
                        "references_resolve",
                        "allowed_contacts",
                        cid,
                        ("pairs", i),
                        f"names unknown structure '{sid}'",
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
    """The landmarks the design names (docs/architecture.md §1) are all defined."""
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
    """Each mesh file is inside the atlas folder and looks like the format its name says.
    (Whether VTK can read it is ``mesh_data``'s, in the geometry layer.)"""
    for sid, s in atlas.structures.items():
        if not isinstance(s.geometry, MeshGeometry):
            continue
        for key, name in (("file", s.geometry.file), ("detail", s.geometry.detail)):
            if name is None:
                continue
            path, problem = mesh_file_path(atlas.root, name)
            if path is not None:
                problem = _mesh_file_problem(path)
            if problem:
                yield atlas.fault(
                    "mesh_files_exist", "structures", sid, ("geometry", key), f"{name}: {problem}"
                )


def mesh_file_path(root: Path, file: str) -> tuple[Path | None, str | None]:
    """The path of a mesh record's file, or why it is refused: it must stay inside the
    atlas folder (no absolute path, no '..', no link leading out)."""
    rel = Path(file)
    if rel.is_absolute() or ".." in rel.parts:
        return None, "the path must stay inside the atlas folder (no '/' start, no '..')"
    path = root / rel
    try:
        inside = path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop
        return None, "the path cannot be resolved (a link loop?)"
    if not inside:
        return None, "the file links outside the atlas folder"
    return path, None


def _mesh_file_problem(path: Path) -> str | None:
    if not path.is_file():
        return "file not found"
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        return f"cannot read the file: {exc.strerror or exc}"
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
    """Ids of sided structures end in _right/_left; midline ones do not (docs/architecture.md
    §1)."""
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


def _owner(atlas: Atlas, a: str, b: str) -> str:
    """Of two structures, the one whose record a fix most likely changes: the authored
    (schematic) one, else a centerline (a fitted tube) rather than a surface mesh."""

    def rank(sid: str) -> tuple[bool, bool, str]:
        s = atlas.structures[sid]
        return (not s.schematic, not isinstance(s.geometry, CenterlineGeometry), sid)

    return min((a, b), key=rank)


def _adding(atlas: Atlas, structure_id: str) -> str:
    """The variant group one of whose options adds this structure."""
    return next(
        g.id
        for g in atlas.variant_groups.values()
        for o in g.options
        if any(s.id == structure_id for s in o.patch.add)
    )


@check
def check_no_intersections(atlas: Atlas) -> Iterator[Fault]:
    """No two structures pass through each other unless ``allowed_contacts`` says anatomy
    lets them (a nerve forming inside psoas, a vein draining into another, a root in its
    foramen), each allowance with its reason and citation.

    Measured by :mod:`atlas_app.geometry.intersections` — overlap beyond 1 mm, or beyond
    half a thin tube's radius — over the base specimen, each variant option alone and
    each pair of options that change neighbouring structures
    (:mod:`atlas_app.geometry.contacts`). A fault gives the pair, how deep and over what
    length; it sits on the structure a fix would change, or on the patch of the variant
    that brings the intersection. An allowance no specimen uses is a fault too, so the list
    stays the list of contacts the model makes.

    ``checks: {no_intersections: false}`` in ``atlas.yaml`` switches it off. The shipped
    atlas does so until the adult body (issue 11) replaces the SPL CT, whose structures pass
    through each other; whoever lands the adult body deletes that line. Like every
    geometric check it expects an atlas that passes the rest of the battery.
    """
    if "no_intersections" in switched_off(atlas):
        return
    from atlas_app.geometry.contacts import survey_contacts  # needs VTK: only when run
    from atlas_app.geometry.intersections import BodyError
    from atlas_app.geometry.mesh_files import unusable_meshes

    if unusable_meshes(atlas):
        return  # mesh_data reports them; their surfaces cannot be measured
    try:
        found = survey_contacts(atlas)
    except BodyError as exc:
        kind = "structures" if exc.structure_id in atlas.structures else "variant_groups"
        record = exc.structure_id if kind == "structures" else _adding(atlas, exc.structure_id)
        yield atlas.fault(
            "no_intersections", kind, record, ("geometry",), f"cannot build: {exc.problem}"
        )
        return
    for finding in found.findings:
        if not finding.is_fault:
            continue
        hit = finding.intersection
        problem = hit.describe()
        if finding.excess is not None:
            problem += f", {finding.excess} as '{finding.allowance}' allows"
        if not finding.visit.options:
            sid = _owner(atlas, hit.a, hit.b)
            yield atlas.fault("no_intersections", "structures", sid, ("geometry",), problem)
            continue
        *before, (gid, i) = finding.visit.options
        for other_gid, j in before:
            problem += f" (with '{atlas.variant_groups[other_gid].options[j].id}')"
        yield atlas.fault(
            "no_intersections", "variant_groups", gid, ("options", i, "patch"), problem
        )
    for cid, i in found.unused_allowances:
        yield atlas.fault(
            "no_intersections",
            "allowed_contacts",
            cid,
            ("pairs", i),
            "these structures do not touch in any specimen: remove the allowance",
        )


def switched_off(atlas: Atlas) -> list[str]:
    """The checks this atlas's manifest switches off (``checks:`` in ``atlas.yaml``)."""
    if atlas.info is None:
        return []
    return [name for name, on in atlas.info.checks if not on]


def run_checks(atlas: Atlas, *, geometric: bool = True) -> list[Fault]:
    """Every fault of a loaded atlas: the loader's, then each check's, sorted by place.

    The geometric checks (:data:`GEOMETRIC_CHECKS`) measure surfaces built from the records,
    so they run only when everything else passed — on broken records they would measure
    nonsense or fail — and take seconds, so the app, which only needs to know which records
    are broken, asks for them with ``geometric=False``.
    """
    faults = list(atlas.faults)
    for name, fn in CHECKS.items():
        if name not in GEOMETRIC_CHECKS:
            faults.extend(fn(atlas))
    if geometric and not faults:
        for name in GEOMETRIC_CHECKS:
            faults.extend(CHECKS[name](atlas))
    return sorted(set(faults))


def validate_atlas(root: Path | str, *, geometric: bool = True) -> tuple[Atlas, list[Fault]]:
    """Load an atlas directory and run the whole battery (see :func:`run_checks`)."""
    atlas = load_atlas(root)
    return atlas, run_checks(atlas, geometric=geometric)
