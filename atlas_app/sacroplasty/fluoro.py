"""Simulated fluoroscopy: X-ray-like projections of the bones, the needles and the cement.

How it works (pure numpy/scipy and Pillow: no GL, safe in the app process):

1. **Voxelise once.** Each bone mesh of the specimen (vertebrae, sacrum, hip bones; not the
   discs) is filled on a 1 mm grid by ray parity along y. Its outer 2 mm shell gets the
   attenuation of cortical bone, the inside that of (osteoporotic) marrow bone, both as an
   excess over soft tissue. The sacrum's foramina are open in the adult body's bone, so they
   show as they do on a radiograph. Cached per atlas geometry.
2. **Project along parallel rays** (shear-warp): the volume is cut into slices across the
   beam's main axis; each slice is shifted by where the beam carries it and added, with
   bilinear weights, onto one plane, scaled by the path length per slice. Cached per beam.
3. **Add what is not bone analytically:** the soft tissue of the body (an elliptic
   cylinder), each needle (a steel cylinder: exact chord length per ray) and the cement (a
   union of spheres: exact union of chords per ray).
4. **Display** as on a fluoroscopy monitor: the log-attenuation image is windowed on the
   bones, inverted so that bone is dark and metal and cement black (``style="radiograph"``
   gives white bone), with a little fixed noise, inside the round field of an image
   intensifier.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pyvista as pv
from numpy.typing import NDArray
from scipy import ndimage

from atlas_app.caching import Memo, MiB
from atlas_app.geometry.centerline import Array
from atlas_app.geometry.specimen_meshes import cached_structure_mesh
from atlas_app.model.atlas import Atlas
from atlas_app.model.schema import SIDE_SIGN
from atlas_app.model.specimen import Specimen
from atlas_app.sacroplasty.needle import NeedlePath, Spheres
from atlas_app.sacroplasty.schema import FluoroView

VOXEL_MM = 1.0
CORTEX_MM = 2
MU_PER_MM = {
    "soft": 0.020,  # water-like tissue at ~60 keV
    "marrow_bone": 0.011,  # excess of osteoporotic cancellous bone over soft tissue
    "cortex": 0.040,  # excess of the cortical shell (partial volume of a thin cortex)
    "cement": 0.35,  # PMMA with barium sulphate: far denser than bone
    "steel": 1.5,  # effective: a steel cannula shows black, as on a monitor
}
BODY_ELLIPSE = (0.0, 8.0, 165.0, 103.0)  # centre x, y and half-axes (mm) of the trunk
FOV_MM = 200.0  # the sacrum, L5 and the schematic entry fill the field
PIXEL_MM = 0.5
DEFAULT_CENTRE = (0.0, -25.0, -18.0)
EDGE_GAIN = 0.6  # unsharp mask of the displayed image
EDGE_SIGMA_PX = 3.0
BONE_GAMMA = 0.8  # below 1: the thinner bone a little denser, as on a monitor
Style = Literal["monitor", "radiograph"]
U8 = NDArray[np.uint8]
F32 = NDArray[np.float32]

# --- 1. The density volume ------------------------------------------------------------


@dataclass(frozen=True)
class Volume:
    """Attenuation over soft tissue (1/mm) on a grid; ``sacrum`` marks the sacrum's voxels."""

    key: str
    origin: Array
    spacing: float
    mu: F32 = field(repr=False)
    sacrum: NDArray[np.bool_] = field(repr=False)


def voxelize(
    mesh: pv.PolyData, origin: Array, spacing: float, shape: tuple[int, int, int]
) -> NDArray[np.bool_]:
    """Voxel centres inside a closed surface, by counting crossings along +y."""
    tri = mesh.triangulate()
    faces = np.asarray(tri.faces).reshape(-1, 4)[:, 1:]
    p = np.asarray(tri.points, float)
    a, b, c = p[faces[:, 0]], p[faces[:, 1]], p[faces[:, 2]]
    nx, ny, nz = shape
    o = np.asarray(origin, float)
    tri2 = (np.stack([a, b, c], 1)[:, :, [0, 2]] - o[[0, 2]]) / spacing
    lo = np.maximum(np.ceil(tri2.min(1)).astype(int), 0)
    hi = np.minimum(np.floor(tri2.max(1)).astype(int), [nx - 1, nz - 1])
    ni, nk = hi[:, 0] - lo[:, 0] + 1, hi[:, 1] - lo[:, 1] + 1
    keep = (ni > 0) & (nk > 0)
    idx, ni, nk = np.nonzero(keep)[0], ni[keep], nk[keep]
    count = ni * nk
    t = np.repeat(idx, count)
    local = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    nkr = np.repeat(nk, count)
    ii = lo[t, 0] + local // nkr
    kk = lo[t, 1] + local % nkr
    pa, pb, pc = tri2[t, 0], tri2[t, 1], tri2[t, 2]
    det = (pb[:, 1] - pc[:, 1]) * (pa[:, 0] - pc[:, 0]) + (pc[:, 0] - pb[:, 0]) * (
        pa[:, 1] - pc[:, 1]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        l1 = (
            (pb[:, 1] - pc[:, 1]) * (ii - pc[:, 0]) + (pc[:, 0] - pb[:, 0]) * (kk - pc[:, 1])
        ) / det
        l2 = (
            (pc[:, 1] - pa[:, 1]) * (ii - pc[:, 0]) + (pa[:, 0] - pc[:, 0]) * (kk - pc[:, 1])
        ) / det
    l3 = 1.0 - l1 - l2
    hit = (det != 0) & (l1 >= 0) & (l2 >= 0) & (l3 > 0)
    t, ii, kk = t[hit], ii[hit], kk[hit]
    y = l1[hit] * a[t, 1] + l2[hit] * b[t, 1] + l3[hit] * c[t, 1]
    j = np.clip(np.ceil((y - o[1]) / spacing).astype(int), 0, ny)
    crossings = np.zeros((nx, nz, ny + 1), np.int16)
    np.add.at(crossings, (ii, kk, j), 1)
    parity = (np.cumsum(crossings, axis=2, dtype=np.int16)[:, :, :ny] & 1).astype(bool)
    return np.ascontiguousarray(parity.transpose(0, 2, 1))


def bone_ids(specimen: Specimen) -> list[str]:
    """The radio-opaque bones of a specimen (the discs are soft tissue on an X-ray)."""
    return [
        sid
        for sid, s in specimen.structures.items()
        if s.category == "bone" and "discs" not in s.groups and not sid.endswith("_disc")
    ]


# A volume of the bones takes about 55 MB: four are kept.
_volumes: Memo[str, Volume] = Memo(max_bytes=256 * MiB)


def bone_volume(atlas: Atlas, specimen: Specimen) -> Volume:
    """The density volume of the specimen's bones (cached)."""
    ids = bone_ids(specimen)
    key = "|".join(
        [str(atlas.root), *(specimen.structures[i].geometry.model_dump_json() for i in ids)]
    )
    return _volumes.get_or_make(key, lambda: _build_volume(key, atlas, specimen, ids))


def _build_volume(key: str, atlas: Atlas, specimen: Specimen, ids: list[str]) -> Volume:
    meshes = {i: cached_structure_mesh(atlas, specimen.structures[i]) for i in ids}
    bounds = np.array([m.bounds for m in meshes.values()])
    lo = np.floor(bounds[:, 0::2].min(0)) - 3 * VOXEL_MM
    hi = np.ceil(bounds[:, 1::2].max(0)) + 3 * VOXEL_MM
    shape = tuple(int(n) for n in np.ceil((hi - lo) / VOXEL_MM).astype(int) + 1)
    nx, ny, nz = shape
    mu = np.zeros(shape, np.float32)
    sacrum = np.zeros(shape, bool)
    for sid, mesh in meshes.items():
        # Each bone is filled in its own box of the grid: far cheaper than the whole grid.
        b = np.asarray(mesh.bounds, float)
        i0 = np.maximum(np.floor((b[0::2] - lo) / VOXEL_MM).astype(int) - 2, 0)
        i1 = np.minimum(np.ceil((b[1::2] - lo) / VOXEL_MM).astype(int) + 3, [nx, ny, nz])
        box = tuple(slice(a, c) for a, c in zip(i0, i1, strict=True))
        mask = voxelize(mesh, lo + i0 * VOXEL_MM, VOXEL_MM, tuple(int(n) for n in i1 - i0))  # type: ignore[arg-type]
        if sid == "sacrum":
            sacrum[box] = mask
        core = ndimage.binary_erosion(mask, iterations=CORTEX_MM)
        part = np.zeros(mask.shape, np.float32)
        part[mask] = MU_PER_MM["cortex"]
        part[core] = MU_PER_MM["marrow_bone"]
        np.maximum(mu[box], part, out=mu[box])
    return Volume(key, lo, VOXEL_MM, mu, sacrum)


# --- 2. Views and projections ----------------------------------------------------------


@dataclass(frozen=True)
class ViewGeometry:
    """A parallel-beam view: ``beam`` is where the X-rays travel (from the tube to the image
    intensifier); the image's ``right`` and ``up`` are as the operator sees it."""

    name: str
    beam: tuple[float, float, float]
    right: tuple[float, float, float]
    up: tuple[float, float, float]
    centre: tuple[float, float, float] = DEFAULT_CENTRE
    fov_mm: float = FOV_MM
    pixel_mm: float = PIXEL_MM
    right_label: str = "R"
    left_label: str = ""

    @property
    def size(self) -> int:
        return round(self.fov_mm / self.pixel_mm)

    def to_pixels(self, points: Array) -> Array:
        """(col, row) of points in the image (any depth along the beam)."""
        p = np.asarray(points, float).reshape(-1, 3) - np.asarray(self.centre)
        u = p @ np.asarray(self.right)
        v = p @ np.asarray(self.up)
        half = (self.size - 1) / 2.0
        return np.stack([half + u / self.pixel_mm, half - v / self.pixel_mm], -1)

    def ray_origins(self) -> Array:
        """The point of each pixel's ray in the plane through ``centre`` (H, W, 3);
        cached, read-only."""
        return _origins.get_or_make(self, self._ray_origins)

    def _ray_origins(self) -> Array:
        n = self.size
        half = (n - 1) / 2.0
        u = (np.arange(n) - half) * self.pixel_mm
        v = (half - np.arange(n)) * self.pixel_mm
        uu, vv = np.meshgrid(u, v)
        c = np.asarray(self.centre, float)
        out = c + uu[..., None] * np.asarray(self.right) + vv[..., None] * np.asarray(self.up)
        out.flags.writeable = False
        return out


# A view's ray origins take 3.7 MB, a projection 0.3 MB, a bone image 0.8 MB.
_origins: Memo[ViewGeometry, Array] = Memo(max_bytes=64 * MiB)


def _unit(v: Array) -> Array:
    return v / np.linalg.norm(v)


def disc_normal(atlas: Atlas, specimen: Specimen) -> Array:
    """Unit normal of the L5–S1 disc (its thinnest principal axis), pointing up."""
    s = specimen.structures.get("l5_s1_disc")
    if s is None:
        return np.array([0.0, 0.0, 1.0])
    pts = np.asarray(cached_structure_mesh(atlas, s).points, float)
    _, vecs = np.linalg.eigh(np.cov((pts - pts.mean(0)).T))
    n = vecs[:, 0]
    return n * np.sign(n[2])


def view_geometry(
    projection: str,
    side: str = "right",
    *,
    rotation_deg: float = 0.0,
    along_disc: Array | None = None,
    name: str | None = None,
    centre: tuple[float, float, float] = DEFAULT_CENTRE,
    fov_mm: float = FOV_MM,
    pixel_mm: float = PIXEL_MM,
) -> ViewGeometry:
    """A C-arm position for a prone patient (tube below, image intensifier above).

    ``ap``: the beam runs front to back. ``lateral``: side to side, shown with the front to
    the left. ``oblique``: the AP beam with the image intensifier turned ``rotation_deg``
    toward the side opposite ``side``. ``along_disc`` (the L5–S1 disc normal) tilts the
    beam into the plane of the disc. AP and oblique images are shown as seen from behind,
    as the operator stands: the patient's right is on the right of the image.
    """
    sign = SIDE_SIGN[side]
    up0 = np.array([0.0, 0.0, 1.0])
    if projection == "lateral":
        beam = np.array([-1.0, 0.0, 0.0])
    else:
        theta = np.radians(rotation_deg if projection == "oblique" else 0.0)
        beam = np.array([-sign * np.sin(theta), -np.cos(theta), 0.0])
    if along_disc is not None:
        # Tilt head- or footward (keeping the rotation about the long axis) until the beam
        # lies in the plane of the disc: beam = cos(a) h + sin(a) z with beam . n = 0.
        n = _unit(np.asarray(along_disc, float))
        if abs(n[2]) > 1e-6:
            tilt = np.arctan2(-(beam @ n), n[2])
            beam = _unit(np.cos(tilt) * beam + np.sin(tilt) * up0)
    up = _unit(up0 - (up0 @ beam) * beam)
    right = np.cross(-beam, up)
    labels = ("P", "A") if projection == "lateral" else ("R", "L")
    return ViewGeometry(
        name=name or projection,
        beam=tuple(map(float, beam)),  # type: ignore[arg-type]
        right=tuple(map(float, right)),  # type: ignore[arg-type]
        up=tuple(map(float, up)),  # type: ignore[arg-type]
        centre=centre,
        fov_mm=fov_mm,
        pixel_mm=pixel_mm,
        right_label=labels[0],
        left_label=labels[1],
    )


def view_from_data(
    view: FluoroView, side: str, atlas: Atlas, specimen: Specimen, **kwargs: object
) -> ViewGeometry:
    """The geometry of a view of the sacroplasty data, for the treated side."""
    normal = disc_normal(atlas, specimen) if view.parallel_to_l5_s1 else None
    return view_geometry(
        view.projection,
        side,
        rotation_deg=view.rotation_deg,
        along_disc=normal,
        name=view.name,
        **kwargs,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Projection:
    """Line integrals of a volume on a plane across the beam, and how to read it."""

    canvas: F32 = field(repr=False)
    axis: int  # the beam's main axis: slices are taken across it
    others: tuple[int, int]
    pad: tuple[int, int]
    origin: Array
    spacing: float
    beam: Array


_projections: Memo[tuple[str, str, tuple[float, ...]], Projection] = Memo(max_bytes=16 * MiB)


def project(volume: Volume, beam: Sequence[float], which: str = "mu") -> Projection:
    """Shear-warp projection of ``volume.mu`` (or the sacrum mask) along ``beam`` (cached)."""
    b = _unit(np.asarray(beam, float))
    key = (volume.key, which, tuple(np.round(b, 6)))
    data = volume.mu if which == "mu" else volume.sacrum.astype(np.float32)
    return _projections.get_or_make(key, lambda: _shear_warp(data, volume, b))


def _shear_warp(data: F32, volume: Volume, b: Array) -> Projection:
    k = int(np.argmax(np.abs(b)))
    i, j = (a for a in range(3) if a != k)
    slab = np.moveaxis(data, (i, j, k), (0, 1, 2))
    ni, nj, nk = slab.shape
    ri, rj = b[i] / b[k], b[j] / b[k]
    s = np.arange(nk)
    shift_i, shift_j = -ri * s, -rj * s
    pad_i = int(np.ceil(max(0.0, -shift_i.min()))) + 1
    pad_j = int(np.ceil(max(0.0, -shift_j.min()))) + 1
    ci = ni + pad_i + int(np.ceil(max(0.0, shift_i.max()))) + 2
    cj = nj + pad_j + int(np.ceil(max(0.0, shift_j.max()))) + 2
    canvas = np.zeros((ci, cj), np.float32)
    step = volume.spacing / abs(b[k])
    for n in range(nk):
        plane = slab[:, :, n]
        if not plane.any():
            continue
        di, dj = shift_i[n] + pad_i, shift_j[n] + pad_j
        i0, j0 = int(np.floor(di)), int(np.floor(dj))
        fi, fj = di - i0, dj - j0
        for oi, wi in ((0, 1.0 - fi), (1, fi)):
            for oj, wj in ((0, 1.0 - fj), (1, fj)):
                w = wi * wj * step
                if w > 0:
                    canvas[i0 + oi : i0 + oi + ni, j0 + oj : j0 + oj + nj] += w * plane
    return Projection(canvas, k, (i, j), (pad_i, pad_j), volume.origin, volume.spacing, b)


def sample_projection(proj: Projection, view: ViewGeometry) -> F32:
    """The projection read at every pixel of a view (bilinear)."""
    x = view.ray_origins().reshape(-1, 3)
    b = proj.beam
    k = proj.axis
    t = (proj.origin[k] - x[:, k]) / b[k]
    on_plane = x + t[:, None] * b[None, :]
    i, j = proj.others
    coords = np.stack(
        [
            (on_plane[:, i] - proj.origin[i]) / proj.spacing + proj.pad[0],
            (on_plane[:, j] - proj.origin[j]) / proj.spacing + proj.pad[1],
        ]
    )
    out = ndimage.map_coordinates(proj.canvas, coords, order=1, cval=0.0)
    return out.reshape(view.size, view.size).astype(np.float32)


# --- 3. What is not bone: soft tissue, needles, cement --------------------------------


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


# --- 4. The image -----------------------------------------------------------------------


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
