"""Benchmark of the scene layer: compose, the live viewer's message (cold and warm), its
size, the viewer bundle, stills.

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

from atlas_app.model.specimen import build_specimen  # noqa: E402
from atlas_app.paths import DEFAULT_ATLAS_DIR  # noqa: E402
from atlas_app.validation import validate_atlas  # noqa: E402

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
    t_import, _ = timed(lambda: __import__("atlas_app.scene.viewer_payload"))
    from atlas_app.geometry.specimen_meshes import specimen_meshes
    from atlas_app.model.loader import load_atlas
    from atlas_app.scene import browser_mesh
    from atlas_app.scene.compose import compose_scene, describe_scene
    from atlas_app.scene.viewer_bundle import BUNDLE, external_urls
    from atlas_app.scene.viewer_payload import pack, viewer_scene

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
    text = describe_scene(spec, specimen, atlas)

    def message(spec_: Any, sent: set[str] | None = None) -> bytes:
        scene = viewer_scene(atlas, specimen, spec_, description=text)
        return pack(scene, {"cameraToken": 0}, sent or set())[0]

    browser_mesh.clear_caches()
    t_cold, first = timed(lambda: message(spec))
    out["message_cold_s"] = t_cold
    out["message_warm_s"] = median_time(lambda: message(spec), repeat)
    scene = viewer_scene(atlas, specimen, spec, description=text)
    _, sent = pack(scene, {})
    out["message_rerun_s"] = median_time(lambda: message(spec, sent), repeat)
    # A working view: the surgeon's view, muscles see-through, viscera (peritoneum) hidden.
    other = compose_scene(
        atlas,
        specimen,
        camera="right_oblique",
        translucent_muscles=True,
        hidden_categories=["viscus"],
    )
    out["message_new_view_s"], other_message = timed(lambda: message(other, sent))
    out["message_new_view_bytes"] = len(other_message)

    out["triangles_sent"] = int(sum(m.n_triangles for m in scene.meshes.values()))
    out["message_bytes"] = len(first)
    out["message_gzip_bytes"] = len(gzip.compress(first, 6))
    out["message_rerun_bytes"] = len(message(spec, sent))
    bundle = BUNDLE.read_bytes()
    out["bundle_bytes"] = len(bundle)
    out["bundle_gzip_bytes"] = len(gzip.compress(bundle, 6))
    out["bundle_external_urls"] = external_urls(bundle.decode("utf-8"))
    out["encoding"] = browser_mesh.settings_key()

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
    ("message_cold_s", "viewer message, cold (encode every surface)", "{:.3f} s"),
    ("message_warm_s", "viewer message, warm (surfaces cached)", "{:.6f} s"),
    ("message_rerun_s", "viewer message, a rerun (surfaces already sent)", "{:.6f} s"),
    ("message_new_view_s", "viewer message, another view of the same specimen", "{:.4f} s"),
    ("triangles_built", "triangles as built", "{:,}"),
    ("triangles_sent", "triangles sent to the browser", "{:,}"),
    ("message_bytes", "first message bytes (scene and every surface)", "{:,}"),
    ("message_gzip_bytes", "first message bytes gzipped", "{:,}"),
    ("message_rerun_bytes", "message bytes on a rerun (scene only)", "{:,}"),
    ("message_new_view_bytes", "message bytes, the other view", "{:,}"),
    ("bundle_bytes", "viewer bundle (static file, fetched once)", "{:,}"),
    ("bundle_gzip_bytes", "viewer bundle gzipped", "{:,}"),
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
