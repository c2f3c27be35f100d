"""The geometric check of the battery: no two structures pass through each other unless
anatomy lets them. It measures surfaces, so it lives in the geometry layer; the model's
battery runs it when a caller above both passes it in (:mod:`atlas_app.validation`)."""

from __future__ import annotations

from collections.abc import Iterator

from atlas_app.geometry.contacts import survey_contacts
from atlas_app.geometry.intersections import BodyError
from atlas_app.geometry.mesh_files import unusable_meshes
from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.checks.registry import Check, switched_off
from atlas_app.model.geometry_schema import CenterlineGeometry


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


GEOMETRIC_CHECKS: dict[str, Check] = {"no_intersections": check_no_intersections}
"""The checks that measure surfaces: run after every other check passed (on broken records
they would measure nonsense), and only where asked (they take seconds)."""
