"""The approaches on a specimen, in one call: walk the steps, measure them."""

from __future__ import annotations

import numpy as np

from atlas_app.approaches.engine import StepState, walk
from atlas_app.approaches.loader import ApproachSet
from atlas_app.approaches.metric_types import ApproachMetrics, StepMetrics
from atlas_app.approaches.metrics import SurfacePoints, approach_metrics, step_metrics
from atlas_app.geometry.centerline import Array
from atlas_app.geometry.specimen_meshes import cached_structure_mesh
from atlas_app.model.atlas import Atlas
from atlas_app.model.geometry_schema import MeshGeometry
from atlas_app.model.schema import Structure
from atlas_app.model.specimen import Specimen


def surface_of(atlas: Atlas) -> SurfacePoints:
    """Surface vertices of a structure (from the shared mesh cache)."""

    def points(s: Structure) -> Array:
        return np.asarray(cached_structure_mesh(atlas, s).points)

    return points


def mesh_vertices(atlas: Atlas, specimen: Specimen) -> dict[str, Array]:
    return {
        sid: np.asarray(cached_structure_mesh(atlas, s).points)
        for sid, s in specimen.structures.items()
        if isinstance(s.geometry, MeshGeometry)
    }


def walk_approach(
    atlas: Atlas, approaches: ApproachSet, specimen: Specimen, approach_id: str
) -> list[StepState]:
    approach = approaches.approaches[approach_id]
    return walk(specimen, approach, approaches.instruments, mesh_vertices(atlas, specimen))


def measure_approach(
    atlas: Atlas, approaches: ApproachSet, specimen: Specimen, approach_id: str
) -> ApproachMetrics:
    """Per-step metrics as plain data (:class:`.metric_types.ApproachMetrics`)."""
    states = walk_approach(atlas, approaches, specimen, approach_id)
    return approach_metrics(states, surface_of(atlas), specimen.spec)


def measure_step(atlas: Atlas, state: StepState) -> StepMetrics:
    return step_metrics(state, surface_of(atlas))
