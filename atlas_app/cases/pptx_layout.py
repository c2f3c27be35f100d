"""Laying out a PowerPoint slide (python-pptx): the slide's size and margins, text that
fits its box (``- `` lines as bullets), the title, speaker notes, pictures with alt text,
the annotations' column and the note standing in for a picture that could not be drawn."""

from __future__ import annotations

import io
from collections.abc import Sequence

from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.shapes.picture import Picture
from pptx.slide import Slide
from pptx.text.text import TextFrame
from pptx.util import Emu, Inches, Pt

SLIDE_W, SLIDE_H = Emu(12_192_000), Emu(6_858_000)
"""16:9, 13.333 × 7.5 in: PowerPoint's own widescreen size (declared without a 4:3 type)."""
MARGIN = Inches(0.45)
TOP = Inches(1.2)  # below the title
SIDE_W = Inches(3.8)  # the annotations' column
GAP = Inches(0.25)
INK = RGBColor(0x1D, 0x24, 0x33)
MUTED = RGBColor(0x5A, 0x62, 0x70)


def size_for(text: str, sizes: Sequence[tuple[int, int]], smallest: int) -> int:
    """The font size (pt) for text of this length: the first (limit, size) it fits."""
    n = len(text)
    for limit, size in sizes:
        if n <= limit:
            return size
    return smallest


def fill_text(
    frame: TextFrame, text: str, size: int, color: RGBColor = INK, bullets: bool = True
) -> None:
    """Put plain text in a text frame: one paragraph per line, ``- `` lines as bullets."""
    frame.clear()
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    lines = text.split("\n") or [""]
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if bullets and line.lstrip().startswith("- "):
            line = "•\u00a0" + line.lstrip()[2:]
            para.level = 1
        run = para.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.color.rgb = color
        para.space_after = Pt(size * 0.35)


def set_title(slide: Slide, text: str, size: int = 28) -> None:
    shape = slide.shapes.title
    if shape is None:  # pragma: no cover - the layouts used all have a title
        return
    shape.left, shape.top, shape.width, shape.height = (
        MARGIN,
        Inches(0.25),
        Emu(SLIDE_W - 2 * MARGIN),
        Inches(0.85),
    )
    frame = shape.text_frame
    frame.clear()
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    para = frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    run = para.add_run()
    run.text = text
    run.font.size = Pt(size if len(text) <= 70 else max(18, size - 8))
    run.font.bold = True
    run.font.color.rgb = INK


def add_textbox(
    slide: Slide,
    left: int,
    top: int,
    width: int,
    height: int,
    text: str,
    size: int,
    color: RGBColor = INK,
) -> None:
    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    fill_text(box.text_frame, text, size, color)


def set_notes(slide: Slide, notes: str) -> None:
    if notes.strip():
        frame = slide.notes_slide.notes_text_frame
        if frame is not None:
            frame.text = notes


def set_alt_text(shape: Picture, text: str) -> None:
    """The picture's description for screen readers (PowerPoint's *Alt Text*; python-pptx
    has no call for it, so it is set on the picture's XML)."""
    shape._element.xpath("./p:nvPicPr/p:cNvPr")[0].set("descr", text[:4000])


def add_annotations(slide: Slide, items: Sequence[str], left: int, top: int, height: int) -> None:
    if not items:
        return
    text = "\n".join(f"- {a}" for a in items)
    size = size_for(text, [(300, 18), (700, 15), (1400, 13)], 11)
    add_textbox(slide, left, top, SIDE_W, height, text, size)


def add_picture(
    slide: Slide, png: bytes, top: int, wide: bool, aspect: float
) -> tuple[int, int, int]:
    """Place a picture (width/height ``aspect``) under the title: across the slide, or
    beside the annotations' column. Returns its left, width and height."""
    room_w = SLIDE_W - 2 * MARGIN - (0 if wide else SIDE_W + GAP)
    room_h = SLIDE_H - top - Inches(0.75)
    width = min(room_w, int(room_h * aspect))
    height = int(width / aspect)
    left = MARGIN + (room_w - width) // 2 if wide else MARGIN
    slide.shapes.add_picture(io.BytesIO(png), Emu(left), Emu(top), Emu(width), Emu(height))
    return left, width, height


def add_missing(slide: Slide, reason: str, top: int, wide: bool) -> tuple[int, int, int]:
    room_w = SLIDE_W - 2 * MARGIN - (0 if wide else SIDE_W + GAP)
    height = int(room_w * 9 / 16)
    box = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, MARGIN, Emu(top), Emu(room_w), Emu(height))
    box.fill.solid()
    box.fill.fore_color.rgb = RGBColor(0xF4, 0xF5, 0xF8)
    box.line.color.rgb = RGBColor(0xC8, 0xCC, 0xD6)
    fill_text(
        box.text_frame,
        f"The picture could not be drawn on the server.\n{reason}",
        14,
        MUTED,
        bullets=False,
    )
    return MARGIN, room_w, height
