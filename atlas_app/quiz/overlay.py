"""Drawn over an item's still with Pillow (no rendering): the answer to a click item (the
named structure outlined from the pick map, the click marked), and the scale bar of an
estimate item."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

from atlas_app.quiz.items import PickMap

OUTLINE = (255, 61, 203)  # the atlas's highlight magenta
TINT = 0.35


def answer_overlay(
    png: bytes, pick: PickMap, target: str, click: tuple[float, float] | None = None
) -> bytes:
    """The still with ``target`` tinted and outlined, and ``click`` marked with a cross."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if target in pick.ids:
        mask = pick.labels == pick.ids.index(target)
        big = np.kron(mask, np.ones((pick.scale, pick.scale), dtype=bool))
        big = big[: image.height, : image.width]
        pad = np.zeros((image.height, image.width), dtype=bool)
        pad[: big.shape[0], : big.shape[1]] = big
        edge = pad & ~ndimage.binary_erosion(pad, iterations=2)
        rgb = np.asarray(image, dtype=np.float32)
        tint = np.asarray(OUTLINE, dtype=np.float32)
        rgb[pad] = rgb[pad] * (1 - TINT) + tint * TINT
        rgb[edge] = tint
        image = Image.fromarray(rgb.astype(np.uint8))
    if click is not None:
        draw = ImageDraw.Draw(image)
        x, y = click
        r = 9
        draw.line((x - r, y - r, x + r, y + r), fill=(20, 24, 33), width=3)
        draw.line((x - r, y + r, x + r, y - r), fill=(20, 24, 33), width=3)
        draw.ellipse((x - r - 3, y - r - 3, x + r + 3, y + r + 3), outline=(255, 255, 255), width=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


BAR_LENGTHS_MM = (5, 10, 20, 50, 100)
BAR_INK = (20, 24, 33)


def bar_length_mm(px_per_mm: float, width: int) -> int:
    """The longest round length whose bar takes at most a fifth of the picture's width."""
    fitting = [n for n in BAR_LENGTHS_MM if n * px_per_mm <= width / 5]
    return fitting[-1] if fitting else BAR_LENGTHS_MM[0]


def scale_bar(png: bytes, px_per_mm: float) -> bytes:
    """The still with a scale bar in its lower left corner, labelled in millimetres."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    mm = bar_length_mm(px_per_mm, image.width)
    length = round(mm * px_per_mm)
    x0, y0 = 16, image.height - 22
    draw = ImageDraw.Draw(image)
    draw.rectangle((x0 - 6, y0 - 22, x0 + max(length, 44) + 6, y0 + 10), fill=(255, 255, 255))
    draw.rectangle((x0, y0, x0 + length, y0 + 4), fill=BAR_INK)
    for x in (x0, x0 + length):
        draw.rectangle((x, y0 - 5, x + 1, y0 + 4), fill=BAR_INK)
    draw.text((x0, y0 - 19), f"{mm} mm", fill=BAR_INK, font=_font())
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype("DejaVuSans.ttf", 14)
    except OSError:
        return ImageFont.load_default()
