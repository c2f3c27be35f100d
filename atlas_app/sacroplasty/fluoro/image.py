"""4. The image: bone, soft tissue, needles and cement as a fluoroscopy monitor or a
radiograph shows them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from atlas_app.caching import Memo, MiB
from atlas_app.sacroplasty.fluoro.settings import (
    BONE_GAMMA,
    EDGE_GAIN,
    EDGE_SIGMA_PX,
    F32,
    MU_PER_MM,
    Style,
)
from atlas_app.sacroplasty.fluoro.tissue import (
    needle_chords,
    soft_tissue,
    sphere_chords,
)
from atlas_app.sacroplasty.fluoro.views import (
    ViewGeometry,
    _origins,
    _projections,
    project,
    sample_projection,
)
from atlas_app.sacroplasty.fluoro.volume import (
    Volume,
    _volumes,
)
from atlas_app.sacroplasty.needle.path import NeedlePath, Spheres


@dataclass(frozen=True)
class Fluoro:
    """A simulated fluoroscopic image: ``gray`` in 0..1 as displayed (H, W), the view, and
    the silhouette of the sacrum for overlays."""

    gray: F32 = field(repr=False)
    view: ViewGeometry
    sacrum_silhouette: NDArray[np.bool_] = field(repr=False)

    @property
    def field_mask(self) -> NDArray[np.bool_]:
        n = self.view.size
        yy, xx = np.mgrid[0:n, 0:n]
        half = (n - 1) / 2.0
        return np.asarray((xx - half) ** 2 + (yy - half) ** 2 <= half**2)


_bone_images: Memo[tuple[object, ...], tuple[F32, NDArray[np.bool_], tuple[float, float]]] = Memo(
    max_bytes=48 * MiB
)


def _bone_image(
    volume: Volume, view: ViewGeometry
) -> tuple[F32, NDArray[np.bool_], tuple[float, float]]:
    def make() -> tuple[F32, NDArray[np.bool_], tuple[float, float]]:
        bone = sample_projection(project(volume, view.beam), view)
        sil = sample_projection(project(volume, view.beam, "sacrum"), view) > 0.5
        base = bone + soft_tissue(view)
        n = view.size
        yy, xx = np.mgrid[0:n, 0:n]
        half = (n - 1) / 2.0
        # Exposure is set on the bones in the middle of the field, as a C-arm's automatic
        # brightness control does: they span the grey scale; thinner soft tissue is white.
        centre = (xx - half) ** 2 + (yy - half) ** 2 <= (0.6 * half) ** 2
        on_bone = centre & (bone > 0.05)
        lo, hi = np.percentile(base[on_bone if on_bone.sum() > 100 else centre], [1.0, 99.5])
        return base, sil, (float(lo), float(hi))

    return _bone_images.get_or_make((volume.key, view), make)


def simulate(
    volume: Volume,
    view: ViewGeometry,
    *,
    needles: Iterable[NeedlePath] = (),
    cement: Spheres | None = None,
    style: Style = "monitor",
) -> Fluoro:
    """A fluoroscopic image of the bones with needles and cement."""
    base, sil, (lo, hi) = _bone_image(volume, view)
    p = base + MU_PER_MM["steel"] * needle_chords(view, needles)
    p = p + MU_PER_MM["cement"] * sphere_chords(view, cement)
    g = np.clip((p - lo) / max(hi - lo, 1e-6), 0.0, 2.0)
    # Bone fills the lower 3/4 of the grey scale; cement and steel go beyond it, to black.
    shade = 0.75 * np.minimum(g, 1.0) ** BONE_GAMMA + 0.25 * (g - np.minimum(g, 1.0))
    rng = np.random.default_rng(20060101)
    noise = rng.normal(0.0, 0.012, shade.shape)
    n = view.size
    yy, xx = np.mgrid[0:n, 0:n]
    half = (n - 1) / 2.0
    r2 = ((xx - half) ** 2 + (yy - half) ** 2) / half**2
    # Edge enhancement, as image intensifier chains apply: cortical margins and the
    # foramina stand out from the smooth marrow.
    shade = shade + EDGE_GAIN * (shade - ndimage.gaussian_filter(shade, EDGE_SIGMA_PX))
    if style == "monitor":
        gray = 0.92 - 0.85 * shade - 0.08 * r2
    else:
        gray = 0.06 + 0.88 * shade + 0.04 * (1 - r2)
    gray = np.clip(gray + noise, 0.0, 1.0)
    gray[r2 > 1.0] = 0.0
    return Fluoro(gray.astype(np.float32), view, sil)


def clear_caches() -> None:
    """Forget volumes and projections (benchmarks measure the cold path)."""
    for cache in (_volumes, _projections, _bone_images, _origins):
        cache.clear()
