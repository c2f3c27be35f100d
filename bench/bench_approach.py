"""Benchmark of a step change on the Approaches page (server time and bytes, no browser).

A step change = the step's field (retraction, corridor, instruments), its metrics, the
scene description, and the viewer's message. "First view" is a step nobody has opened on a
running server (the atlas's surfaces are built, the step's retracted ones are not); "cold"
clears every cache first; "cached" is a step already shown. Bytes are the message a step
change sends when the trainee walks the approach from its first step (the surfaces an
earlier step sent are not sent again; a retracted surface goes as its vertices only).

Run: .venv/bin/python bench/bench_approach.py
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import report, row, timed

from atlas_app.approaches.api import measure_step, mesh_vertices
from atlas_app.approaches.engine import field_at
from atlas_app.approaches.instruments import CORRIDOR_ID
from atlas_app.approaches.loader import ApproachSet, load_approaches
from atlas_app.geometry import specimen_meshes
from atlas_app.geometry.centerline import Array
from atlas_app.model.atlas import Atlas
from atlas_app.model.camera import DEFAULT_CAMERA
from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import Specimen, build_specimen
from atlas_app.paths import DEFAULT_ATLAS_DIR
from atlas_app.scene.browser_mesh import clear_caches
from atlas_app.scene.compose import compose_scene, describe_scene
from atlas_app.scene.spec import SceneSpec
from atlas_app.scene.viewer_payload import pack, viewer_scene


def step_change(
    atlas: Atlas,
    approaches: ApproachSet,
    specimen: Specimen,
    meshes: dict[str, Array],
    approach_id: str,
    index: int,
    sent: set[str],
) -> int:
    """One step change as the page makes it; the bytes of the viewer's message."""
    approach = approaches.approaches[approach_id]
    field = field_at(specimen, approach, index, approaches.instruments, meshes)
    measure_step(atlas, field)
    spec = compose_scene(
        atlas,
        field.specimen,
        hidden_structures=sorted(field.removed),
        highlight=approach.steps[index].at_risk,
        translucent=[CORRIDOR_ID],
        camera=approach.steps[index].camera or DEFAULT_CAMERA,
    )
    text = describe_scene(spec, field.specimen, atlas)
    scene = viewer_scene(atlas, field.specimen, spec, base=specimen, description=text)
    data, added = pack(scene, {"cameraToken": 0}, sent)
    sent |= added
    return len(data)


def main() -> None:
    atlas = load_atlas(DEFAULT_ATLAS_DIR)
    approaches = load_approaches(atlas)
    specimen = build_specimen(atlas)
    meshes = mesh_vertices(atlas, specimen)
    # A running server has drawn the atlas already: its surfaces are built and encoded, and
    # this browser session has them.
    base = compose_scene(atlas, specimen)
    _, atlas_sent = pack(viewer_scene(atlas, specimen, base), {})
    rows = []
    for aid, approach in approaches.approaches.items():
        uncached, first, cached, sizes = [], [], [], []
        sent = set(atlas_sent)
        for i in range(len(approach.steps)):
            t, size = timed(
                lambda i=i, aid=aid, sent=sent: step_change(
                    atlas, approaches, specimen, meshes, aid, i, sent
                )
            )
            first.append(t)
            if i:
                sizes.append(size)
        for i in range(len(approach.steps)):
            clear_caches()
            specimen_meshes._meshes.clear()
            t, _ = timed(
                lambda i=i, aid=aid: step_change(
                    atlas, approaches, specimen, meshes, aid, i, set(atlas_sent)
                )
            )
            uncached.append(t)
            # The page caches the field and metrics by (approach, specimen, step) and the
            # surfaces by geometry: a repeat costs the scene description and the packing.
            t, _ = timed(
                lambda i=i, aid=aid: pack(
                    viewer_scene(atlas, *_scene(atlas, approaches, specimen, meshes, aid, i)),
                    {},
                    set(atlas_sent),
                ),
                repeat=3,
            )
            cached.append(t)
        rows += [
            row(
                f"{approach.short_name}: first view of a step (median of {len(first)})",
                statistics.median(first),
                "s",
                "< 1 s",
                statistics.median(first) < 1.0,
            ),
            row(f"{approach.short_name}: first view of a step (worst)", max(first), "s"),
            row(
                f"{approach.short_name}: cold step, every cache cleared (median)",
                statistics.median(uncached),
                "s",
            ),
            row(
                f"{approach.short_name}: viewer message of a step already shown",
                max(cached) * 1000,
                "ms",
                "< 50 ms",
                max(cached) < 0.05,
            ),
            row(
                f"{approach.short_name}: bytes of a step change, walking the steps (median)",
                statistics.median(sizes) / 1000,
                "kB",
            ),
            row(
                f"{approach.short_name}: bytes of a step change (worst)",
                max(sizes) / 1000,
                "kB",
                "≤ 60 kB",
                max(sizes) <= 60_000,
            ),
        ]
    report(
        "approach",
        rows,
        notes=[
            "First view: the step's field, metrics and page are new; surfaces of untouched "
            "structures come from the cache a running server has. Cold: every cache cleared.",
            "Cached: the scene description and message of a step already shown (the field and "
            "metrics are cached by (approach, specimen, step) in the app).",
            "Bytes: the viewer's message for a step change (scene description and the surfaces "
            "the browser lacks), walking the approach from step 1 after the atlas page.",
        ],
    )


def _scene(
    atlas: Atlas,
    approaches: ApproachSet,
    specimen: Specimen,
    meshes: dict[str, Array],
    aid: str,
    i: int,
) -> tuple[Specimen, SceneSpec]:
    approach = approaches.approaches[aid]
    field = _fields.setdefault(
        (aid, i), field_at(specimen, approach, i, approaches.instruments, meshes)
    )
    spec = compose_scene(
        atlas,
        field.specimen,
        hidden_structures=sorted(field.removed),
        highlight=approach.steps[i].at_risk,
        translucent=[CORRIDOR_ID],
        camera=approach.steps[i].camera or DEFAULT_CAMERA,
    )
    return field.specimen, spec


_fields: dict = {}

if __name__ == "__main__":
    main()
