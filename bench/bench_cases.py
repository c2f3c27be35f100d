"""Benchmark of the case-conference exports: a 10-slide case to PowerPoint and to HTML.

The case is the shipped example (text, views, a corridor chart) grown to ten slides with a
second approach view, a step profile, a variability chart, a corridor summary and a text
slide. Each export is timed cold: the render worker is stopped first, so the PowerPoint
export pays for starting it and loading the meshes, as the first export after a server start
does. Target: under 30 s each.

Run: VTK_DEFAULT_OPENGL_WINDOW=vtkOSOpenGLRenderWindow .venv/bin/python bench/bench_cases.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import report, row, timed

from atlas_app.approaches.loader import ApproachSet, load_approaches
from atlas_app.cases.edits import add_slide
from atlas_app.cases.export_html import export_html
from atlas_app.cases.export_pptx import export_pptx
from atlas_app.cases.model import Case, parse_slide
from atlas_app.cases.yaml_io import example_case
from atlas_app.model.atlas import Atlas
from atlas_app.model.loader import load_atlas
from atlas_app.paths import DEFAULT_ATLAS_DIR
from atlas_app.scene.render_pool import gl_status, shutdown_worker

TARGET_S = 30.0
EXTRA = (
    {"kind": "view", "title": "Iliac retraction", "approach": "iliac_retraction", "step": 2},
    {
        "kind": "chart",
        "title": "Distance along the steps",
        "chart": {"type": "step_profile", "structure": "l5_ventral_ramus_right"},
    },
    {
        "kind": "chart",
        "title": "Variation between specimens",
        "chart": {"type": "variability", "n": 200, "seed": 3},
    },
    {"kind": "chart", "title": "Both routes side by side", "chart": {"type": "corridor_summary"}},
    {"kind": "text", "title": "Discussion", "body": "- Which route would you choose?"},
)


def ten_slide_case(atlas: Atlas, approaches: ApproachSet) -> Case:
    case = example_case(atlas, approaches)
    for data in EXTRA:
        case = add_slide(case, parse_slide(data), index=len(case.slides) - 1)
    assert len(case.slides) == 10, len(case.slides)
    return case


def main() -> None:
    atlas = load_atlas(DEFAULT_ATLAS_DIR)
    approaches = load_approaches(atlas)
    case = ten_slide_case(atlas, approaches)
    kinds = {k: sum(s.kind == k for s in case.slides) for k in ("view", "chart", "text")}
    rendering = gl_status().ok
    shutdown_worker()
    pptx_s, pptx = timed(lambda: export_pptx(case, atlas, approaches, atlas_dir=DEFAULT_ATLAS_DIR))
    shutdown_worker()
    html_s, html = timed(lambda: export_html(case, atlas, approaches))
    shutdown_worker()
    rows = [
        row("PPTX export, 10 slides, cold", round(pptx_s, 2), "s", "< 30 s", pptx_s < TARGET_S),
        row("PowerPoint file size", round(len(pptx.data) / 1e6, 2), "MB"),
        row("HTML export, 10 slides, cold", round(html_s, 2), "s", "< 30 s", html_s < TARGET_S),
        row("HTML file size", round(len(html.data) / 1e6, 2), "MB"),
    ]
    notes = [
        f"slides: {kinds['view']} view, {kinds['chart']} chart, {kinds['text']} text",
        f"offscreen rendering available: {rendering}"
        + ("" if rendering else " (PowerPoint views fell back to placeholders)"),
        f"PowerPoint warnings: {len(pptx.warnings)}; HTML warnings: {len(html.warnings)}",
    ]
    report("cases", rows, notes)


if __name__ == "__main__":
    main()
