"""The battery of named checks run by ``python -m atlas_app validate``.

Each check takes a loaded :class:`Atlas` and yields :class:`Fault` records. They are
small and independent so a broken fixture can prove that exactly one of them fires.
Faults met while loading (``yaml_syntax``, ``schema``, ``schema_version``, duplicate
``unique_ids``) come from the loader.
"""

from __future__ import annotations

from pathlib import Path

from atlas_app.model.atlas import Atlas, Fault

# Importing each module registers its checks.
from atlas_app.model.checks import (  # noqa: F401
    contacts,
    coordinates,
    mesh_files,
    records,
    variants,
)
from atlas_app.model.checks.registry import CHECKS, GEOMETRIC_CHECKS, LOAD_CHECKS, switched_off
from atlas_app.model.loader import load_atlas


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


__all__ = [
    "CHECKS",
    "GEOMETRIC_CHECKS",
    "LOAD_CHECKS",
    "run_checks",
    "switched_off",
    "validate_atlas",
]
