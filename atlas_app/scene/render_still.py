"""SceneSpec + meshes → a PNG drawn by VTK off screen, with numbered pins and a key.

vtk.js draws no text, and a picture for a slide or a quiz needs its labels on it, so
stills are drawn on the server: VTK renders the scene, a second *identity* pass (each
actor in its own flat colour) tells which pixels show which structure, each labelled
structure gets a pin at the point of its visible area farthest from that area's edge,
and Pillow draws the pins and a key beside the view.

This module needs a working OpenGL context. VTK **segfaults** without one, so call it
only inside the render worker (:mod:`render_worker`), never in the Streamlit server.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyvista as pv
from numpy.typing import NDArray
from PIL import Image, ImageColor, ImageDraw, ImageFont
from scipy import ndimage

from atlas_app.caching import MiB, ObjectMemo, memoize
from atlas_app.scene.shading import (
    AMBIENT,
    DIFFUSE,
    HEADLIGHT_INTENSITY,
    SPECULAR,
    SPECULAR_POWER,
    split_normals,
)
from atlas_app.scene.spec import ActorSpec, SceneSpec

MIN_LABEL_PIXELS = 40
"""A structure needs this many visible pixels to get a pin."""
KEY_MIN_WIDTH = 400
"""Narrower images get no pins or key: there is no room for a legible key."""

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
Rgb = tuple[int, int, int]


@dataclass(frozen=True)
class Pin:
    """A numbered pin: where it sits in the view (pixels) and what it names."""

    number: int
    structure_id: str
    label: str
    color: str
    x: int
    y: int


@memoize(items=8)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans (Debian's, else matplotlib's copy), else Pillow's built-in font."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    dirs = list(FONT_DIRS)
    try:
        import matplotlib

        dirs.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        pass
    for folder in dirs:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size)


# --- Drawing the scene --------------------------------------------------------------


_shaded: ObjectMemo[pv.PolyData] = ObjectMemo(max_bytes=64 * MiB)


def shaded(mesh: pv.PolyData) -> pv.PolyData:
    """The surface with smooth point normals (split at sharp edges), remembered per mesh
    object: the geometry layer hands out the same object for the same geometry."""
    return _shaded.get_or_make((mesh,), lambda: split_normals(mesh))


def _plotter(spec: SceneSpec, size: tuple[int, int]) -> pv.Plotter:
    pl = pv.Plotter(off_screen=True, window_size=[size[0], size[1]], lighting="none")
    pl.background_color = pv.Color(spec.background)
    pl.add_light(pv.Light(light_type="headlight", intensity=HEADLIGHT_INTENSITY))
    return pl


def _apply_camera(pl: pv.Plotter, spec: SceneSpec) -> None:
    cam = spec.camera
    camera = pl.camera
    camera.position = cam.position
    camera.focal_point = cam.focal_point
    camera.up = cam.view_up
    camera.view_angle = cam.view_angle
    if cam.parallel_scale is not None:
        camera.parallel_projection = True
        camera.parallel_scale = cam.parallel_scale
    pl.renderer.ResetCameraClippingRange()


def _id_color(index: int) -> Rgb:
    """A flat colour that names actor ``index`` in the identity pass (never black)."""
    n = index + 1
    return (n % 251 + 1, (n * 97) % 256, (n * 53 + 31) % 256)


def _screenshot(pl: pv.Plotter) -> NDArray[np.uint8]:
    pl.render()  # screenshot() does not re-render by itself
    image = pl.screenshot(return_img=True)
    assert image is not None
    return np.asarray(image)[..., :3]


def draw_scene(
    spec: SceneSpec,
    meshes: Mapping[str, pv.PolyData],
    size: tuple[int, int],
    identify: Collection[str] = (),
) -> tuple[NDArray[np.uint8], dict[str, NDArray[np.bool_]]]:
    """The view as an RGB array, and for each structure in ``identify`` the mask of the
    pixels where it is seen (a structure behind a translucent muscle counts as seen)."""
    shown = [a for a in spec.visible_actors if a.structure_id in meshes]
    pl = _plotter(spec, size)
    try:
        actors = {}
        for a in shown:
            actors[a.structure_id] = pl.add_mesh(
                shaded(meshes[a.structure_id]),
                color=a.color,
                opacity=a.opacity,
                smooth_shading=False,
                interpolation="phong",
                ambient=AMBIENT,
                diffuse=DIFFUSE,
                specular=SPECULAR,
                specular_power=SPECULAR_POWER,
                name=a.structure_id,
            )
        # No depth peeling: with OSMesa it drops translucent actors altogether. There is
        # at most one translucent layer (compose's rule), which VTK blends well enough.
        _apply_camera(pl, spec)
        image = _screenshot(pl)
        masks = _identify(pl, shown, actors, set(identify)) if identify else {}
    finally:
        pl.close()
    return image, masks


def _identify(
    pl: pv.Plotter, shown: Sequence[ActorSpec], actors: Mapping[str, pv.Actor], wanted: set[str]
) -> dict[str, NDArray[np.bool_]]:
    """Identity passes: opaque actors alone, then translucent ones alone."""
    pl.background_color = pv.Color("black")
    for i, a in enumerate(shown):
        prop = actors[a.structure_id].prop
        prop.color = tuple(c / 255 for c in _id_color(i))
        prop.lighting = False
        prop.opacity = 1.0
    masks: dict[str, NDArray[np.bool_]] = {}
    for translucent in (False, True):
        layer = [i for i, a in enumerate(shown) if a.translucent == translucent]
        if not any(shown[i].structure_id in wanted for i in layer):
            continue
        for i, a in enumerate(shown):
            actors[a.structure_id].visibility = i in layer
        ids = _screenshot(pl).astype(np.int32)
        code = (ids[..., 0] << 16) | (ids[..., 1] << 8) | ids[..., 2]
        for i in layer:
            sid = shown[i].structure_id
            if sid in wanted:
                r, g, b = _id_color(i)
                masks[sid] = code == ((r << 16) | (g << 8) | b)
    return masks


# --- Pins and key -------------------------------------------------------------------


def place_pins(
    order: Sequence[ActorSpec], masks: Mapping[str, NDArray[np.bool_]], limit: int, radius: int
) -> list[Pin]:
    """A pin for each structure in ``order`` that shows enough, up to ``limit``: at a
    point deep inside its visible area, near the area's middle, clear of earlier pins and
    of the image's edge."""
    pins: list[Pin] = []
    taken: NDArray[np.bool_] | None = None
    for a in order:
        if len(pins) >= limit:
            break
        mask = masks.get(a.structure_id)
        if mask is None:
            continue
        edge = radius + 2  # a pin must not be cut by the image's edge
        mask = mask.copy()
        mask[:edge], mask[-edge:], mask[:, :edge], mask[:, -edge:] = False, False, False, False
        if int(mask.sum()) < MIN_LABEL_PIXELS:
            continue
        rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
        top, left = int(rows[0]), int(cols[0])
        crop = mask[top : int(rows[-1]) + 1, left : int(cols[-1]) + 1]
        inner = ndimage.distance_transform_edt(np.pad(crop, 1))[1:-1, 1:-1]
        if taken is not None:
            inner = np.where(
                taken[top : top + crop.shape[0], left : left + crop.shape[1]], 0.0, inner
            )
        best = float(inner.max())
        if best <= 0:
            continue
        # Among the nearly most interior points, the one nearest the middle of the area:
        # a pin sits mid-way along a nerve rather than at its thicker end.
        ys, xs = np.nonzero(inner >= 0.75 * best)
        my, mx = np.argwhere(crop).mean(axis=0)
        k = int(np.argmin((ys - my) ** 2 + (xs - mx) ** 2))
        y, x = int(ys[k]) + top, int(xs[k]) + left
        pins.append(Pin(len(pins) + 1, a.structure_id, a.label, a.color, int(x), int(y)))
        if taken is None:
            taken = np.zeros(mask.shape, dtype=bool)
        yy, xx = np.ogrid[: mask.shape[0], : mask.shape[1]]
        taken |= (yy - y) ** 2 + (xx - x) ** 2 <= (2.2 * radius) ** 2
    return pins


def _fit(
    draw: ImageDraw.ImageDraw,
    text: str,
    face: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    width: int,
) -> str:
    if draw.textlength(text, font=face) <= width:
        return text
    while text and draw.textlength(text + "…", font=face) > width:
        text = text[:-1]
    return text + "…"


def _wrap(
    draw: ImageDraw.ImageDraw,
    text: str,
    face: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    width: int,
) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(lines[-1] + " " + word, font=face) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return [_fit(draw, line, face, width) for line in lines]


def _draw_pin(
    draw: ImageDraw.ImageDraw,
    pin: Pin,
    radius: int,
    face: ImageFont.FreeTypeFont | ImageFont.ImageFont,
) -> None:
    x, y = pin.x, pin.y
    draw.ellipse(
        (x - radius, y - radius, x + radius, y + radius),
        fill=(255, 255, 255),
        outline=(20, 24, 33),
        width=max(2, radius // 5),
    )
    draw.text((x, y), str(pin.number), fill=(20, 24, 33), font=face, anchor="mm")


def compose_image(
    view: NDArray[np.uint8],
    spec: SceneSpec,
    pins: Sequence[Pin],
    size: tuple[int, int],
    key_width: int,
    radius: int,
) -> Image.Image:
    """The final picture: the view with its pins, and the key (title and names) beside it."""
    width, height = size
    canvas = Image.new("RGB", (width, height), ImageColor.getrgb(spec.background))
    canvas.paste(Image.fromarray(view), (0, 0))
    draw = ImageDraw.Draw(canvas)
    small = font(max(10, radius + 1), bold=True)
    for pin in pins:
        _draw_pin(draw, pin, radius, small)
    if key_width <= 0:
        return canvas
    x0 = width - key_width
    draw.rectangle((x0, 0, width, height), fill=(246, 247, 250))
    draw.line((x0, 0, x0, height), fill=(200, 204, 214), width=1)
    pad = max(8, key_width // 20)
    y = pad
    title_face = font(max(11, height // 40), bold=True)
    for line in _wrap(draw, spec.title, title_face, key_width - 2 * pad)[:3]:
        draw.text((x0 + pad, y), line, fill=(20, 24, 33), font=title_face)
        y += int(title_face.size * 1.3) if hasattr(title_face, "size") else 14
    y += pad // 2
    face = font(max(10, height // 48))
    line_h = max(2 * radius + 4, int(getattr(face, "size", 12) * 1.5))
    for pin in pins:
        cx, cy = x0 + pad + radius, y + line_h // 2
        _draw_pin(
            draw, Pin(pin.number, pin.structure_id, pin.label, pin.color, cx, cy), radius, small
        )
        sw = x0 + pad + 2 * radius + 6
        draw.rectangle(
            (sw, cy - 5, sw + 10, cy + 5), fill=ImageColor.getrgb(pin.color), outline=(60, 60, 60)
        )
        text_x = sw + 16
        draw.text(
            (text_x, cy),
            _fit(draw, pin.label, face, width - pad - text_x),
            fill=(20, 24, 33),
            font=face,
            anchor="lm",
        )
        y += line_h
    return canvas


def render_still(
    spec: SceneSpec,
    meshes: Mapping[str, pv.PolyData],
    size: tuple[int, int] = (900, 600),
    labels: bool | Sequence[str] = True,
) -> bytes:
    """The scene as a PNG of exactly ``size`` (width, height) pixels.

    ``labels``: True pins the most important visible structures (highlighted first) as
    many as the key holds; a sequence pins those structure ids; False draws the bare view.
    Needs OpenGL: call it in the render worker.
    """
    width, height = int(size[0]), int(size[1])
    if width < 16 or height < 16:
        raise ValueError(f"image size {size} is too small")
    want_labels = labels is not False and width >= KEY_MIN_WIDTH
    key_width = min(max(int(width * 0.3), 180), 320) if want_labels else 0
    radius = max(8, min(13, height // 50))
    view_size = (width - key_width, height)
    chosen = None if isinstance(labels, bool) else list(labels)
    order = spec.label_order(chosen) if want_labels else []
    title_room = 3 * max(11, height // 40) + 30
    line_h = max(2 * radius + 4, int(max(10, height // 48) * 1.5))
    limit = max(0, (height - title_room) // line_h)
    view, masks = draw_scene(spec, meshes, view_size, [a.structure_id for a in order])
    pins = place_pins(order, masks, limit, radius) if want_labels else []
    canvas = compose_image(view, spec, pins, (width, height), key_width, radius)
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=False)
    return out.getvalue()
