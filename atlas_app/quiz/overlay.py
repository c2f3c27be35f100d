"""The answer to a click item drawn on its still: the named structure outlined, the click
marked. Pillow only (no rendering): the outline comes from the item's pick map."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw
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
