"""Benchmark of the simulated fluoroscopy (server time, no browser, no GL).

- cold: every cache emptied (mesh files read again), then one view: voxelising the bones,
  carving the foramina, projecting, compositing the needle and cement, encoding the PNG;
- new view: another beam on the volume already built (one projection);
- warm: a view already projected, with a new needle (what a planner change costs);
- plan change: measuring a new needle and drawing its three views, as the page does.

Run: .venv/bin/python bench/bench_fluoro.py
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import report, row, timed

from atlas_app.caching import clear_all
from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import build_specimen
from atlas_app.paths import DEFAULT_ATLAS_DIR
from atlas_app.sacroplasty import api, fluoro, overlay
from atlas_app.sacroplasty.loader import load_sacroplasty
from atlas_app.sacroplasty.needle import path as needle_path

TARGET_S = 1.0


def main() -> None:
    atlas = load_atlas(DEFAULT_ATLAS_DIR)
    data = load_sacroplasty(atlas)
    specimen = build_specimen(atlas)
    paths = needle_path.technique_paths(data, specimen, "long_axis", "right")
    cement = needle_path.technique_cement(data, specimen, "long_axis", "right")

    def one_view(view_id: str, plan: dict[str, float] | None = None) -> bytes:
        view = api.view_for(atlas, specimen, data, view_id, "right")
        needles = paths if plan is None else [api.planned_needle("right", plan)]
        image = fluoro.simulate(
            api.volume_for(atlas, specimen, data), view, needles=needles, cement=cement
        )
        return overlay.png_bytes(overlay.to_rgb(image, title=view.name))

    colds = []
    for _ in range(3):
        clear_all()
        t, png = timed(lambda: one_view("ap"))
        colds.append(t)
    cold = statistics.median(colds)

    def cold_volume() -> object:
        fluoro.clear_caches()
        return api.volume_for(atlas, specimen, data)

    t_volume, _ = timed(cold_volume)
    new_view, _ = timed(lambda: one_view("oblique_30"))
    base = api.preset(data, specimen, "long_axis", "right")
    shifts = iter(range(1, 1000))

    def moved() -> dict[str, float]:
        return {**base, "aim_y": base["aim_y"] - next(shifts) * 0.1}

    warm, _ = timed(lambda: one_view("ap", moved()), repeat=7)
    one_view("lateral")

    def plan_change() -> int:
        values = moved()
        _, m = api.measure_plan(atlas, specimen, data, "right", values)
        pics = api.plan_pictures(atlas, specimen, data, api.planned_needle("right", values))
        return len(m.warnings) + sum(len(p.jpeg()) for p in pics)

    plan, _ = timed(plan_change, repeat=5)
    vol = api.volume_for(atlas, specimen, data)
    rows = [
        row(
            "view, cold (read meshes, voxelise, carve, project, PNG)",
            cold,
            "s",
            f"< {TARGET_S:g} s",
            cold < TARGET_S,
        ),
        row("of which: the density volume", t_volume, "s"),
        row(
            "view, new beam on a built volume",
            new_view,
            "s",
            f"< {TARGET_S:g} s",
            new_view < TARGET_S,
        ),
        row("view, warm (new needle, PNG)", warm, "s", f"< {TARGET_S:g} s", warm < TARGET_S),
        row(
            "plan change: measure + AP, lateral, oblique (JPEG)",
            plan,
            "s",
            f"< {TARGET_S:g} s",
            plan < TARGET_S,
        ),
        row("volume voxels", int(vol.mu.size), "voxels"),
        row("volume memory", round(vol.mu.nbytes / 1e6, 1), "MB"),
        row("PNG of one view", len(png), "bytes"),
    ]
    report(
        "fluoro",
        rows,
        notes=[
            f"image {fluoro.FOV_MM:g} mm field at {fluoro.PIXEL_MM:g} mm pixels; "
            f"volume at {fluoro.VOXEL_MM:g} mm voxels",
            "cold is the median of 3 runs with every cache emptied; warm the best of 7",
        ],
    )


if __name__ == "__main__":
    main()
