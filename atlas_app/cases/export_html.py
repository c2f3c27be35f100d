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
CDN), with their numbers in a table. Every piece of user text is escaped; a
Content-Security-Policy forbids the page any request; and
:func:`~atlas_app.scene.viewer_bundle.external_urls` finds no address in it (the tests
check).
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence
from typing import Any

from atlas_app.approaches.loader import ApproachSet
from atlas_app.cases.chart_image import chart_image
from atlas_app.cases.charts import chart_table
from atlas_app.cases.deck import deck, has_history, history_parts
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

MIME = "text/html"
CHART_SIZE_IN = (10.0, 5.2)
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)
"""No request may leave the file (nor reach another file): pictures are data URIs, code
and style are inline. The viewer's bundle works under it (checked in Chromium)."""

_STYLE = """
<style>
  html, body { margin: 0; height: 100%; background: #f4f5f8; }
  body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2433; }
  .sa-bar { position: sticky; top: 0; z-index: 20; display: flex; align-items: center;
    gap: 12px; padding: 8px 16px; background: #1d2433; color: #fff; }
  .sa-credits { font-size: 0.75em; color: #555; margin: 1em 1.5em; }
  .sa-bar .sa-case { flex: 1; font-weight: 600; overflow: hidden; text-overflow: ellipsis;
    white-space: nowrap; }
  .sa-bar button { font: inherit; padding: 4px 14px; border-radius: 6px; cursor: pointer;
    border: 1px solid #9aa3b5; background: #fff; color: #1d2433; }
  .sa-bar button:disabled { opacity: 0.4; cursor: default; }
  .sa-count { min-width: 5em; text-align: center; }
  .sa-slide { box-sizing: border-box; max-width: 1400px; margin: 0 auto; padding: 18px 24px; }
  .sa-slide h1 { font-size: 2.2em; margin: 1.2em 0 0.4em; }
  .sa-slide h2 { font-size: 1.6em; margin: 0.2em 0 0.5em; }
  .sa-lead { font-size: 1.2em; color: #3b4352; white-space: pre-line; }
  .sa-text { font-size: 1.25em; white-space: pre-line; }
  .sa-cols { display: flex; gap: 24px; flex-wrap: wrap; }
  .sa-cols > div { flex: 1 1 320px; white-space: pre-line; }
  .sa-row { display: flex; gap: 20px; align-items: flex-start; }
  .sa-main { flex: 1 1 auto; min-width: 0; }
  .sa-side { flex: 0 0 300px; }
  .sa-side ul { margin: 0; padding-left: 1.2em; font-size: 1.1em; }
  .sa-side li { margin-bottom: 0.5em; }
  .sa-stage { position: relative; height: min(68vh, 720px); background: #fff;
    border-radius: 8px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.15); overflow: hidden; }
  .sa-viewport { position: absolute; inset: 0; }
  .sa-caption { font-size: 0.85em; color: #5a6270; margin: 6px 0; }
  .sa-chart img { width: 100%; height: auto; background: #fff; border-radius: 8px; }
  .sa-slide table { border-collapse: collapse; font-size: 0.9em; margin-top: 6px; }
  .sa-slide th, .sa-slide td { border: 1px solid #d5d9e2; padding: 3px 8px; text-align: left; }
  .sa-notes { margin-top: 14px; color: #3b4352; white-space: pre-line; }
  .sa-notes summary, .sa-more summary { cursor: pointer; font-weight: 600; }
  .sa-foot { max-width: 1400px; margin: 24px auto; padding: 0 24px; font-size: 0.8em;
    color: #5a6270; }
  .sa-foot pre { white-space: pre-wrap; max-height: 40vh; overflow: auto; }
  .sa-missing { padding: 40px; background: #fff; border: 1px dashed #c8ccd6;
    border-radius: 8px; color: #5a6270; }
  @media (max-width: 900px) { .sa-row { flex-direction: column; } .sa-side { flex: none; } }
  @media print {
    .sa-bar, .sa-stage, .sa-foot { display: none; }
    .sa-slide[hidden] { display: block; }
    .sa-slide { page-break-after: always; }
  }
</style>
"""

_SCRIPT = """
<script type="module">
"use strict";
const api = globalThis.SacralAlaViewer;
const slides = Array.from(document.querySelectorAll(".sa-slide"));
const sceneData = document.getElementById("sa-scenes");
const scenes = sceneData && api ? JSON.parse(sceneData.textContent).map(api.fromBase64) : [];
const prev = document.getElementById("sa-prev");
const next = document.getElementById("sa-next");
const count = document.getElementById("sa-count");
let current = -1;
let live = null;
let primed = null;

function release() {
  if (live) { live.destroy(); live = null; }
}
async function load(slide, i) {
  release();
  // Every slide's surfaces first: each surface is in the file once, with its first slide.
  primed = primed || api.prime(scenes);
  await primed;
  if (current !== i) { return; }
  live = api.mount(slide.querySelector(".sa-viewport"), scenes[Number(slide.dataset.scene)]);
}
function show(i) {
  i = Math.max(0, Math.min(slides.length - 1, i));
  slides.forEach((s, j) => { s.hidden = j !== i; });
  current = i;
  count.textContent = (i + 1) + " / " + slides.length;
  prev.disabled = i === 0;
  next.disabled = i === slides.length - 1;
  if (history.replaceState) { history.replaceState(null, "", "#" + (i + 1)); }
  // A view is mounted once its slide shows: the viewer takes the size of its box then.
  if (slides[i].hasAttribute("data-scene") && api) { load(slides[i], i); } else { release(); }
}
prev.addEventListener("click", () => show(current - 1));
next.addEventListener("click", () => show(current + 1));
document.addEventListener("keydown", (e) => {
  const t = e.target && e.target.tagName;
  if (t === "INPUT" || t === "TEXTAREA" || t === "SELECT" || e.altKey || e.ctrlKey ||
      e.metaKey || e.defaultPrevented) { return; }
  const go = { ArrowRight: 1, ArrowDown: 1, PageDown: 1, ArrowLeft: -1, ArrowUp: -1,
               PageUp: -1 }[e.key];
  if (go) { e.preventDefault(); show(current + go); }
  else if (e.key === "Home") { e.preventDefault(); show(0); }
  else if (e.key === "End") { e.preventDefault(); show(slides.length - 1); }
});
window.addEventListener("hashchange", () => {
  const n = parseInt(location.hash.slice(1), 10);
  if (!isNaN(n) && n - 1 !== current) { show(n - 1); }
});
const wanted = parseInt((location.hash || "#1").slice(1), 10);
show(isNaN(wanted) ? 0 : wanted - 1);
</script>
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _text_html(text: str, css: str) -> str:
    """Plain text as HTML: paragraphs kept (CSS keeps line breaks), ``- `` lines as a list."""
    blocks: list[str] = []
    items: list[str] = []
    lines: list[str] = []

    def flush() -> None:
        if lines:
            blocks.append(f'<div class="{css}">{_e(chr(10).join(lines))}</div>')
            lines.clear()
        if items:
            blocks.append(
                f'<ul class="{css}">' + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"
            )
            items.clear()

    for line in text.strip().split("\n"):
        if line.lstrip().startswith("- "):
            if lines:
                flush()
            items.append(line.lstrip()[2:])
        else:
            if items:
                flush()
            lines.append(line)
    flush()
    return "".join(blocks)


def _notes_html(notes: str) -> str:
    if not notes.strip():
        return ""
    return (
        '<details class="sa-notes"><summary>Speaker notes</summary>'
        f"<div>{_e(notes.strip())}</div></details>"
    )


def _side_html(annotations: tuple[str, ...], extra: str = "") -> str:
    if not annotations and not extra:
        return ""
    items = "".join(f"<li>{_e(a)}</li>" for a in annotations)
    return f'<aside class="sa-side">{f"<ul>{items}</ul>" if items else ""}{extra}</aside>'


def _section(n: int, total: int, title: str, inner: str, attrs: str = "") -> str:
    label = _e(f"Slide {n} of {total}: {title}")
    return (
        f'<section class="sa-slide" id="slide-{n}" aria-roledescription="slide" '
        f'aria-label="{label}"{attrs} hidden>{inner}</section>\n'
    )


def _view_html(ready: ReadyView, scene_index: int, n: int, total: int) -> str:
    title = ready.slide.title or ready.scene.title
    describe = (
        '<details class="sa-more"><summary>What this view shows</summary>'
        f"<p>{_e(ready.description)}</p></details>"
    )
    inner = (
        f"<h2>{_e(title)}</h2>"
        '<div class="sa-row"><div class="sa-main"><div class="sa-stage">'
        f'<div class="sa-viewport" aria-label="{_e(ready.scene.title)}"></div>'
        f'</div><p class="sa-caption">{_e(ready.caption)}</p></div>'
        + _side_html(ready.slide.annotations, describe)
        + "</div>"
        + _notes_html(ready.slide.notes)
    )
    return _section(n, total, title, inner, f' data-scene="{scene_index}"')


def _table_html(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _chart_html(ready: ReadyChart, svg: bytes, n: int, total: int) -> str:
    title = ready.slide.title or ready.data.title
    header, rows = chart_table(ready.data)
    src = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    numbers = (
        '<details class="sa-more"><summary>The numbers</summary>'
        + _table_html(header, rows)
        + "</details>"
    )
    inner = (
        f"<h2>{_e(title)}</h2>"
        '<div class="sa-row"><div class="sa-main sa-chart">'
        f'<img src="{src}" alt="{_e(ready.data.title)} (the numbers are in the table below)">'
        f'<p class="sa-caption">{_e(ready.caption)}</p>'
        + numbers
        + "</div>"
        + _side_html(ready.slide.annotations)
        + "</div>"
        + _notes_html(ready.slide.notes)
    )
    return _section(n, total, title, inner)


def _text_slide_html(slide: TextSlide, n: int, total: int) -> str:
    inner = (
        (f"<h2>{_e(slide.title)}</h2>" if slide.title else "")
        + _text_html(slide.body, "sa-text")
        + _notes_html(slide.notes)
    )
    return _section(n, total, slide.title or "Text", inner)


def _unready_html(item: Unready, n: int, total: int) -> str:
    title = item.slide.title or "Slide not available"
    inner = (
        f"<h2>{_e(title)}</h2>"
        f'<div class="sa-missing">This slide names what this atlas does not have: '
        f"{_e(item.reason)}</div>" + _notes_html(item.slide.notes)
    )
    return _section(n, total, title, inner)


def _intro_html(case: Case, total: int) -> list[str]:
    out = [
        _section(
            1,
            total,
            case.title,
            f"<h1>{_e(case.title)}</h1>"
            + _text_html(case.summary or "Case conference", "sa-lead")
            + '<p class="sa-caption">De-identified teaching case · Sacral Ala Atlas · '
            "the 3D views are a schematic atlas, not the patient's imaging</p>",
        )
    ]
    if has_history(case):
        cols = "".join(
            f"<div><h3>{h}</h3>{_text_html(t, 'sa-text')}</div>" for h, t in history_parts(case)
        )
        out.append(
            _section(
                2,
                total,
                "Presentation and imaging findings",
                f'<h2>Presentation and imaging findings</h2><div class="sa-cols">{cols}</div>',
            )
        )
    return out


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element (no "</" can close it)."""
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


def html_slide_count(case: Case) -> int:
    """Slides in the exported deck: those Present shows (:func:`.deck.deck`)."""
    return len(deck(case))


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
    total = html_slide_count(case)
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


def _page(case: Case, sections: list[str], scenes: list[str], credits: Sequence[str] = ()) -> str:
    bar = (
        '<div class="sa-bar" role="navigation" aria-label="Slides">'
        f'<span class="sa-case">{_e(case.title)}</span>'
        '<button id="sa-prev" type="button" aria-label="Previous slide">&larr; Previous</button>'
        '<span id="sa-count" class="sa-count" aria-live="polite"></span>'
        '<button id="sa-next" type="button" aria-label="Next slide">Next &rarr;</button></div>'
    )
    credits_html = (
        '<footer class="sa-credits">Anatomy: ' + " · ".join(_e(c) for c in credits) + "</footer>"
        if credits
        else ""
    )
    viewer = ""
    if scenes:
        # The viewer's code (a module that sets globalThis.SacralAlaViewer), then the
        # deck's (a module too: modules run in order, after the page is parsed); the
        # licences of the code bundled in it go with it.
        viewer = (
            f'<script type="application/json" id="sa-scenes">{_script_json(scenes)}</script>'
            f'<script type="module">{inline_script(bundle_js())}</script>'
            '<footer class="sa-foot"><details><summary>Software in this file and its '
            f"licences</summary><pre>{_e(licences_text())}</pre></details></footer>"
        )
    head = (
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="generator" content="Sacral Ala Atlas">' + _STYLE
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(case.title)}</title>{head}</head>"
        f"<body>{bar}<main>{''.join(sections)}</main>{credits_html}{viewer}{_SCRIPT}"
        "</body></html>\n"
    )
