"""A case → one self-contained HTML file: every slide, with live 3D on the view slides.

The 3D viewer is the app's own (:func:`~atlas_app.scene.viewer_bundle.bundle_js`, about
0.45 MB, inlined once), with its labels, picking, cross-section, ruler and picture. Each
view slide adds its scene as the viewer's message
(:func:`~atlas_app.scene.viewer_payload.pack`), and each surface is in the file once,
with the first slide that shows it: the page loads every message's surfaces before it
draws. One slide is shown at a time (*Previous* / *Next*, the arrow keys, Page Up / Page
Down, Home / End; the address's ``#3`` opens slide 3); entering a view slide mounts a
viewer in that slide and releases the previous one (and its WebGL context), so a long deck
never holds more than one. Charts are SVG pictures drawn with matplotlib (no plotly.js, no
CDN), with their numbers in a table. The page and its slides are Jinja2 macros in
``atlas_app/assets/case_deck.html.j2`` (its style and script beside it), which escape every
piece of user text; a Content-Security-Policy forbids the page any request; and
:func:`~atlas_app.scene.viewer_bundle.external_urls` finds no address in it (the tests
check).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from atlas_app.approaches.loader import ApproachSet
from atlas_app.cases.chart_image import chart_image
from atlas_app.cases.charts import chart_table
from atlas_app.cases.deck import deck_slide_count, has_history, history_parts
from atlas_app.cases.exporting import (
    ExportResult,
    ProgressFn,
    Ready,
    ReadyChart,
    ReadyView,
    Tracker,
    Unready,
    file_name,
    ready_slide,
    slide_weight,
)
from atlas_app.cases.model import Case, TextSlide
from atlas_app.model.atlas import Atlas
from atlas_app.scene.viewer_bundle import bundle_js, inline_script, licences_text
from atlas_app.scene.viewer_payload import pack, viewer_scene
from atlas_app.templates import asset_text, macros

MIME = "text/html"
CHART_SIZE_IN = (10.0, 5.2)
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)
"""No request may leave the file (nor reach another file): pictures are data URIs, code
and style are inline. The viewer's bundle works under it (checked in Chromium)."""
TEMPLATE = "case_deck.html.j2"
"""The page and each kind of slide, as macros (``atlas_app/assets/``)."""


def _text_blocks(text: str) -> list[tuple[str, list[str]]]:
    """Plain text as blocks for the template: ``("text", lines)`` for a paragraph (CSS
    keeps its line breaks), ``("list", items)`` for a run of ``- `` lines."""
    blocks: list[tuple[str, list[str]]] = []
    for line in text.strip().split("\n"):
        kind, value = (
            ("list", line.lstrip()[2:]) if line.lstrip().startswith("- ") else ("text", line)
        )
        if blocks and blocks[-1][0] == kind:
            blocks[-1][1].append(value)
        else:
            blocks.append((kind, [value]))
    return blocks


def _view_html(ready: ReadyView, scene_index: int, n: int, total: int) -> Markup:
    return macros(TEMPLATE).view(
        n,
        total,
        ready.slide.title or ready.scene.title,
        ready.scene.title,
        ready.caption,
        ready.description,
        ready.slide.annotations,
        ready.slide.notes,
        scene_index,
    )


def _chart_html(ready: ReadyChart, svg: bytes, n: int, total: int) -> Markup:
    header, rows = chart_table(ready.data)
    return macros(TEMPLATE).chart(
        n,
        total,
        ready.slide.title or ready.data.title,
        ready.data.title,
        "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"),
        ready.caption,
        header,
        rows,
        ready.slide.annotations,
        ready.slide.notes,
    )


def _text_slide_html(slide: TextSlide, n: int, total: int) -> Markup:
    return macros(TEMPLATE).text_slide(n, total, slide.title, _text_blocks(slide.body), slide.notes)


def _unready_html(item: Unready, n: int, total: int) -> Markup:
    title = item.slide.title or "Slide not available"
    return macros(TEMPLATE).unready(n, total, title, item.reason, item.slide.notes)


def _intro_html(case: Case, total: int) -> list[Markup]:
    deck_ = macros(TEMPLATE)
    out = [deck_.title_slide(total, case.title, _text_blocks(case.summary or "Case conference"))]
    if has_history(case):
        parts = [(h, _text_blocks(t)) for h, t in history_parts(case)]
        out.append(deck_.history(total, parts))
    return out


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element (no "</" can close it)."""
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


def export_html(
    case: Case,
    atlas: Atlas,
    approaches: ApproachSet,
    *,
    progress: ProgressFn | None = None,
) -> ExportResult:
    """The case as one HTML file that opens offline in a browser, 3D views live."""
    tracker = Tracker(progress, sum(slide_weight(s) for s in case.slides) + 0.5)
    tracker.report("Preparing the slides…")
    total = deck_slide_count(case)
    sections = _intro_html(case, total)
    scenes: list[str] = []  # each view slide's message to the viewer, base64
    sent: set[str] = set()  # surfaces already in the file (each goes once)
    warnings: list[str] = []
    for i, slide in enumerate(case.slides):
        n = len(sections) + 1
        start = tracker.done
        weight = slide_weight(slide)
        message = f"Slide {i + 1} of {len(case.slides)}"
        item: Ready = ready_slide(
            atlas, approaches, case, slide, tracker.part(weight * 0.7, message + ": measuring…")
        )
        if isinstance(item, ReadyView):
            scene = viewer_scene(
                atlas,
                item.specimen,
                item.scene,
                description=item.description,
                labels=item.slide.labels,
            )
            data, added = pack(scene, {"height": None, "cameraToken": 0}, sent)
            sent |= added
            sections.append(_view_html(item, len(scenes), n, total))
            scenes.append(base64.b64encode(data).decode("ascii"))
        elif isinstance(item, ReadyChart):
            svg = chart_image(item.data, fmt="svg", size=CHART_SIZE_IN, title=False)
            sections.append(_chart_html(item, svg, n, total))
        elif isinstance(item, Unready):
            warnings.append(f"slide {i + 1}: {item.reason}")
            sections.append(_unready_html(item, n, total))
        else:
            sections.append(_text_slide_html(item, n, total))
        tracker.set(start + weight, message + " ready")
    page = _page(case, sections, scenes, atlas.info.credits if atlas.info else ())
    tracker.set(tracker.total, "The HTML file is ready")
    return ExportResult(
        data=page.encode("utf-8"),
        filename=file_name(case.title, ".html"),
        mime=MIME,
        slides=len(sections),
        warnings=tuple(warnings),
    )


def _page(
    case: Case, sections: list[Markup], scenes: list[str], credits: Sequence[str] = ()
) -> str:
    # With views, the viewer's code (a module that sets globalThis.SacralAlaViewer) comes
    # before the deck's (a module too: modules run in order, after the page is parsed); the
    # licences of the code bundled in it go with it.
    return str(
        macros(TEMPLATE).page(
            case.title,
            Markup(CSP),
            asset_text("case_deck.css"),
            Markup("").join(sections),
            credits,
            Markup(_script_json(scenes)) if scenes else "",
            Markup(inline_script(bundle_js())) if scenes else "",
            licences_text() if scenes else "",
            asset_text("case_deck.js"),
        )
    )
