"""Landmarks measured on the full-resolution surfaces in the atlas frame.

Each function measures one kind of point and says how in its docstring; the landmarks step
turns them into records whose descriptions repeat the method, so the atlas says how every
point was found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv
from scipy import ndimage as ndi

from atlas_build.probes import View, depth_map, pits

Array = np.ndarray
SIDE_SIGN = {"right": 1.0, "left": -1.0}


def ray_hits(mesh: pv.PolyData, start: Array, end: Array) -> Array:
    """Intersections of the segment start–end with the surface, nearest to start first."""
    points, _ = mesh.ray_trace(start, end)
    points = np.asarray(points, dtype=float).reshape(-1, 3)
    order = np.argsort(np.linalg.norm(points - np.asarray(start, dtype=float), axis=1))
    return points[order]


@dataclass(frozen=True)
class Body:
    """A vertebral body measured by rays in a parasagittal plane (usually the midline)."""

    x: float
    anterior_y: float
    posterior_y: float
    top_z: float
    bottom_z: float

    @property
    def centre_y(self) -> float:
        return 0.5 * (self.anterior_y + self.posterior_y)

    @property
    def height(self) -> float:
        return self.top_z - self.bottom_z

    @property
    def centre(self) -> Array:
        return np.array([self.x, self.centre_y, 0.5 * (self.top_z + self.bottom_z)])


def ap_walls(mesh: pv.PolyData, x: float, z: float) -> tuple[float, float]:
    """Anterior and posterior walls: the first two hits of a ray from the front."""
    hits = ray_hits(mesh, np.array([x, 500.0, z]), np.array([x, -500.0, z]))
    if len(hits) < 2:
        raise ValueError(f"the AP ray at x={x:.1f}, z={z:.1f} does not cross the body")
    return float(hits[0, 1]), float(hits[1, 1])


def endplates(mesh: pv.PolyData, x: float, y: float, z_inside: float) -> tuple[float, float]:
    """Top and bottom of the body along a vertical ray: the hit pair around ``z_inside``."""
    zs = ray_hits(mesh, np.array([x, y, 1000.0]), np.array([x, y, -1000.0]))[:, 2]
    pairs = [(zs[i], zs[i + 1]) for i in range(0, len(zs) - 1, 2)]
    if not pairs:
        raise ValueError(f"the vertical ray at x={x:.1f}, y={y:.1f} misses the body")
    inside = [p for p in pairs if p[1] <= z_inside <= p[0]]
    top, bottom = (inside or [min(pairs, key=lambda p: abs(0.5 * (p[0] + p[1]) - z_inside))])[0]
    return float(top), float(bottom)


def vertebral_body(vertebra: pv.PolyData, x: float = 0.0) -> Body:
    """Body extent: an AP ray at mid-height finds the walls, a vertical ray through the middle
    of that extent the endplates; three rounds, so the AP ray runs at the body's own
    mid-height (the first guess is the middle of the whole vertebra)."""
    z = 0.5 * (vertebra.bounds[4] + vertebra.bounds[5])
    anterior = posterior = top = bottom = 0.0
    for _ in range(3):
        anterior, posterior = ap_walls(vertebra, x, z)
        top, bottom = endplates(vertebra, x, 0.5 * (anterior + posterior), z)
        z = 0.5 * (top + bottom)
    return Body(x, anterior, posterior, top, bottom)


@dataclass(frozen=True)
class S1Body:
    """The S1 body in the midline as the lateral view shows it: the superior endplate from the
    anterior-superior corner (the promontory's edge) to the posterior-superior corner, and the
    anterior wall from the anterior-superior corner down the front of the sacrum to the
    anterior-inferior corner. The posterior wall (the front of the sacral canal) is taken
    parallel to the anterior one."""

    anterior_superior: Array
    posterior_superior: Array
    anterior_inferior: Array

    @property
    def posterior_inferior(self) -> Array:
        return np.asarray(
            self.posterior_superior + self.anterior_inferior - self.anterior_superior, float
        )

    @property
    def centre(self) -> Array:
        """Where the lines joining opposite corners cross."""
        return np.asarray(0.5 * (self.anterior_superior + self.posterior_inferior), float)


def anterior_profile(
    mesh: pv.PolyData, top_z: float, x: float = 0.0, step_mm: float = 1.0
) -> Array:
    """The front of a bone in the plane at ``x`` from height ``top_z`` down, as rows (x, y, z):
    the first hit of a ray from the front at each height, as long as rays hit."""
    rows = []
    z = top_z
    while True:
        hits = ray_hits(mesh, np.array([x, 500.0, z]), np.array([x, -500.0, z]))
        if not len(hits):
            break
        rows.append(hits[0])
        z -= step_mm
    return np.asarray(rows, float)


def s1_body(sacrum: pv.PolyData, disc: pv.PolyData, height: float, band_mm: float = 3.0) -> S1Body:
    """The S1 body. The source sacrum is solid from front to back (it has no sacral canal to
    bound the body behind) and fused below S1, so the body is found from its superior
    endplate and its anterior wall. The endplate is the part of the L5–S1 disc's surface
    within 1.5 mm of the sacrum, within ``band_mm`` of the midline; its most anterior and most
    posterior points are the superior corners. The anterior-inferior corner lies down the
    front of the sacrum in the midline, one L5 body ``height`` (measured along the surface)
    below the anterior-superior corner."""
    gap = np.abs(np.asarray(disc.compute_implicit_distance(sacrum)["implicit_distance"]))
    pts = np.asarray(disc.points)
    plate = pts[(gap < 1.5) & (np.abs(pts[:, 0]) < band_mm)]
    if len(plate) < 4:
        raise ValueError("the L5–S1 disc does not rest on the sacrum in the midline")
    front = plate[np.argmax(plate[:, 1])] * np.array([0.0, 1.0, 1.0])
    back = plate[np.argmin(plate[:, 1])] * np.array([0.0, 1.0, 1.0])
    profile = anterior_profile(sacrum, float(front[2]) - 0.5)
    profile = profile[np.abs(np.diff(profile[:, 1], prepend=profile[0, 1])) < 10.0]
    arc = np.concatenate(([0.0], np.cumsum(np.linalg.norm(np.diff(profile, axis=0), axis=1))))
    arc += float(np.linalg.norm(profile[0] - front))
    k = int(np.searchsorted(arc, height))
    if k >= len(profile):
        raise ValueError("the front of the sacrum is shorter than one body height")
    return S1Body(front, back, profile[k] * np.array([0.0, 1.0, 1.0]))


def disc_front(disc: pv.PolyData) -> Array:
    """The front of a disc in the midline at its mid-height there: the most anterior disc
    vertex within 2 mm of x = 0 says where; a vertical ray 2 mm behind it gives the disc's top
    and bottom; a ray from the front at their mid-height gives the surface point."""
    pts = np.asarray(disc.points, float)
    near = pts[np.abs(pts[:, 0]) < 2.0]
    front = near[np.argmax(near[:, 1])]
    top, bottom = endplates(disc, 0.0, float(front[1]) - 2.0, float(front[2]))
    z = 0.5 * (top + bottom)
    return ray_hits(disc, np.array([0.0, 500.0, z]), np.array([0.0, -500.0, z]))[0]


def joint_surface(sacrum: pv.PolyData, hip: pv.PolyData, side: str, gap_mm: float = 3.0) -> Array:
    """The sacrum's side of a sacroiliac joint: its vertices within ``gap_mm`` of the hip bone."""
    d = np.abs(
        pv.PolyData(np.asarray(sacrum.points, float))
        .compute_implicit_distance(hip)
        .point_data["implicit_distance"]
    )
    pts = np.asarray(sacrum.points, float)
    return pts[(d < gap_mm) & (SIDE_SIGN[side] * pts[:, 0] > 0)]


def joint_anterior(joint: Array) -> Array:
    """The most anterior point of the joint: the definition the variants of lumbosacral trunk
    formation are stated against (Waikakul 2010: above, on or below it)."""
    return np.asarray(joint[np.argmax(joint[:, 1])], float)


def joint_inferior(joint: Array) -> Array:
    """The inferior margin of the sacroiliac joint: the lowest point of its sacral side, the
    end of the joint's long inferior limb (the long-axis sacroplasty entry is set against
    it)."""
    low = joint[joint[:, 2] <= joint[:, 2].min() + 2.0]
    return np.asarray(low[np.argmin(low[:, 1])], float)


def joint_margin(joint: Array, band_mm: float = 2.0, step_mm: float = 4.0) -> Array:
    """The joint's anterior margin as rows (x, y, z): at each height its most anterior point."""
    rows = []
    for z in np.arange(joint[:, 2].min() + band_mm, joint[:, 2].max(), step_mm):
        band = joint[np.abs(joint[:, 2] - z) < band_mm]
        if len(band) >= 3:
            rows.append(band[np.argmax(band[:, 1])])
    return np.asarray(rows)


def ala_ridge(sacrum: pv.PolyData, x: float, z_range: tuple[float, float] = (-45.0, 35.0)) -> Array:
    """The anterior border of the ala in the parasagittal plane at ``x``: the most anterior
    point of the section there (within ``z_range``). Across x these points are the pelvic brim
    on the sacrum, the ridge between the ala's abdominal and pelvic surfaces."""
    cut = np.asarray(sacrum.slice(normal="x", origin=(x, 0.0, 0.0)).points, float)
    cut = cut[(cut[:, 2] >= z_range[0]) & (cut[:, 2] <= z_range[1])]
    if not len(cut):
        raise ValueError(f"the sacrum has no section at x = {x:.1f}")
    return cut[np.argmax(cut[:, 1])]


FORAMEN_VIEW_TILTS_DEG = (0.0, 20.0, 40.0, 60.0)
"""The pelvic surface of the sacrum turns from facing forward (S1) to facing down (S4): the
foramina are looked for from the front and from below the front at these tilts."""


DORSAL_VIEW_TILTS_DEG = (-20.0, 0.0, 20.0, 40.0)
"""The dorsal foramina, seen from behind and from behind and above or below."""


@dataclass(frozen=True)
class Foramen:
    side: str
    level: int  # 1 = S1
    mouth: Array
    area_mm2: float


def sacral_foramina(sacrum: pv.PolyData, levels: int = 4) -> list[Foramen]:
    """The anterior sacral foramina: pits in the sacrum's pelvic surface, seen from the front
    tilted down by each of :data:`FORAMEN_VIEW_TILTS_DEG`. The same pit seen in several views
    (mouths within 8 mm) is kept once, from the view where it looks largest (most head-on).
    On each side the ``levels`` highest pits 8–35 mm from the midline and below the
    promontory, ordered from the top, are S1, S2, … (nearer the midline is the sacral canal;
    further out and higher are the notches at the sacroiliac joint and on the ala)."""
    seen: list[tuple[Array, float]] = []
    for tilt in FORAMEN_VIEW_TILTS_DEG:
        t = np.radians(tilt)
        view = View.tilted(np.array([0.0, np.cos(t), -np.sin(t)]))
        for pit in pits(depth_map(sacrum, view)):
            same = [i for i, (m, _) in enumerate(seen) if np.linalg.norm(m - pit.mouth) < 8.0]
            if not same:
                seen.append((pit.mouth, pit.area_mm2))
            elif pit.area_mm2 > seen[same[0]][1]:
                seen[same[0]] = (pit.mouth, pit.area_mm2)
    out = []
    for side, sign in SIDE_SIGN.items():
        mine = [(m, a) for m, a in seen if 8.0 < sign * m[0] < 35.0 and m[2] < -5.0]
        mine.sort(key=lambda ma: -ma[0][2])
        for k, (m, a) in enumerate(mine[:levels]):
            out.append(Foramen(side, k + 1, m, a))
    return out


def dorsal_foramina(sacrum: pv.PolyData, anterior: list[Foramen]) -> list[Foramen]:
    """The posterior (dorsal) sacral foramina: pits in the dorsal surface seen from behind,
    tilted by each of :data:`DORSAL_VIEW_TILTS_DEG`, 8–35 mm from the midline. Each anterior
    foramen is paired with the nearest such pit it reaches in a straight line without crossing
    bone (its canal runs through the sacrum to that mouth). The sacrum tilts forward, so a
    level's dorsal mouth lies higher than its anterior one: counting dorsal pits from the top
    would misname them."""
    seen: list[tuple[Array, float]] = []
    for tilt in DORSAL_VIEW_TILTS_DEG:
        t = np.radians(tilt)
        view = View.tilted(np.array([0.0, -np.cos(t), np.sin(t)]))
        for pit in pits(depth_map(sacrum, view)):
            same = [i for i, (m, _) in enumerate(seen) if np.linalg.norm(m - pit.mouth) < 8.0]
            if not same:
                seen.append((pit.mouth, pit.area_mm2))
            elif pit.area_mm2 > seen[same[0]][1]:
                seen[same[0]] = (pit.mouth, pit.area_mm2)
    out = []
    for front in anterior:
        sign = SIDE_SIGN[front.side]
        open_ = [
            (float(np.linalg.norm(m - front.mouth)), m, a)
            for m, a in seen
            if 8.0 < sign * m[0] < 35.0
            and m[1] < front.mouth[1]
            and not len(ray_hits(sacrum, front.mouth, m))
        ]
        if not open_:
            raise ValueError(f"no dorsal mouth for the S{front.level} foramen ({front.side})")
        _, mouth, area = min(open_, key=lambda o: o[0])
        out.append(Foramen(front.side, front.level, mouth, area))
    return out


def obturator_canal(hip: pv.PolyData) -> Array:
    """The obturator canal: the top of the obturator foramen (the largest see-through hole of
    the hip bone seen from the front), halfway between the front and back surfaces of the
    superior pubic ramus that roofs it there."""
    dm = depth_map(hip, View.tilted(np.array([0.0, 1.0, 0.0])), step_mm=1.0)
    labels, n = ndi.label(dm.silhouette & (dm.hits == 0))
    if n == 0:
        raise ValueError("no hole in the hip bone")
    mask = labels == int(np.argmax(np.bincount(labels.ravel())[1:])) + 1
    rows, cols = np.nonzero(mask)
    top = int(rows.max())
    col = float(cols[rows == top].mean())
    rim = np.asarray(ndi.binary_dilation(mask, iterations=3)) & ~mask & (dm.hits > 0)
    rr, cc = np.nonzero(rim)
    nearest = np.argsort((rr - top) ** 2 + (cc - col) ** 2)[:12]
    front = float(np.nanmean(dm.near[rr[nearest], cc[nearest]]))
    back = float(np.nanmean(dm.far[rr[nearest], cc[nearest]]))
    return dm.world(float(top), col, 0.5 * (front + back))
