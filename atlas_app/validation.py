"""Everything ``validate`` checks, as one function the CLI, the tests and the hostile-input
corpus share: the atlas battery, the mesh files, the approaches, the quiz items and the
sacroplasty techniques. Returns faults; never raises on bad data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from atlas_app.approaches.loader import ApproachSet, load_approaches
from atlas_app.geometry.contact_check import GEOMETRIC_CHECKS
from atlas_app.geometry.mesh_files import check_mesh_data
from atlas_app.model import checks as model_checks
from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.checks import LOAD_CHECKS, Check
from atlas_app.model.loader import load_atlas
from atlas_app.quiz.loader import check_quiz
from atlas_app.sacroplasty.loader import FOLDER as SACROPLASTY_FOLDER
from atlas_app.sacroplasty.loader import load_sacroplasty

CHECKS: dict[str, Check] = {**model_checks.CHECKS, **GEOMETRIC_CHECKS}
"""The whole battery by name: the model's checks of the records and the geometry layer's
checks of the surfaces."""

N_CHECKS = len(CHECKS) + len(LOAD_CHECKS) + 1
"""Named checks in the battery, the geometry layer's ``mesh_data`` included."""


def run_checks(atlas: Atlas, *, geometric: bool = True) -> list[Fault]:
    """Every fault of a loaded atlas (:func:`atlas_app.model.checks.run_checks`), the
    geometric checks included unless ``geometric`` is False."""
    return model_checks.run_checks(atlas, geometric=GEOMETRIC_CHECKS if geometric else None)


def validate_atlas(root: Path | str, *, geometric: bool = True) -> tuple[Atlas, list[Fault]]:
    """Load an atlas directory and run the whole battery (see :func:`run_checks`)."""
    atlas = load_atlas(root)
    return atlas, run_checks(atlas, geometric=geometric)


@dataclass(frozen=True)
class Report:
    atlas: Atlas
    approaches: ApproachSet
    faults: tuple[Fault, ...]


def validate_all(directory: Path | str) -> Report:
    """Every fault in an atlas folder, sorted by place."""
    atlas, faults = validate_atlas(directory)
    approaches = load_approaches(atlas)
    found = set(faults) | set(check_mesh_data(atlas)) | set(approaches.faults)
    found |= set(check_quiz(atlas))
    if (atlas.root / SACROPLASTY_FOLDER).is_dir():  # optional in a partial atlas
        found |= set(load_sacroplasty(atlas).faults)
    return Report(atlas, approaches, tuple(sorted(found)))
