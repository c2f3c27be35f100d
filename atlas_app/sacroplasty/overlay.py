"""Overlays on a simulated fluoroscopic image, and the image as PNG.

What an X-ray does not show is drawn over it: nerves and the fracture as dashed lines,
entry points and breaches as rings, the Denis zones as a coloured layer, and the image's
orientation letters, 5 cm scale bar and title.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BytesIO
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageColor, ImageDraw, ImageFont

from atlas_app.geometry.centerline import Array
from atlas_app.sacroplasty.fluoro import U8, Fluoro

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Mark:
    """Something drawn over the image: a polyline (``points`` 3-D, projected), a dot with
    a label, or both."""

    points: tuple[tuple[float, float, float], ...]
    color: RGB
    label: str = ""
    width: int = 2
    dashed: bool = False
    dot: bool = False
    label_at: int = -1  # which point carries the label
    big: bool = False  # label in the large font (zone numbers)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType
        return ImageFont.load_default()


def zone_layer(
    fluoro: Fluoro,
    margins: Callable[[float], tuple[float, float]],
    colors: dict[int, str],
    alpha: float = 0.32,
) -> NDArray[np.float32]:
    """RGBA layer colouring the sacrum's silhouette by Denis zone (AP-like views only:
    the pixel's x and z are read from the view)."""
    view = fluoro.view
    n = view.size
    origins = view.ray_origins()
    x, z = origins[..., 0], origins[..., 2]
    layer = np.zeros((n, n, 4), np.float32)
    zs = np.linspace(z.min(), z.max(), 200)
    med, lat = np.array([margins(float(v)) for v in zs]).T
    medial = np.interp(z, zs, med)
    lateral = np.interp(z, zs, lat)
    ax = np.abs(x)
    zone = np.where(ax >= lateral, 1, np.where(ax > medial, 2, 3))
    for number, color in colors.items():
        sel = fluoro.sacrum_silhouette & (zone == number)
        layer[sel, :3] = np.array(ImageColor.getrgb(color)) / 255.0
        layer[sel, 3] = alpha
    return layer


def to_rgb(
    fluoro: Fluoro,
    marks: Sequence[Mark] = (),
    layer: NDArray[np.float32] | None = None,
    title: str = "",
) -> U8:
    """The image as RGB with overlays, orientation letters, a 5 cm scale and the title."""
    g = fluoro.gray[..., None].repeat(3, axis=2)
    if layer is not None:
        a = layer[..., 3:4]
        g = g * (1 - a) + layer[..., :3] * a
    img = Image.fromarray((np.clip(g, 0, 1) * 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    view = fluoro.view
    n = view.size
    small, big = _font(max(12, n // 30)), _font(max(16, n // 20))
    ink = {"fill": (255, 255, 255), "stroke_width": 2, "stroke_fill": (0, 0, 0)}
    for m in marks:
        px = view.to_pixels(np.asarray(m.points, float))
        if len(px) > 1:
            _polyline(draw, px, m.color, m.width, m.dashed)
        if m.dot:
            x, y = px[-1]
            r = max(3, m.width + 1)
            draw.ellipse((x - r, y - r, x + r, y + r), outline=m.color, width=2)
        if m.label and m.big:
            x, y = px[m.label_at]
            draw.text((x, y), m.label, font=big, anchor="mm", **ink)  # type: ignore[arg-type]
        elif m.label:
            x, y = px[m.label_at]
            draw.text((x + 6, y - 6), m.label, fill=m.color, font=small)
    # Orientation letters, 5 cm scale bar and the view's name.
    draw.text((n - n * 0.12, n * 0.47), view.right_label, font=big, **ink)  # type: ignore[arg-type]
    if view.left_label:
        draw.text((n * 0.06, n * 0.47), view.left_label, font=big, **ink)  # type: ignore[arg-type]
    bar = 50.0 / view.pixel_mm
    x1, y1 = n * 0.82, n * 0.93
    draw.line((x1 - bar, y1, x1, y1), fill=(0, 0, 0), width=5)
    draw.line((x1 - bar, y1, x1, y1), fill=(255, 255, 255), width=3)
    draw.text((x1 - bar, y1 - 18), "5 cm", font=small, **ink)  # type: ignore[arg-type]
    if title:
        # The default font lacks the en dash: keep titles plain.
        draw.text((8, 6), title.replace("–", "-"), font=small, **ink)  # type: ignore[arg-type]
    return np.asarray(img)


def _polyline(
    draw: ImageDraw.ImageDraw, px: Array, color: RGB, width: int, dashed: bool = False
) -> None:
    pts = [(float(x), float(y)) for x, y in px]
    if not dashed:
        draw.line(pts, fill=color, width=width)
        return
    for (x0, y0), (x1, y1) in pairwise(pts):
        length = float(np.hypot(x1 - x0, y1 - y0))
        for s in np.arange(0.0, length, 10.0):
            e = min(s + 6.0, length)
            if length > 0:
                draw.line(
                    (
                        x0 + (x1 - x0) * s / length,
                        y0 + (y1 - y0) * s / length,
                        x0 + (x1 - x0) * e / length,
                        y0 + (y1 - y0) * e / length,
                    ),
                    fill=color,
                    width=width,
                )


def png_bytes(rgb: U8) -> bytes:
    buf = BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return buf.getvalue()
