"""Centerlines with radii, fitted to tubular surfaces, and the operations that join them.

Two kinds of tube meet the build:

- **Vessels and ureters** (BodyParts3D) are closed surfaces of varying calibre. They are sliced
  by planes perpendicular to a running axis, marching from the middle of the tube toward both
  ends: each section's centroid is a centreline point and sqrt(area / pi) its radius.
- **Nerves** (Z-Anatomy) are open swept tubes: rings of vertices, one per step of the sweep.
  The ring of each vertex is its number of mesh edges from one open end (a breadth-first
  walk), so the rings are recovered whatever order the vertices are stored in; the mean of a
  ring is a centreline point and its mean distance to the ring the radius.

Branches are joined where their axes meet the parent's axis; dense lines are smoothed along
their arc length and resampled to a few control points, the ends staying where they are.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import pyvista as pv
from scipy.ndimage import gaussian_filter1d, median_filter

Array = np.ndarray
MARCH_STEP_MM = 1.5
VESSEL_AREA_RANGE = (0.4, 2.0)
"""A vessel's section stays within these factors of its recent median until it reaches an
end or a junction."""


@dataclass
class Centerline:
    """Points (n, 3) along a tube and a radius at each."""

    points: Array
    radii: Array

    def __post_init__(self) -> None:
        self.points = np.asarray(self.points, dtype=float).reshape(-1, 3)
        self.radii = np.asarray(self.radii, dtype=float).reshape(-1)
        if len(self.points) != len(self.radii):
            raise ValueError(f"{len(self.points)} points but {len(self.radii)} radii")

    def __len__(self) -> int:
        return len(self.points)

    def arc(self) -> Array:
        """Cumulative length at each point, from 0."""
        seg = np.linalg.norm(np.diff(self.points, axis=0), axis=1)
        return np.concatenate([[0.0], np.cumsum(seg)])

    def length(self) -> float:
        return float(self.arc()[-1])

    def reversed(self) -> Centerline:
        return Centerline(self.points[::-1].copy(), self.radii[::-1].copy())

    def at(self, distance: float) -> tuple[Array, float]:
        """The point and radius ``distance`` mm along the line (clamped to its ends)."""
        s = self.arc()
        d = float(np.clip(distance, 0.0, s[-1]))
        p = np.array([np.interp(d, s, self.points[:, k]) for k in range(3)])
        return p, float(np.interp(d, s, self.radii))

    def concat(self, other: Centerline) -> Centerline:
        """This line followed by another (a shared joining point is kept once)."""
        skip = 1 if np.allclose(self.points[-1], other.points[0], atol=1e-6) else 0
        return Centerline(
            np.vstack([self.points, other.points[skip:]]),
            np.concatenate([self.radii, other.radii[skip:]]),
        )


def unit(v: Array) -> Array:
    return np.asarray(v, float) / float(np.linalg.norm(v))


# --------------------------------------------------------------------------------------
# Nerves: rings of an open swept tube
# --------------------------------------------------------------------------------------


def connected_pieces(mesh: pv.PolyData) -> list[pv.PolyData]:
    """The connected pieces of a surface, each cleaned, in VTK's region order."""
    labelled = mesh.connectivity("all")
    region = np.asarray(labelled.cell_data["RegionId"])
    out = []
    for rid in range(int(region.max()) + 1 if len(region) else 0):
        piece = labelled.extract_cells(region == rid)
        surface = piece.extract_surface(algorithm="dataset_surface").clean()
        surface.clear_data()
        out.append(surface)
    return out


def boundary_loops(faces: Array) -> list[set[int]]:
    """The vertex sets of the open boundary loops of a triangle mesh."""
    edges = np.sort(np.vstack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    unique, count = np.unique(edges, axis=0, return_counts=True)
    boundary = unique[count == 1]
    parent: dict[int, int] = {}

    def find(v: int) -> int:
        parent.setdefault(v, v)
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for a, b in boundary.tolist():
        parent[find(a)] = find(b)
    loops: dict[int, set[int]] = {}
    for a, b in boundary.tolist():
        loops.setdefault(find(a), set()).update((a, b))
    return [loops[k] for k in sorted(loops)]


def tube_rings(piece: pv.PolyData) -> Centerline:
    """The centreline of one open swept tube (exactly two boundary loops), from its higher end.

    Each vertex's ring is its edge distance from the start loop; ring means are the points,
    mean distances to them the radii.
    """
    faces = np.asarray(piece.faces).reshape(-1, 4)[:, 1:]
    loops = boundary_loops(faces)
    if len(loops) != 2:
        raise ValueError(f"a swept tube has two open ends; this piece has {len(loops)}")
    pts = np.asarray(piece.points, float)
    start = max(loops, key=lambda loop: float(pts[sorted(loop), 2].mean()))
    neighbours: list[list[int]] = [[] for _ in range(len(pts))]
    for a, b in np.vstack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]).tolist():
        neighbours[a].append(b)
        neighbours[b].append(a)
    ring = np.full(len(pts), -1)
    queue = deque(sorted(start))
    for v in queue:
        ring[v] = 0
    while queue:
        u = queue.popleft()
        for v in neighbours[u]:
            if ring[v] < 0:
                ring[v] = ring[u] + 1
                queue.append(v)
    centres, radii = [], []
    for k in range(int(ring.max()) + 1):
        members = pts[ring == k]
        c = members.mean(axis=0)
        centres.append(c)
        radii.append(float(np.linalg.norm(members - c, axis=1).mean()))
    return Centerline(np.asarray(centres), np.asarray(radii))


# --------------------------------------------------------------------------------------
# Vessels: sections of a closed tube
# --------------------------------------------------------------------------------------


def plane_basis(normal: Array) -> tuple[Array, Array]:
    helper = np.array([1.0, 0.0, 0.0]) if abs(normal[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = unit(np.cross(normal, helper))
    return u, np.cross(normal, u)


@dataclass(frozen=True)
class Section:
    centroid: Array
    area: float

    @property
    def radius(self) -> float:
        return float(np.sqrt(self.area / np.pi))


def sections(surface: pv.PolyData, origin: Array, normal: Array) -> list[Section]:
    """The closed cross-sections of a surface by a plane: centroid and area of each loop."""
    cut = surface.slice(normal=normal, origin=origin)
    if cut.n_points == 0:
        return []
    strips = cut.strip(join=True)
    u, v = plane_basis(np.asarray(normal, float))
    lines = np.asarray(strips.lines)
    found = []
    i = 0
    while i < len(lines):
        n = int(lines[i])
        ids = lines[i + 1 : i + 1 + n]
        i += n + 1
        if len(ids) > 1 and ids[0] == ids[-1]:
            ids = ids[:-1]
        if len(ids) < 3:
            continue
        rel = np.asarray(strips.points, float)[ids] - origin
        x, y = rel @ u, rel @ v
        cross = x * np.roll(y, -1) - np.roll(x, -1) * y
        area = 0.5 * cross.sum()
        if abs(area) < 1e-6:
            continue
        cx = ((x + np.roll(x, -1)) * cross).sum() / (6 * area)
        cy = ((y + np.roll(y, -1)) * cross).sum() / (6 * area)
        found.append(Section(origin + cx * u + cy * v, float(abs(area))))
    return found


def nearest_section(
    surface: pv.PolyData, origin: Array, normal: Array, reach: float
) -> Section | None:
    """The cross-section whose centroid is nearest the origin, if within reach of it."""
    candidates = sections(surface, origin, normal)
    if not candidates:
        return None
    best = min(candidates, key=lambda s: float(np.linalg.norm(s.centroid - origin)))
    if np.linalg.norm(best.centroid - origin) > reach + best.radius:
        return None
    return best


def march(
    surface: pv.PolyData, start: Section, direction: Array, area_range: tuple[float, float]
) -> list[Section]:
    """Follow a tube from a section in one direction until it ends or changes character.

    Each step slices one step ahead perpendicular to the current axis, then re-slices at the
    new centroid with the direction updated from the move. Stops when no section is near, or
    when the area drops (an end cap) or jumps (a junction) out of ``area_range`` times the
    recent median.
    """
    found: list[Section] = []
    current, d = start, unit(direction)
    for _ in range(1000):
        ahead = nearest_section(surface, current.centroid + MARCH_STEP_MM * d, d, MARCH_STEP_MM)
        if ahead is None:
            break
        d = unit(d + unit(ahead.centroid - current.centroid))
        refined = nearest_section(surface, ahead.centroid, d, MARCH_STEP_MM) or ahead
        recent = float(np.median([s.area for s in [start, *found][-6:]]))
        if not area_range[0] * recent <= refined.area <= area_range[1] * recent:
            break
        if np.dot(refined.centroid - current.centroid, d) <= 0.2 * MARCH_STEP_MM:
            break
        found.append(refined)
        current = refined
    return found


def trace_tube(
    surface: pv.PolyData, area_range: tuple[float, float] = VESSEL_AREA_RANGE
) -> Centerline:
    """Centroids and equivalent radii along a closed tube, end to end (ends unordered).

    Starts at the section through the middle of the surface's principal axis and marches
    both ways.
    """
    points = np.asarray(surface.points, float)
    centre = points.mean(axis=0)
    _, _, vt = np.linalg.svd(points - centre, full_matrices=False)
    axis = vt[0]
    start = nearest_section(surface, centre, axis, 50.0)
    if start is None:
        raise ValueError("no cross-section through the middle of the tube")
    forward = march(surface, start, axis, area_range)
    backward = march(surface, start, -axis, area_range)
    chain = [*reversed(backward), start, *forward]
    return Centerline(np.array([s.centroid for s in chain]), np.array([s.radius for s in chain]))


def hold_end_radii(line: Centerline) -> Centerline:
    """Hold the radius constant over the last local radius at each end of a traced tube:
    sections that close to an end cut its rounded cap and read small."""
    s = line.arc()
    r = line.radii.copy()
    first = int(np.argmax(s >= r))
    r[:first] = r[first]
    from_end = s[-1] - s
    last = len(r) - 1 - int(np.argmax((from_end >= r)[::-1]))
    r[last + 1 :] = r[last]
    return Centerline(line.points, r)


def orient(line: Centerline, start_near: Array | None = None) -> Centerline:
    """The line starting at its top end, or at the end nearest ``start_near``."""
    if start_near is None:
        return line if line.points[0, 2] >= line.points[-1, 2] else line.reversed()
    d0 = np.linalg.norm(line.points[0] - start_near)
    d1 = np.linalg.norm(line.points[-1] - start_near)
    return line if d0 <= d1 else line.reversed()


def cut_z(line: Centerline, z_max: float | None = None, z_min: float | None = None) -> Centerline:
    """The part of a line between two heights, ending exactly on the planes it crosses."""
    pts, r = line.points, line.radii
    keep_pts, keep_r = [], []
    for i in range(len(pts)):
        inside = (z_max is None or pts[i, 2] <= z_max) and (z_min is None or pts[i, 2] >= z_min)
        if i > 0:
            for plane in (z_max, z_min):
                if plane is None:
                    continue
                a, b = pts[i - 1, 2] - plane, pts[i, 2] - plane
                if a * b < 0:
                    t = a / (a - b)
                    keep_pts.append(pts[i - 1] + t * (pts[i] - pts[i - 1]))
                    keep_r.append(r[i - 1] + t * (r[i] - r[i - 1]))
        if inside:
            keep_pts.append(pts[i])
            keep_r.append(r[i])
    if len(keep_pts) < 2:
        raise ValueError("the cut leaves less than two points")
    return Centerline(np.asarray(keep_pts), np.asarray(keep_r))


def cut_at(line: Centerline, distance: float, keep: str) -> Centerline:
    """The part before (``keep='start'``) or after (``'end'``) a distance along the line."""
    s = line.arc()
    p, r = line.at(distance)
    if keep == "start":
        mask = s < distance
        return Centerline(
            np.vstack([line.points[mask], p]), np.concatenate([line.radii[mask], [r]])
        )
    mask = s > distance
    return Centerline(np.vstack([p, line.points[mask]]), np.concatenate([[r], line.radii[mask]]))


def nearest_distance(line: Centerline, point: Array) -> float:
    """The distance along the line of its point nearest ``point`` (on the polyline)."""
    pts, s = line.points, line.arc()
    a, b = pts[:-1], pts[1:]
    ab = b - a
    t = np.clip(((point - a) * ab).sum(axis=1) / np.maximum((ab * ab).sum(axis=1), 1e-12), 0, 1)
    closest = a + t[:, None] * ab
    k = int(np.argmin(np.linalg.norm(closest - point, axis=1)))
    return float(s[k] + t[k] * (s[k + 1] - s[k]))


# --------------------------------------------------------------------------------------
# Junctions
# --------------------------------------------------------------------------------------


def end_axis(line: Centerline, at_start: bool, span: float = 15.0) -> tuple[Array, Array]:
    """A straight line fitted to one end of a centreline: a point on it and its direction,
    pointing distally (away from the start for a branch, toward the end for a parent)."""
    pts = line.points if at_start else line.points[::-1]
    seg = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
    near = pts[seg <= max(span, seg[min(3, len(seg) - 1)])]
    centre = near.mean(axis=0)
    _, _, vt = np.linalg.svd(near - centre, full_matrices=False)
    d = vt[0]
    if np.dot(d, near[-1] - near[0]) < 0:
        d = -d
    return (centre, d) if at_start else (centre, -d)


def junction_on_axis(parent: Centerline, branches: list[Centerline]) -> Array:
    """Where the branches' axes meet the parent's axis (least squares along the parent's axis,
    limited to 20 mm behind and 25 mm beyond the parent's last point)."""
    p0, d = end_axis(parent, at_start=False)
    num = den = 0.0
    for branch in branches:
        a, u = end_axis(branch, at_start=True)
        proj = np.eye(3) - np.outer(u, u)
        pd, pw = proj @ d, proj @ (p0 - a)
        num += float(pd @ pw)
        den += float(pd @ pd)
    s = -num / den
    s_end = float(np.dot(parent.points[-1] - p0, d))
    s = float(np.clip(s, s_end - 20.0, s_end + 25.0))
    return np.asarray(p0 + s * d)


def end_parent_at(parent: Centerline, joint: Array) -> Centerline:
    """The parent up to the junction: points at or beyond it (along its end axis) dropped."""
    _, d = end_axis(parent, at_start=False)
    along = (parent.points - joint) @ d
    keep = along < -0.5 * MARCH_STEP_MM
    radius = float(np.interp(0.0, along, parent.radii))  # along grows toward the parent's end
    return Centerline(
        np.vstack([parent.points[keep], joint]), np.concatenate([parent.radii[keep], [radius]])
    )


def start_branch_at(branch: Centerline, joint: Array, radius: float) -> Centerline:
    """The branch from the junction: its points behind the junction dropped, the junction first."""
    _, u = end_axis(branch, at_start=True)
    keep = (branch.points - joint) @ u > 0.5 * MARCH_STEP_MM
    return Centerline(
        np.vstack([joint, branch.points[keep]]), np.concatenate([[radius], branch.radii[keep]])
    )


# --------------------------------------------------------------------------------------
# Smoothing and resampling
# --------------------------------------------------------------------------------------


def dense(line: Centerline, step_mm: float = 1.0) -> Centerline:
    """The line resampled about every ``step_mm`` along its length."""
    s = line.arc()
    grid = np.linspace(0.0, s[-1], max(int(np.ceil(s[-1] / step_mm)) + 1, 4))
    pts = np.column_stack([np.interp(grid, s, line.points[:, k]) for k in range(3)])
    return Centerline(pts, np.interp(grid, s, line.radii))


def smooth(line: Centerline, sigma_mm: float = 3.0, keep_first_radius: bool = False) -> Centerline:
    """Gaussian smoothing along the arc length (points and radii), the ends held in place.

    With ``keep_first_radius`` the first radius stays as given (at a junction it is the
    parent's)."""
    d = dense(line)
    step = float(d.arc()[1])
    pts = gaussian_filter1d(d.points, sigma_mm / step, axis=0, mode="nearest")
    t = (d.arc() / d.arc()[-1])[:, None]
    pts += (1 - t) * (d.points[0] - pts[0]) + t * (d.points[-1] - pts[-1])
    skip = 1 if keep_first_radius else 0
    r = gaussian_filter1d(
        median_filter(d.radii[skip:], size=7, mode="nearest"), sigma_mm / step, mode="nearest"
    )
    return Centerline(pts, np.concatenate([d.radii[:skip], r]))


def resample(line: Centerline, spacing_mm: float = 8.0, low: int = 8, high: int = 20) -> Centerline:
    """About one control point per ``spacing_mm``, between ``low`` and ``high`` points, evenly
    along the arc length (the ends kept)."""
    s = line.arc()
    n = int(np.clip(round(s[-1] / spacing_mm) + 1, low, high))
    targets = np.linspace(0.0, s[-1], n)
    pts = np.column_stack([np.interp(targets, s, line.points[:, k]) for k in range(3)])
    return Centerline(pts, np.interp(targets, s, line.radii))


def max_bend_deg(points: Array) -> float:
    """The largest angle between consecutive segments of a polyline (degrees)."""
    seg = np.diff(np.asarray(points, float), axis=0)
    seg = seg[np.linalg.norm(seg, axis=1) > 1e-9]
    if len(seg) < 2:
        return 0.0
    u = seg / np.linalg.norm(seg, axis=1, keepdims=True)
    cos = np.clip((u[:-1] * u[1:]).sum(axis=1), -1.0, 1.0)
    return float(np.degrees(np.arccos(cos)).max())


def falloff_weights(distance: np.ndarray, reach: float) -> np.ndarray:
    """1 at distance 0, easing to 0 at ``reach`` with zero slope at both ends (no kinks)."""
    t = np.clip(distance / reach, 0.0, 1.0)
    return np.asarray(0.5 * (1.0 + np.cos(np.pi * t)))


def warp_centerline(points: np.ndarray, end: str, by: np.ndarray, reach: float) -> np.ndarray:
    """Move one end of a polyline by ``by``; the rest follows, fading over ``reach`` mm of its
    length (the build's junction move; the app's variants warp a field around the junction)."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    from_end = s if end == "start" else s[-1] - s
    return np.asarray(points + falloff_weights(from_end, reach)[:, None] * by[None, :])


def bend_degrees(points: np.ndarray) -> np.ndarray:
    """The angle between consecutive segments at each interior control point (degrees)."""
    d = np.diff(points, axis=0)
    d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
    return np.degrees(np.arccos(np.clip((d[:-1] * d[1:]).sum(axis=1), -1.0, 1.0)))


def turn_radii(points: np.ndarray) -> np.ndarray:
    """Radius of the circle through each three consecutive control points (mm)."""
    a, b, c = points[:-2], points[1:-1], points[2:]
    ab, bc, ac = (np.linalg.norm(x, axis=1) for x in (b - a, c - b, c - a))
    twice_area = np.linalg.norm(np.cross(b - a, c - b), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(twice_area > 1e-9, ab * bc * ac / (2.0 * twice_area), np.inf)


FAIR_MAX_BEND_DEG = 20.0
FAIR_MIN_TURN = 3.0
"""A fair tube turns by at most this much at a control point and bends no tighter than this
many times its own radius."""


def fair(line: Centerline, rounds: int = 800) -> Centerline:
    """The tube with its kinks eased: each interior control point that turns too sharply
    (more than :data:`FAIR_MAX_BEND_DEG`, or on a circle tighter than
    :data:`FAIR_MIN_TURN` times the radius there) is drawn a quarter of the way toward the
    midpoint of its neighbours, round after round, the two ends held (they are joins). The
    moves that make room for other structures happen before; easing a kink moves a point by
    a few millimetres at most."""
    pts = line.points.copy()
    if len(pts) < 3:
        return line
    for _ in range(rounds):
        bends = bend_degrees(pts)
        tight = turn_radii(pts) < FAIR_MIN_TURN * line.radii[1:-1]
        bad = np.nonzero((bends > FAIR_MAX_BEND_DEG) | tight)[0] + 1
        if not len(bad):
            break
        mid = 0.5 * (pts[bad - 1] + pts[bad + 1])
        pts[bad] += 0.25 * (mid - pts[bad])
    return Centerline(pts, line.radii.copy())
