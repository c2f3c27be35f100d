"""The contacts of a whole atlas: every specimen worth measuring, what passes through what in
each, and which of those the allow-list (``allowed_contacts``) accounts for.

Which specimens: the base (every group at its default), each variant option alone, and
each pair of options from different groups that *interact* — that change a common
structure, or change structures whose bounding boxes meet. Two options that do not
interact cannot make together an intersection that neither makes alone (every pair of
structures in the combined specimen has the geometry it has in the base or under one of
the two options). Larger combinations are not visited: on the shipped atlas the 14
options form 49 interacting pairs but also 146 mutually interacting triples, quadruples
and quintuples, which would triple the time. What only a triple can show is a structure
changed by two options at once against a third option's change. Here that is the right L4
and L5 rami, placed by the trunk's formation and thinned by a doubled or plexiform root (a
thinner ramus overlaps less than the one the pairs measure), and the second right
iliolumbar vein, which one group adds and the vessel levels carry a few millimetres: that
vein against a third option's structures is not measured.

A pair of structures is reported once, in the first specimen it appears in (base, then
options, then pairs of options); an allowed pair is measured in every specimen against
its allowance's limits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

from atlas_app.geometry.intersections import (
    Body,
    Intersection,
    boxes_meet,
    find_intersections,
    structure_body,
)
from atlas_app.model.atlas import Atlas
from atlas_app.model.schema import AllowedContact
from atlas_app.model.specimen import PatchError, SpecError, Specimen, build_specimen

OptionRef = tuple[str, int]
"""A variant option by its group's id and its index in the group."""


@dataclass(frozen=True)
class Visit:
    """One specimen measured: the non-default options that make it (none for the base)."""

    options: tuple[OptionRef, ...]


@dataclass(frozen=True)
class Finding:
    """Two structures passing through each other in one specimen, and what allows it."""

    visit: Visit
    intersection: Intersection
    allowance: str | None = None  # the allowance that names this pair
    excess: str | None = None  # how the contact goes beyond that allowance's limits

    @property
    def is_fault(self) -> bool:
        return self.allowance is None or self.excess is not None


@dataclass(frozen=True)
class Survey:
    """What the contact check found over the whole atlas."""

    findings: tuple[Finding, ...]
    unused_allowances: tuple[tuple[str, int], ...]  # (allowance id, index of its pair)
    specimens: int


def allowances(atlas: Atlas) -> dict[frozenset[str], tuple[AllowedContact, int]]:
    """Each concrete pair of structure ids → the allowance naming it and the pair's index."""
    out: dict[frozenset[str], tuple[AllowedContact, int]] = {}
    for entry in atlas.allowed_contacts.values():
        for i, a, b in entry.expanded():
            out.setdefault(frozenset((a, b)), (entry, i))
    return out


def _excess(entry: AllowedContact, found: Intersection) -> str | None:
    over = []
    if entry.max_depth_mm is not None and found.depth_mm > entry.max_depth_mm:
        over.append(f"deeper than {entry.max_depth_mm:g} mm")
    if entry.max_length_mm is not None and found.length_mm > entry.max_length_mm:
        over.append(f"longer than {entry.max_length_mm:g} mm")
    return " and ".join(over) or None


@dataclass
class _Specimens:
    """Specimens with their bodies, sharing the base's bodies for what a variant leaves alone."""

    atlas: Atlas
    base: Specimen
    base_bodies: dict[str, Body]

    def changed(self, specimen: Specimen) -> frozenset[str]:
        base = self.base.structures
        return frozenset(
            sid
            for sid, s in specimen.structures.items()
            if sid not in base or s.geometry != base[sid].geometry
        )

    def bodies(self, specimen: Specimen, changed: frozenset[str]) -> dict[str, Body]:
        return {
            sid: structure_body(self.atlas, s) if sid in changed else self.base_bodies[sid]
            for sid, s in specimen.structures.items()
        }


def _interact(x: dict[str, Body], y: dict[str, Body]) -> bool:
    """Whether two options' changed structures share one or come near each other."""
    if x.keys() & y.keys():
        return True
    return any(boxes_meet(a.bounds, b.bounds) for a in x.values() for b in y.values())


def _visits(atlas: Atlas) -> Iterator[tuple[Visit, list[Intersection]]]:
    """Every specimen the survey measures, with what passes through what in it (only the
    pairs a variant could have changed: the rest are the base's)."""
    defaults = {g.id: g.default for g in atlas.variant_groups.values()}
    base = build_specimen(atlas, defaults)
    spec = _Specimens(
        atlas, base, {sid: structure_body(atlas, s) for sid, s in base.structures.items()}
    )
    yield Visit(()), find_intersections(spec.base_bodies)
    alone: dict[OptionRef, dict[str, Body]] = {}
    for group in atlas.variant_groups.values():
        for i, option in enumerate(group.options):
            if option.id == group.default:
                continue
            try:
                specimen = build_specimen(atlas, {**defaults, group.id: option.id})
            except (PatchError, SpecError):
                continue  # variant_patches_apply reports it
            changed = spec.changed(specimen)
            bodies = spec.bodies(specimen, changed)
            alone[(group.id, i)] = {sid: bodies[sid] for sid in changed}
            yield Visit(((group.id, i),)), find_intersections(bodies, only=changed)
    for (x, bx), (y, by) in combinations(alone.items(), 2):
        if x[0] == y[0] or not _interact(bx, by):
            continue
        choices = {**defaults}
        for gid, i in (x, y):
            choices[gid] = atlas.variant_groups[gid].options[i].id
        try:
            specimen = build_specimen(atlas, choices)
        except (PatchError, SpecError):
            continue
        changed = spec.changed(specimen)
        bodies = spec.bodies(specimen, changed)
        yield Visit((x, y)), find_intersections(bodies, only=changed)


def survey_contacts(atlas: Atlas) -> Survey:
    """Measure every specimen worth measuring and sort what passes through what into
    allowed contacts and faults (each pair recorded once as each, where first seen)."""
    allowed = allowances(atlas)
    findings: list[Finding] = []
    recorded: set[tuple[frozenset[str], bool]] = set()
    used: set[frozenset[str]] = set()
    n = 0
    for visit, found in _visits(atlas):
        n += 1
        for hit in found:
            pair = frozenset((hit.a, hit.b))
            allowance = allowed.get(pair)
            if allowance is None:
                finding = Finding(visit, hit)
            else:
                used.add(pair)
                entry = allowance[0]
                finding = Finding(visit, hit, entry.id, _excess(entry, hit))
            if (pair, finding.is_fault) not in recorded:
                recorded.add((pair, finding.is_fault))
                findings.append(finding)
    touched: dict[tuple[str, int], bool] = {}  # an allowance's pair, either side of it
    for pair, (named, i) in allowed.items():
        touched[(named.id, i)] = touched.get((named.id, i), False) or pair in used
    unused = sorted(k for k, t in touched.items() if not t)
    return Survey(tuple(findings), tuple(unused), n)
