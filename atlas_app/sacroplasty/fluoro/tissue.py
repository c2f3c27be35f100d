"""3. What is not bone, added analytically: the soft tissue of the body, each needle and
the cement."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from atlas_app.geometry.centerline import Array
from atlas_app.sacroplasty.fluoro.settings import (
    BODY_ELLIPSE,
    F32,
    MU_PER_MM,
)
from atlas_app.sacroplasty.fluoro.views import ViewGeometry
from atlas_app.sacroplasty.needle.path import NeedlePath, Spheres


def soft_tissue(view: ViewGeometry) -> F32:
    """Path length through the trunk (an elliptic cylinder) times soft-tissue attenuation."""
    cx, cy, ax, ay = BODY_ELLIPSE
    p = view.ray_origins()
    b = np.asarray(view.beam)
    px, py = (p[..., 0] - cx) / ax, (p[..., 1] - cy) / ay
    bx, by = b[0] / ax, b[1] / ay
    qa = bx * bx + by * by
    qb = 2 * (px * bx + py * by)
    qc = px * px + py * py - 1.0
    disc = np.maximum(qb * qb - 4 * qa * qc, 0.0)
    chord = np.sqrt(disc) / qa if qa > 1e-12 else np.zeros_like(px)
    return (chord * MU_PER_MM["soft"]).astype(np.float32)


def needle_chords(view: ViewGeometry, needles: Iterable[NeedlePath]) -> F32:
    """Path length of each ray through the needles (finite cylinders), summed."""
    n = view.size
    total = np.zeros((n, n))
    b = np.asarray(view.beam)
    for nd in needles:
        box = _pixel_box(view, np.vstack([nd.entry, nd.tip]), np.full(2, nd.radius_mm))
        if box is None:
            continue
        r0, r1, c0, c1 = box
        p = view.ray_origins()[r0:r1, c0:c1].reshape(-1, 3)
        a, length, r = nd.direction, nd.length, nd.radius_mm
        w = p - nd.entry
        wa, ba = w @ a, float(b @ a)
        w_perp = w - wa[:, None] * a
        b_perp = b - ba * a
        qa = float(b_perp @ b_perp)
        if qa < 1e-9:  # the beam runs down the needle: a disc of full length
            chord = np.where((w_perp**2).sum(1) <= r * r, length, 0.0)
        else:
            qb = 2 * (w_perp @ b_perp)
            qc = (w_perp**2).sum(1) - r * r
            disc = qb * qb - 4 * qa * qc
            ok = disc > 0
            root = np.sqrt(np.where(ok, disc, 0.0))
            t0, t1 = (-qb - root) / (2 * qa), (-qb + root) / (2 * qa)
            if abs(ba) > 1e-9:
                s0, s1 = (0.0 - wa) / ba, (length - wa) / ba
                t0, t1 = np.maximum(t0, np.minimum(s0, s1)), np.minimum(t1, np.maximum(s0, s1))
            else:
                ok &= (wa >= 0) & (wa <= length)
            chord = np.where(ok, np.maximum(t1 - t0, 0.0), 0.0)
        total[r0:r1, c0:c1] += chord.reshape(r1 - r0, c1 - c0)
    return total.astype(np.float32)


def _pixel_box(
    view: ViewGeometry, centres: Array, radii: Array
) -> tuple[int, int, int, int] | None:
    """Rows and columns (half-open) of the pixels that rays through these balls can hit."""
    n = view.size
    pix = view.to_pixels(centres)
    reach = radii / view.pixel_mm + 2
    c0 = int(max(np.floor((pix[:, 0] - reach).min()), 0))
    c1 = int(min(np.ceil((pix[:, 0] + reach).max()), n - 1)) + 1
    r0 = int(max(np.floor((pix[:, 1] - reach).min()), 0))
    r1 = int(min(np.ceil((pix[:, 1] + reach).max()), n - 1)) + 1
    if c1 <= c0 or r1 <= r0:
        return None
    return r0, r1, c0, c1


def sphere_chords(view: ViewGeometry, spheres: Spheres | None) -> F32:
    """Path length of each ray through the union of the spheres."""
    n = view.size
    block = np.zeros((n, n))
    box = (
        None
        if spheres is None or not len(spheres)
        else _pixel_box(view, spheres.centres, spheres.radii)
    )
    if spheres is None or box is None:
        return block.astype(np.float32)
    r0, r1, c0, c1 = box
    origins = view.ray_origins()[r0:r1, c0:c1].reshape(-1, 3)
    b = np.asarray(view.beam)
    w = origins[:, None, :] - spheres.centres[None, :, :]
    tc = -(w @ b)
    rho2 = (w**2).sum(-1) - tc**2
    h = np.sqrt(np.maximum(spheres.radii[None, :] ** 2 - rho2, 0.0))
    hit = rho2 < spheres.radii[None, :] ** 2
    start = np.where(hit, tc - h, np.inf)
    end = np.where(hit, tc + h, -np.inf)
    order = np.argsort(start, axis=1)
    start = np.take_along_axis(start, order, 1)
    end = np.take_along_axis(end, order, 1)
    reach_end = np.maximum.accumulate(end, axis=1)
    prev = np.concatenate([np.full((len(end), 1), -np.inf), reach_end[:, :-1]], 1)
    seg = np.where(np.isfinite(start), np.maximum(end - np.maximum(start, prev), 0.0), 0.0)
    block[r0:r1, c0:c1] = seg.sum(1).reshape(r1 - r0, c1 - c0)
    return block.astype(np.float32)
