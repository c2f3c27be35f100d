"""The child that draws the stills of views at an approach step (see :mod:`.stills`).

Run as ``python -m atlas_app.cases.still_batch --batch DIR`` with the request on stdin: it
loads the atlas, rebuilds each step's field (the tissue held by retractors, the corridor,
the instruments), takes the surfaces of what each scene shows and draws them with
:func:`~atlas_app.scene.render_still.render_still`. It imports VTK and needs OpenGL, so it
only ever runs in its own process; the parent (:mod:`.stills`) never imports it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from atlas_app.approaches.api import mesh_vertices
from atlas_app.approaches.engine import field_at
from atlas_app.approaches.loader import load_approaches
from atlas_app.geometry.specimen_meshes import surfaces_of
from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import build_specimen
from atlas_app.scene.render_still import render_still
from atlas_app.scene.spec import SceneSpec


def _draw(server: dict[str, Any], job: dict[str, Any], size: tuple[int, int]) -> bytes:
    atlas, approaches = server["atlas"], server["approaches"]
    specimens: dict[str, Any] = server["specimens"]
    spec = str(job["spec"])
    if spec not in specimens:
        specimens[spec] = build_specimen(atlas, spec)
    base = specimens[spec]
    approach = approaches.approaches[str(job["approach"])]
    field = field_at(
        base, approach, int(job["step"]), approaches.instruments, mesh_vertices(atlas, base)
    )
    scene = SceneSpec.from_dict(job["scene"])
    structures = field.specimen.structures
    meshes = surfaces_of(atlas, structures, scene.visible_ids)
    labels = job.get("labels", True)
    return render_still(scene, meshes, size, labels if isinstance(labels, bool) else tuple(labels))


def _batch(folder: Path) -> int:
    """Draw every job of the request on stdin into ``folder``/<i>.png, reporting each on a
    line of stdout (anything a library prints goes to stderr instead)."""
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    request = json.loads(sys.stdin.buffer.read())
    atlas = load_atlas(Path(request["atlas_dir"]))
    server = {"atlas": atlas, "approaches": load_approaches(atlas), "specimens": {}}
    width, height = request["size"]
    for i, job in enumerate(request["jobs"]):
        try:
            png = _draw(server, job, (int(width), int(height)))
            (folder / f"{i}.png").write_bytes(png)
            report: dict[str, Any] = {"i": i, "ok": True}
        except Exception as exc:  # each failure is a report, not a dead batch
            report = {"i": i, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(report) + "\n")
        out.flush()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) == 2 and args[0] == "--batch":
        return _batch(Path(args[1]))
    print("usage: python -m atlas_app.cases.still_batch --batch DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
