"""Variant groups: prevalences that add up, patches that apply."""

from __future__ import annotations

from collections.abc import Iterator

from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.checks.registry import CHECKS, check
from atlas_app.model.specimen import PatchError, build_specimen, default_choices

PREVALENCE_TOLERANCE = 0.005


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
