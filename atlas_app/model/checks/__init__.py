"""The battery of named checks run by ``python -m atlas_app validate``.

Each check takes a loaded :class:`Atlas` and yields :class:`Fault` records. They are
small and independent so a broken fixture can prove that exactly one of them fires.
Faults met while loading (``yaml_syntax``, ``schema``, ``schema_version``, duplicate
``unique_ids``) come from the loader.
"""

from __future__ import annotations

from collections.abc import Mapping

from atlas_app.model.atlas import Atlas, Fault

# Importing each module registers its checks.
from atlas_app.model.checks import (  # noqa: F401
    coordinates,
    mesh_files,
    records,
    variants,
)
from atlas_app.model.checks.registry import CHECKS, LOAD_CHECKS, Check, switched_off


def run_checks(atlas: Atlas, *, geometric: Mapping[str, Check] | None = None) -> list[Fault]:
    """Every fault of a loaded atlas: the loader's, then each check's, sorted by place.

    The geometric checks measure surfaces built from the records, so they belong to the
    geometry layer and come in as ``geometric``
    (:data:`atlas_app.geometry.contact_check.GEOMETRIC_CHECKS`; the whole battery is
    :func:`atlas_app.validation.run_checks`). They run only when everything else passed —
    on broken records they would measure nonsense or fail — and take seconds, so the app,
    which only needs to know which records are broken, leaves them out.
    """
    faults = list(atlas.faults)
    for fn in CHECKS.values():
        faults.extend(fn(atlas))
    if geometric and not faults:
        for fn in geometric.values():
            faults.extend(fn(atlas))
    return sorted(set(faults))


__all__ = [
    "CHECKS",
    "LOAD_CHECKS",
    "Check",
    "run_checks",
    "switched_off",
]
