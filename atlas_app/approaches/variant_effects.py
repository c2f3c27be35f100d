"""Which variant groups change what an approach step works on: the structures (and
landmarks) each group's options change, and the groups that act on a step."""

from __future__ import annotations

from collections.abc import Mapping

from atlas_app.approaches.schema import Approach, PointRef
from atlas_app.caching import ObjectMemo
from atlas_app.model.atlas import Atlas
from atlas_app.model.geometry_schema import MirrorGeometry, OffsetGeometry
from atlas_app.model.specimen import Specimen, build_specimen

Choices = tuple[tuple[str, str], ...]  # (group, option) pairs, sorted


def _changed(base: Specimen, other: Specimen) -> set[str]:
    out = {
        k
        for k, s in other.structures.items()
        if k not in base.structures
        or (s is not base.structures[k] and s.geometry != base.structures[k].geometry)
    }
    out |= {k for k in base.structures if k not in other.structures}
    out |= {f"landmark:{k}" for k, p in other.landmarks.items() if base.landmarks.get(k) != p}
    return out


_touches: ObjectMemo[dict[str, frozenset[str]]] = ObjectMemo(items=8)


def group_touches(atlas: Atlas) -> dict[str, frozenset[str]]:
    """For each variant group, the structures (and ``landmark:`` ids) any of its options
    changes, against the usual anatomy and, for an option that warps (moves what lies
    near a junction, including what other variants add), against every other option of
    every other group too."""
    return _touches.get_or_make((atlas,), lambda: _group_touches(atlas))


def _group_touches(atlas: Atlas) -> dict[str, frozenset[str]]:
    builds: dict[Choices, Specimen] = {}

    def built(**choices: str) -> Specimen:
        key = tuple(sorted(choices.items()))
        if key not in builds:
            builds[key] = build_specimen(atlas, choices)
        return builds[key]

    groups = atlas.variant_groups.values()
    out = {}
    for g in groups:
        touched: set[str] = set()
        for o in g.options:
            touched |= _changed(built(), built(**{g.id: o.id}))
            if not o.patch.warp:
                continue
            for h in groups:
                for p in h.options if h.id != g.id else ():
                    touched |= _changed(built(**{h.id: p.id}), built(**{h.id: p.id, g.id: o.id}))
        out[g.id] = frozenset(_with_derived(atlas, touched))
    return out


def _with_derived(atlas: Atlas, touched: set[str]) -> set[str]:
    """``touched`` with every structure drawn from one in it (a mirror image, a strand
    beside a root: they follow whatever course another variant gives their source)."""
    structures = [*atlas.structures.values()]
    structures += [s for g in atlas.variant_groups.values() for o in g.options for s in o.patch.add]
    edges = {
        (s.geometry.of, s.id)
        for s in structures
        if isinstance(s.geometry, MirrorGeometry | OffsetGeometry)
    }
    out = set(touched)
    grown = True
    while grown:
        new = {sid for src, sid in edges if src in out} - out
        out |= new
        grown = bool(new)
    return out


def _ref_ids(ref: PointRef | None) -> set[str]:
    if ref is None:
        return set()
    if ref.structure is not None:
        return {ref.structure}
    return {f"landmark:{ref.landmark}"} if ref.landmark is not None else set()


def acting_ids(approach: Approach, index: int, vessels: set[str]) -> set[str]:
    """What the walk to step ``index`` reads beyond copying: the vessels (their tree and
    tributaries), what the step retracts and carries, and the points its corridor and
    blades are placed by."""
    out = set(vessels)
    for step in approach.steps[: index + 1]:
        if step.corridor is not None:
            out |= _ref_ids(step.corridor.entry) | _ref_ids(step.corridor.target)
    for r in approach.steps[index].retract:
        out |= {r.structure, *r.carries} | _ref_ids(r.at)
    return out


def acting_groups(
    touches: Mapping[str, frozenset[str]], approach: Approach, index: int, vessels: set[str]
) -> tuple[str, ...]:
    ids = acting_ids(approach, index, vessels)
    return tuple(g for g, t in touches.items() if t & ids)


def vessel_ids(atlas: Atlas) -> set[str]:
    """Every vessel in any specimen (variants add some)."""
    out = {k for k, s in atlas.structures.items() if s.category in ("artery", "vein")}
    for g in atlas.variant_groups.values():
        for o in g.options:
            out |= {s.id for s in o.patch.add if s.category in ("artery", "vein")}
    return out
