"""A case → a PowerPoint file (python-pptx), one slide per slide of the case.

- A title slide (the case's title and summary), then, when the case has them, a slide of
  the presentation and imaging findings; then the case's slides in order.
- A view slide carries the still drawn on the server (:mod:`atlas_app.cases.stills`:
  :data:`STILL_SIZE` pixels, numbered pins and their key on the picture), its text
  alternative as the picture's alt text, a caption saying it is the schematic atlas (which
  specimen, which step), the annotations beside it, and the speaker notes in the notes pane.
- A chart slide carries the chart as a picture drawn with matplotlib (no browser needed:
  see :mod:`atlas_app.cases.charts`), its numbers as the alt text, and its annotations.
- A text slide carries its text; lines starting with ``- `` become bullets.

A still that cannot be drawn (no OpenGL on the server) becomes a framed note giving the
reason, and the result lists it in ``warnings``: the rest of the deck is still made.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from pptx import Presentation
from pptx.presentation import Presentation as PresentationType
from pptx.util import Inches, Pt

from atlas_app.approaches.loader import ApproachSet
from atlas_app.cases.chart_image import chart_image
from atlas_app.cases.charts import chart_table
from atlas_app.cases.deck import HISTORY_TITLE, has_history, history_parts
from atlas_app.cases.exporting import (
    ExportResult,
    ProgressFn,
    Ready,
    ReadyChart,
    ReadyView,
    Tracker,
    Unready,
    file_name,
    key_structures,
    ready_slide,
    slide_weight,
)
from atlas_app.cases.model import Case, TextSlide
from atlas_app.cases.pptx_layout import (
    GAP,
    INK,
    MARGIN,
    MUTED,
    SIDE_W,
    SLIDE_H,
    SLIDE_W,
    TOP,
    add_annotations,
    add_missing,
    add_picture,
    add_textbox,
    fill_text,
    set_alt_text,
    set_notes,
    set_title,
    size_for,
)
from atlas_app.cases.stills import StillJob, render_stills
from atlas_app.model.atlas import Atlas
from atlas_app.scene.render_worker import RenderError

MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
STILL_SIZE = (1600, 900)
"""Pixels of a view's still (16:9): about 180 dpi as placed, above a projector's 1920 px
across the whole slide."""
CHART_SIZE_IN = (11.0, 5.6)
CHART_DPI = 180
LAYOUT_TITLE, LAYOUT_TITLE_ONLY = 0, 5
VIEW_PREPARE = 0.2  # of a view slide's progress weight; the still is the rest
VIEW_STILL = 2.8


def _title_slide(prs: PresentationType, case: Case, credits: Sequence[str] = ()) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE])
    title = slide.shapes.title
    assert title is not None
    title.left, title.top, title.width, title.height = (
        MARGIN,
        Inches(1.3),
        SLIDE_W - 2 * MARGIN,
        Inches(1.6),
    )
    title.text_frame.text = case.title
    for run in title.text_frame.paragraphs[0].runs:
        run.font.size = Pt(40 if len(case.title) <= 60 else 30)
        run.font.bold = True
        run.font.color.rgb = INK
    sub = slide.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = (
        Inches(1.2),
        Inches(3.1),
        SLIDE_W - Inches(2.4),
        Inches(3.3),
    )
    summary = case.summary.strip() or "Case conference"
    fill_text(
        sub.text_frame,
        summary,
        size_for(summary, [(250, 22), (600, 18), (1200, 15), (2400, 12)], 10),
        MUTED,
    )
    add_textbox(
        slide,
        MARGIN,
        SLIDE_H - Inches(0.7),
        SLIDE_W - 2 * MARGIN,
        Inches(0.4),
        "De-identified teaching case · Sacral Ala Atlas",
        11,
        MUTED,
    )
    if credits:
        # The views show anatomy derived from BodyParts3D and Z-Anatomy: their attribution.
        add_textbox(
            slide,
            MARGIN,
            SLIDE_H - Inches(0.4),
            SLIDE_W - 2 * MARGIN,
            Inches(0.3),
            "Anatomy: " + " · ".join(credits),
            8,
            MUTED,
        )


def _history_slide(prs: PresentationType, case: Case) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE_ONLY])
    set_title(slide, HISTORY_TITLE)
    shown = history_parts(case)
    width = (SLIDE_W - 2 * MARGIN - GAP * (len(shown) - 1)) // len(shown)
    for k, (heading, text) in enumerate(shown):
        left = MARGIN + k * (width + GAP)
        add_textbox(slide, left, TOP, width, Inches(0.5), heading, 20, INK)
        size = size_for(text, [(500, 18), (1200, 15), (2400, 12)], 10)
        add_textbox(slide, left, TOP + Inches(0.6), width, SLIDE_H - TOP - Inches(1.1), text, size)


def _view_slide(prs: PresentationType, ready: ReadyView, still: bytes | RenderError) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE_ONLY])
    set_title(slide, ready.slide.title or ready.scene.title)
    wide = not ready.slide.annotations
    if isinstance(still, bytes):
        left, width, height = add_picture(slide, still, TOP, wide, STILL_SIZE[0] / STILL_SIZE[1])
        set_alt_text(slide.shapes[-1], ready.description)
    else:
        left, width, height = add_missing(slide, str(still), TOP, wide)
    add_textbox(
        slide, left, TOP + height + Inches(0.05), width, Inches(0.45), ready.caption, 10, MUTED
    )
    add_annotations(slide, ready.slide.annotations, SLIDE_W - MARGIN - SIDE_W, TOP, height)
    set_notes(slide, ready.slide.notes)


def _chart_slide(prs: PresentationType, ready: ReadyChart, png: bytes) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE_ONLY])
    set_title(slide, ready.slide.title or ready.data.title)
    wide = not ready.slide.annotations
    left, width, height = add_picture(slide, png, TOP, wide, CHART_SIZE_IN[0] / CHART_SIZE_IN[1])
    header, rows = chart_table(ready.data)
    set_alt_text(
        slide.shapes[-1],
        ready.data.title
        + ". "
        + "; ".join(
            ", ".join(f"{h} {v}" for h, v in zip(header, row, strict=True)) for row in rows
        ),
    )
    add_textbox(
        slide,
        left,
        TOP + height + Inches(0.05),
        width,
        Inches(0.45),
        ready.caption,
        10,
        MUTED,
    )
    add_annotations(slide, ready.slide.annotations, SLIDE_W - MARGIN - SIDE_W, TOP, height)
    set_notes(slide, ready.slide.notes)


def _text_slide(prs: PresentationType, slide_: TextSlide) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE_ONLY])
    set_title(slide, slide_.title)
    body = slide_.body.strip()
    if body:
        size = size_for(body, [(300, 24), (700, 20), (1400, 16), (2800, 13)], 11)
        add_textbox(
            slide,
            MARGIN + Inches(0.2),
            TOP + Inches(0.1),
            SLIDE_W - 2 * MARGIN - Inches(0.4),
            SLIDE_H - TOP - Inches(0.6),
            body,
            size,
        )
    set_notes(slide, slide_.notes)


def _unready_slide(prs: PresentationType, item: Unready) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE_ONLY])
    set_title(slide, item.slide.title or "Slide not available")
    add_missing(slide, f"This slide names what this atlas does not have: {item.reason}", TOP, True)
    set_notes(slide, item.slide.notes)


def export_pptx(
    case: Case,
    atlas: Atlas,
    approaches: ApproachSet,
    *,
    atlas_dir: Path | str | None = None,
    progress: ProgressFn | None = None,
) -> ExportResult:
    """The case as a PowerPoint deck. ``atlas_dir`` is where the render worker finds the
    atlas (default: the atlas's own folder)."""
    tracker = Tracker(progress, sum(slide_weight(s) for s in case.slides) + 0.5)
    tracker.report("Preparing the slides…")
    ready: list[Ready] = []
    charts: dict[int, bytes] = {}
    for i, s in enumerate(case.slides):
        start = tracker.done
        # A view's still, the slow part, is counted when it is drawn (below).
        share = VIEW_PREPARE if s.kind == "view" else slide_weight(s)
        message = f"Slide {i + 1} of {len(case.slides)}: measuring…"
        item = ready_slide(atlas, approaches, case, s, tracker.part(share * 0.8, message))
        if isinstance(item, ReadyChart):
            charts[i] = chart_image(
                item.data, fmt="png", size=CHART_SIZE_IN, dpi=CHART_DPI, title=False
            )
        ready.append(item)
        tracker.set(start + share, f"Slide {i + 1} of {len(case.slides)} ready")
    views = [(i, r) for i, r in enumerate(ready) if isinstance(r, ReadyView)]
    jobs = [
        StillJob(
            r.specimen.spec,
            r.scene,
            r.slide.approach,
            r.slide.step,
            key_structures(r, approaches),
        )
        for _, r in views
    ]
    drawn = 0

    def still_done(_: int) -> None:
        nonlocal drawn
        drawn += 1
        tracker.advance(VIEW_STILL, f"Drawing the 3D views: {drawn} of {len(jobs)}")

    if jobs:
        tracker.report(f"Drawing the 3D views: 0 of {len(jobs)}")
    stills = render_stills(atlas_dir or atlas.root, jobs, STILL_SIZE, still_done) if jobs else []
    still_of = {i: still for (i, _), still in zip(views, stills, strict=True)}

    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    # The default template declares type="screen4x3": a 16:9 size must not say it is 4:3.
    prs.part._element.sldSz.attrib.pop("type", None)
    props = prs.core_properties
    props.title = case.title
    props.subject = "Case conference"
    props.author = props.last_modified_by = "Sacral Ala Atlas"
    props.keywords = "sacral ala; L5 root; anterior approach; teaching"
    credits = list(atlas.info.credits) if atlas.info is not None else []
    props.comments = "De-identified teaching case; views from a 3D atlas. Anatomy: " + "; ".join(
        credits
    )
    _title_slide(prs, case, credits)
    if has_history(case):
        _history_slide(prs, case)
    warnings: list[str] = []
    for i, item in enumerate(ready):
        if isinstance(item, ReadyView):
            still = still_of[i]
            if isinstance(still, RenderError):
                warnings.append(f"slide {i + 1}: the 3D view could not be drawn: {still}")
            _view_slide(prs, item, still)
        elif isinstance(item, ReadyChart):
            _chart_slide(prs, item, charts[i])
        elif isinstance(item, Unready):
            warnings.append(f"slide {i + 1}: {item.reason}")
            _unready_slide(prs, item)
        else:
            _text_slide(prs, item)
    out = io.BytesIO()
    prs.save(out)
    tracker.set(tracker.total, "The PowerPoint file is ready")
    return ExportResult(
        data=out.getvalue(),
        filename=file_name(case.title, ".pptx"),
        mime=MIME,
        slides=len(prs.slides),
        warnings=tuple(warnings),
    )
