"""Checks of the records themselves: ids, what they point to, citations, categories,
side suffixes, the hierarchy and mirror sources."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.checks.registry import check
from atlas_app.model.data_files import walk
from atlas_app.model.geometry_schema import MeshGeometry, MirrorGeometry, OffsetGeometry
from atlas_app.model.records import Citation
from atlas_app.model.schema import CATEGORIES, side_suffix_problem
from atlas_app.model.yaml_io import DocPath


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
            targets: list[tuple[DocPath, str, set[str]]] = []
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
