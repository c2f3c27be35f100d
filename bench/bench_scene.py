"""Benchmark of the scene layer: compose, HTML export (cold and warm), payload size, stills.

Run: ``.venv/bin/python bench/bench_scene.py [--atlas DIR] [--repeat N] [--no-stills]``.
Prints one JSON object, then the same as a table. Measures the default specimen of the
shipped atlas with every structure shown (anterior view), and a working view of it (right
oblique, muscles see-through, viscera hidden). Falls back to the small test atlas when the
shipped one does not validate, and says so (``"atlas_fallback"``). Timings are figures of
one run on one machine: read them as orders of magnitude.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from atlas_app.model.checks import validate_atlas  # noqa: E402
from atlas_app.model.specimen import build_specimen  # noqa: E402
from atlas_app.paths import DEFAULT_ATLAS_DIR  # noqa: E402

MINI_ATLAS = ROOT / "tests" / "fixtures" / "mini_atlas"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    return statistics.median(timed(fn)[0] for _ in range(repeat))


def pick_atlas(requested: Path | None) -> tuple[Path, str | None]:
    """The atlas to measure, and why it is not the shipped one (None when it is)."""
    if requested is not None:
        return requested, None
    atlas, faults = validate_atlas(DEFAULT_ATLAS_DIR)
    if not faults and atlas.structures:
        return DEFAULT_ATLAS_DIR, None
    reason = (
        f"the shipped atlas does not validate ({len(faults)} fault(s)); "
        "measured the small test atlas instead"
    )
    return MINI_ATLAS, reason


def run(atlas_dir: Path, repeat: int, stills: bool) -> dict[str, Any]:
    t_import, _ = timed(lambda: __import__("atlas_app.scene.render_html"))
    from atlas_app.geometry.specimen_meshes import specimen_meshes
    from atlas_app.model.loader import load_atlas
    from atlas_app.scene import render_html, vtkjs_scene
    from atlas_app.scene.compose import compose_scene, describe_scene

    out: dict[str, Any] = {"atlas": str(atlas_dir), "import_scene_s": t_import}
    t_load, atlas = timed(lambda: load_atlas(atlas_dir))
    specimen = build_specimen(atlas)
    out["load_atlas_s"] = t_load
    out["structures"] = len(specimen.structures)

    t_meshes, meshes = timed(lambda: specimen_meshes(atlas, specimen))
    out["build_meshes_first_s"] = t_meshes
    out["triangles_built"] = int(sum(m.n_cells for m in meshes.values()))

    t_first, spec = timed(lambda: compose_scene(atlas, specimen))
    out["compose_first_s"] = t_first
    out["compose_s"] = median_time(lambda: compose_scene(atlas, specimen), repeat)
    out["describe_s"] = median_time(lambda: describe_scene(spec, specimen, atlas), repeat)
    out["scene_key"] = spec.key()

    render_html.clear_caches()
    t_cold, page = timed(lambda: render_html.cached_scene_html(atlas, specimen, spec))
    out["html_cold_s"] = t_cold
    out["html_warm_s"] = median_time(
        lambda: render_html.cached_scene_html(atlas, specimen, spec), repeat
    )
    # A working view: the surgeon's view, muscles see-through, viscera (peritoneum) hidden.
    other = compose_scene(
        atlas,
        specimen,
        camera="right_oblique",
        translucent_muscles=True,
        hidden_categories=["viscus"],
    )
    out["html_new_view_s"], other_page = timed(
        lambda: render_html.cached_scene_html(atlas, specimen, other)
    )
    out["html_new_view_bytes"] = len(other_page.encode("utf-8"))

    encoded = render_html.visible_meshes(atlas, specimen, spec)
    out["triangles_sent"] = int(sum(e.n_triangles for e in encoded.values()))
    viewer = len(render_html.viewer_template().encode("utf-8"))
    raw = page.encode("utf-8")
    out["html_bytes"] = len(raw)
    out["html_gzip_bytes"] = len(gzip.compress(raw, 6))
    out["viewer_bytes"] = viewer
    out["scene_bytes"] = len(raw) - viewer
    out["html_external_urls"] = render_html.external_urls(page)
    out["encoding"] = vtkjs_scene.settings_key()

    if stills:
        from atlas_app.scene import render_worker

        t_gl, status = timed(render_worker.check_gl)
        out["check_gl_s"] = t_gl
        out["gl"] = status.message
        if status.ok:
            worker = render_worker.RenderWorker(env=status.env)
            try:
                out["still_first_s"] = timed(
                    lambda: worker.render_png(atlas_dir, specimen.spec, spec)
                )[0]
                out["still_next_s"] = median_time(
                    lambda: worker.render_png(atlas_dir, specimen.spec, spec), repeat
                )
                out["still_other_view_s"], still = timed(
                    lambda: worker.render_png(atlas_dir, specimen.spec, other)
                )
                out["still_other_view_bytes"] = len(still)
                out["still_bytes"] = len(worker.render_png(atlas_dir, specimen.spec, spec))
            finally:
                worker.close()
    return out


ROWS = [
    ("atlas", "atlas", "{}"),
    ("structures", "structures in the default specimen", "{}"),
    ("build_meshes_first_s", "build meshes (first, geometry layer)", "{:.3f} s"),
    ("compose_first_s", "compose scene (first)", "{:.4f} s"),
    ("compose_s", "compose scene (median)", "{:.4f} s"),
    ("describe_s", "text alternative (median)", "{:.5f} s"),
    ("html_cold_s", "HTML export, cold (encode every mesh)", "{:.3f} s"),
    ("html_warm_s", "HTML export, warm (cache by SceneSpec.key)", "{:.6f} s"),
    ("html_new_view_s", "HTML export, another view (meshes encoded)", "{:.3f} s"),
    ("triangles_built", "triangles as built", "{:,}"),
    ("triangles_sent", "triangles sent to the browser", "{:,}"),
    ("html_bytes", "HTML bytes", "{:,}"),
    ("html_gzip_bytes", "HTML bytes gzipped", "{:,}"),
    ("viewer_bytes", "  of which the fixed vtk.js viewer", "{:,}"),
    ("scene_bytes", "  of which this scene", "{:,}"),
    ("html_new_view_bytes", "HTML bytes, the other view", "{:,}"),
    ("gl", "server GL", "{}"),
    ("check_gl_s", "GL check (child process)", "{:.2f} s"),
    ("still_first_s", "still 900×600, first (starts the worker)", "{:.2f} s"),
    ("still_next_s", "still 900×600, next (median)", "{:.3f} s"),
    ("still_other_view_s", "still, the other view (first)", "{:.3f} s"),
    ("still_other_view_bytes", "still PNG bytes, the other view", "{:,}"),
    ("still_bytes", "still PNG bytes", "{:,}"),
]


def table(result: dict[str, Any]) -> str:
    lines = []
    if result.get("atlas_fallback"):
        lines.append(f"NOTE: {result['atlas_fallback']}")
    width = max(len(label) for _, label, _ in ROWS)
    for key, label, fmt in ROWS:
        if key in result:
            lines.append(f"{label:<{width}}  {fmt.format(result[key])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", type=Path, help="atlas directory (default: the shipped one)")
    parser.add_argument("--repeat", type=int, default=5, help="runs for each median")
    parser.add_argument("--no-stills", action="store_true", help="skip server-side stills")
    args = parser.parse_args(argv)
    atlas_dir, fallback = pick_atlas(args.atlas)
    result = {"atlas_fallback": fallback, **run(atlas_dir, args.repeat, not args.no_stills)}
    print(json.dumps(result, indent=2))
    print()
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
