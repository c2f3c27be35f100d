"""Placing what no source models, by stated rules against the real surfaces.

A path is a list of anchors: each gives x and z in the atlas frame (written for the right
side; mirrored for the left) and a *depth rule* that finds y on that AP line from the
surfaces around it — *on the front of bone*, *inside psoas at a fraction of its depth*,
*behind psoas*, *on the front of psoas*. An anchor can also be a fixed point (a nerve's real
end, a vessel's wall). So a nerve said to lie on the ala touches the ala, whatever the body.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyvista as pv

from atlas_build.centerlines import Centerline

Array = np.ndarray
SIGN = {"right": 1.0, "left": -1.0}


class Surfaces:
    """Named surfaces of the atlas frame with queries along the antero-posterior axis.

    Names ending in ``_{side}`` are looked up for the side asked (``psoas_major`` means
    ``psoas_major_right`` on the right)."""

    def __init__(self, meshes: dict[str, pv.PolyData]) -> None:
        self.meshes = meshes

    def named(self, name: str, side: str) -> pv.PolyData:
        return self.meshes[name] if name in self.meshes else self.meshes[f"{name}_{side}"]

    def ys(self, names: Sequence[str], side: str, x: float, z: float) -> Array:
        """y of every crossing of these surfaces by the AP line through (x, z), sorted."""
        ys: list[float] = []
        for name in names:
            pts, _ = self.named(name, side).ray_trace((x, 400.0, z), (x, -400.0, z))
            ys.extend(np.asarray(pts)[:, 1].tolist() if len(pts) else [])
        return np.sort(np.asarray(ys, float))

    def front(self, names: Sequence[str], side: str, x: float, z: float) -> float:
        ys = self.ys(names, side, x, z)
        if not len(ys):
            raise ValueError(f"no surface of {list(names)} at x={x:.1f}, z={z:.1f}")
        return float(ys[-1])

    def span(self, name: str, side: str, x: float, z: float) -> tuple[float, float]:
        """Back and front y of one surface on the AP line through (x, z)."""
        ys = self.ys([name], side, x, z)
        if len(ys) < 2:
            raise ValueError(f"the line x={x:.1f}, z={z:.1f} misses {name}")
        return float(ys[0]), float(ys[-1])

    def section_x(self, name: str, side: str, z: float) -> tuple[float, float]:
        """Smallest and largest |x| of a surface's axial section at z."""
        pts = np.asarray(self.named(name, side).slice(normal="z", origin=(0, 0, z)).points)
        if not len(pts):
            raise ValueError(f"{name} has no section at z={z:.1f}")
        xs = np.abs(pts[:, 0])
        return float(xs.min()), float(xs.max())

    def distance(self, name: str, side: str, points: Array) -> Array:
        """Signed distance of points to a closed surface (negative inside), mm."""
        cloud = pv.PolyData(np.asarray(points, float))
        return np.asarray(
            cloud.compute_implicit_distance(self.named(name, side)).point_data["implicit_distance"]
        )


# A depth rule: (surfaces, x, z, side) → y. x is the side's own (signed) x.
Depth = Callable[[Surfaces, float, float, str], float]

BONES = ("sacrum", "hip_bone", "l5_vertebra", "l4_vertebra", "l5_s1_disc", "l4_l5_disc")


def on_bone(lift: float, bones: Sequence[str] = BONES) -> Depth:
    """Lying on the front of bone (or disc): the most anterior surface plus ``lift``."""

    def rule(s: Surfaces, x: float, z: float, side: str) -> float:
        return s.front(bones, side, x, z) + lift

    return rule


def in_muscle(muscle: str, fraction: float) -> Depth:
    """Inside a muscle, ``fraction`` of the way from its back (0) to its front (1)."""

    def rule(s: Surfaces, x: float, z: float, side: str) -> float:
        back, front = s.span(muscle, side, x, z)
        return back + fraction * (front - back)

    return rule


def on_muscle(muscle: str, lift: float) -> Depth:
    """On the front of a muscle, ``lift`` in front of its surface."""

    def rule(s: Surfaces, x: float, z: float, side: str) -> float:
        return s.span(muscle, side, x, z)[1] + lift

    return rule


def behind_muscle(muscle: str, gap: float) -> Depth:
    """Behind a muscle, ``gap`` behind its back surface."""

    def rule(s: Surfaces, x: float, z: float, side: str) -> float:
        return s.span(muscle, side, x, z)[0] - gap

    return rule


def between(back_rule: Depth, front_rule: Depth, fraction: float) -> Depth:
    """``fraction`` of the way from one rule's y to another's."""

    def rule(s: Surfaces, x: float, z: float, side: str) -> float:
        a, b = back_rule(s, x, z, side), front_rule(s, x, z, side)
        return a + fraction * (b - a)

    return rule


def first_of(*rules: Depth) -> Depth:
    """The first rule whose surfaces are on this line."""

    def rule(s: Surfaces, x: float, z: float, side: str) -> float:
        for r in rules[:-1]:
            try:
                return r(s, x, z, side)
            except ValueError:
                continue
        return rules[-1](s, x, z, side)

    return rule


def at_least(*rules: Depth) -> Depth:
    """The most anterior of several rules' y (in front of every surface they name)."""

    def rule(s: Surfaces, x: float, z: float, side: str) -> float:
        ys = []
        for r in rules:
            try:
                ys.append(r(s, x, z, side))
            except ValueError:
                continue
        return max(ys)

    return rule


def fixed(y: float) -> Depth:
    def rule(s: Surfaces, x: float, z: float, side: str) -> float:
        return y

    return rule


@dataclass(frozen=True)
class Anchor:
    """A control point: |x| and z (mirrored to the side), and a depth rule for y; or a fixed
    point ``at`` (in the side's own coordinates). ``steps`` inserts points between this anchor
    and the next, each placed by this anchor's rule, so a path follows a curved surface."""

    x: float = 0.0
    z: float = 0.0
    depth: Depth | None = None
    steps: int = 0
    at: tuple[float, float, float] | None = None

    @classmethod
    def point(cls, p: Array) -> Anchor:
        return cls(at=(float(p[0]), float(p[1]), float(p[2])))


def place(surfaces: Surfaces, anchors: Sequence[Anchor], side: str) -> Array:
    """The points of a path on one side."""
    sign = SIGN[side]
    out: list[Array] = []
    for a, b in zip(anchors, [*anchors[1:], None], strict=True):
        if a.at is not None:
            out.append(np.asarray(a.at, float))
            continue
        assert a.depth is not None
        n = 1 if b is None else a.steps + 1
        bx, bz = (a.x, a.z) if b is None or b.at is not None else (b.x, b.z)
        if b is not None and b.at is not None:
            bx, bz = abs(b.at[0]), b.at[2]
        for k in range(n):
            t = k / (a.steps + 1) if b is not None else 0.0
            x = a.x + t * (bx - a.x)
            z = a.z + t * (bz - a.z)
            y = a.depth(surfaces, sign * x, z, side)
            out.append(np.array([sign * x, y, z]))
    return np.asarray(out)


def path(points: Array, radius: float | Array) -> Centerline:
    r = np.broadcast_to(np.asarray(radius, float), (len(points),)).copy()
    return Centerline(np.asarray(points, float), r)


def mirror_x(points: Array) -> Array:
    out = np.asarray(points, float).copy()
    out[:, 0] *= -1.0
    return out


def clearance(
    surfaces: Surfaces, name: str, side: str, line: Centerline, step_mm: float = 1.0
) -> tuple[float, Array]:
    """The smallest gap (mm) between a tube and a closed surface (negative: it reaches in),
    and where along the tube it is."""
    from atlas_build.centerlines import dense

    d = dense(line, step_mm)
    gap = surfaces.distance(name, side, d.points) - d.radii
    k = int(np.argmin(gap))
    return float(gap[k]), d.points[k]


def push_forward(
    surfaces: Surfaces,
    line: Centerline,
    names: Sequence[str],
    side: str,
    clearance: float,
    spacing_mm: float = 4.0,
    aspect: float = 1.0,
    flat_normal: Array | None = None,
) -> Centerline:
    """The path with every stretch that comes closer to these surfaces than ``clearance``
    moved straight forward (+y) until it clears them, then resampled about every
    ``spacing_mm``. ``clearance`` counts from the centreline for a round tube, from the wall
    for a flattened one (``aspect`` < 1). A path placed on bone anchor by anchor can cut a
    convex surface between its anchors; this lays it back on top. Its ends stay where they
    are (they join other structures)."""
    from atlas_build.centerlines import dense, resample

    d = dense(line, 1.0)
    pts = d.points.copy()
    for _ in range(6):
        probe = Centerline(pts, d.radii)
        if aspect < 1.0:
            gap = np.min(
                [
                    tube_gaps(surfaces.named(n, side), probe, aspect, flat_normal, 0.0)[0]
                    for n in names
                ],
                axis=0,
            )
        else:
            gap = np.min([surfaces.distance(n, side, pts) for n in names], axis=0)
        deficit = np.clip(clearance - gap, 0.0, None)
        deficit[0] = deficit[-1] = 0.0
        if not (deficit > 0.05).any():
            break
        pts[:, 1] += deficit
    pushed = Centerline(pts, d.radii)
    n = max(3, round(pushed.length() / spacing_mm) + 1)
    return resample(pushed, pushed.length() / max(n - 1, 1), low=n, high=n)


def tube_gaps(
    surface: pv.PolyData,
    line: Centerline,
    aspect: float = 1.0,
    flat_normal: Array | None = None,
    step_mm: float = 1.0,
) -> tuple[Array, Array]:
    """Gap (mm) between a tube's wall and a closed surface at points about every ``step_mm``
    along it (negative: the wall reaches into the surface), and those points. A flattened
    tube (``aspect`` < 1, thinnest along ``flat_normal``) reaches toward the surface only as
    far as its elliptical section does in that direction."""
    from atlas_build.centerlines import dense

    d = dense(line, step_mm) if step_mm > 0 else line
    pts = d.points
    signed = np.asarray(
        pv.PolyData(pts).compute_implicit_distance(surface).point_data["implicit_distance"]
    )
    reach = d.radii.copy()
    if aspect < 1.0 and flat_normal is not None:
        found = surface.find_closest_cell(pts, return_closest_point=True)
        closest = np.asarray(found[1], float)  # type: ignore[index]
        tangent = np.gradient(pts, axis=0)
        tangent /= np.maximum(np.linalg.norm(tangent, axis=1, keepdims=True), 1e-9)
        e1 = (
            np.asarray(flat_normal, float)[None, :]
            - (tangent @ np.asarray(flat_normal, float))[:, None] * tangent
        )
        e1 /= np.maximum(np.linalg.norm(e1, axis=1, keepdims=True), 1e-9)
        e2 = np.cross(tangent, e1)
        u = closest - pts
        u -= (u * tangent).sum(axis=1, keepdims=True) * tangent
        u /= np.maximum(np.linalg.norm(u, axis=1, keepdims=True), 1e-9)
        reach = d.radii * np.sqrt((aspect * (u * e1).sum(1)) ** 2 + ((u * e2).sum(1)) ** 2)
    return signed - reach, pts


def settle(
    surfaces: Surfaces,
    line: Centerline,
    names: Sequence[str],
    side: str,
    clearance: float = 0.2,
    rounds: int = 20,
    fixed_ends: tuple[bool, bool] = (False, False),
) -> tuple[Centerline, float]:
    """The tube moved out of these surfaces: wherever its wall reaches into one, the
    centreline moves along the surface's outward normal at the nearest point by the overlap
    (plus ``clearance``), spread over a few millimetres of the line so it bends rather than
    kinks, round after round until it clears them. Returns the line at its own control
    points and the largest displacement (mm). The sources model each organ separately;
    where a vessel's surface and a bone's or muscle's overlap, the vessel is laid against it.
    """
    from scipy.ndimage import gaussian_filter1d

    from atlas_build.centerlines import dense

    d = dense(line, 1.0)
    start = d.points.copy()
    pts = d.points.copy()
    oriented = {
        n: surfaces.named(n, side).compute_normals(cell_normals=True, point_normals=False)
        for n in names
    }
    for _ in range(rounds):
        move = np.zeros_like(pts)
        for name in names:
            gap = surfaces.distance(name, side, pts) - d.radii
            bad = gap < clearance
            if not bad.any():
                continue
            mesh = oriented[name]
            cells = np.atleast_1d(mesh.find_closest_cell(pts[bad]))
            normal = np.asarray(mesh.cell_data["Normals"])[cells]
            move[bad] += normal * (clearance - gap[bad])[:, None]
        if not np.any(np.linalg.norm(move, axis=1) > 0.05):
            break
        step = gaussian_filter1d(move, 2.0, axis=0, mode="nearest") * 1.5
        if fixed_ends[0]:
            step[0] = 0.0
        if fixed_ends[1]:
            step[-1] = 0.0
        pts = pts + step
    shift = float(np.linalg.norm(pts - start, axis=1).max())
    return moved_line(line, Centerline(pts, d.radii), shift), shift


def ride_over(
    line: Centerline,
    obstacles: Sequence[Centerline],
    clearance: float = 0.3,
    fixed_ends: tuple[bool, bool] = (True, True),
    rounds: int = 12,
    under: bool = False,
    max_mm: float = 15.0,
    spread_mm: float = 6.0,
) -> tuple[Centerline, float]:
    """A tube lifted forward (+y) over other tubes it meets: at each point, by as much as it
    takes for its wall to clear theirs by ``clearance``, spread over a few millimetres so it
    arches rather than kinks. The obstacles stay put: an artery rides over a vein (the right
    common iliac artery over the left common iliac vein), a nerve on psoas over a vessel, a
    vein over a nerve pinned in its foramen. The lift spreads over ``spread_mm`` either side,
    so a vessel arches gently. Returns the line (resampled if it moved) and the
    largest displacement (mm). With ``under`` it passes behind them instead (-y). No point
    moves more than ``max_mm``."""
    from scipy.ndimage import gaussian_filter1d, maximum_filter1d

    from atlas_build.centerlines import dense

    d = dense(line, 1.0)
    pts = d.points.copy()
    start = pts.copy()
    dense_obstacles = [dense(o, 1.0) for o in obstacles]
    for _ in range(rounds):
        lift = np.zeros(len(pts))
        for o in dense_obstacles:
            reach = d.radii[:, None] + o.radii[None, :] + clearance
            dx = pts[:, None, 0] - o.points[None, :, 0]
            dz = pts[:, None, 2] - o.points[None, :, 2]
            dy = (pts[:, None, 1] - o.points[None, :, 1]) * (-1.0 if under else 1.0)
            side2 = dx**2 + dz**2
            need = np.sqrt(np.clip(reach**2 - side2, 0.0, None)) - dy
            # Only where the tubes really meet: a tube well behind another is left alone.
            need = np.where(side2 + dy**2 < reach**2, need, 0.0)
            lift = np.maximum(lift, need.max(axis=1))
        if not (lift > 0.05).any():
            break
        width = max(3, 2 * round(spread_mm) + 1)
        step = gaussian_filter1d(maximum_filter1d(lift, width), spread_mm, mode="nearest")
        if fixed_ends[0]:
            step[:2] = 0.0
        if fixed_ends[1]:
            step[-2:] = 0.0
        total = np.abs(pts[:, 1] - start[:, 1])
        step = np.minimum(step, np.clip(max_mm - total, 0.0, None))
        pts[:, 1] += -step if under else step
    shift = float(np.linalg.norm(pts - start, axis=1).max())
    return moved_line(line, Centerline(pts, d.radii), shift), shift


MOVED_SPACING_MM = 4.0


def moved_line(original: Centerline, moved: Centerline, shift: float) -> Centerline:
    """The original line if it hardly moved, else the moved one resampled every
    :data:`MOVED_SPACING_MM` (a local bend would fall between sparse control points)."""
    from atlas_build.centerlines import resample

    if shift < 0.3:
        return original
    n = max(len(original), round(moved.length() / MOVED_SPACING_MM) + 1)
    return resample(moved, moved.length() / (n - 1), low=n, high=n)


def part(
    line: Centerline,
    obstacles: Sequence[Centerline],
    clearance: float = 0.3,
    fixed_ends: tuple[bool, bool] = (True, False),
    rounds: int = 15,
    max_mm: float = 8.0,
) -> tuple[Centerline, float]:
    """A small tube moved directly away from other tubes it touches (from their nearest
    centreline point), by the shortfall, spread over a few millimetres; no point moves more
    than ``max_mm``. For the authored branches threading between larger structures."""
    from scipy.ndimage import gaussian_filter1d
    from scipy.spatial import cKDTree

    from atlas_build.centerlines import dense

    d = dense(line, 1.0)
    pts = d.points.copy()
    start = pts.copy()
    dense_obstacles = [dense(o, 1.0) for o in obstacles]
    trees = [cKDTree(o.points) for o in dense_obstacles]
    for _ in range(rounds):
        move = np.zeros_like(pts)
        for o, tree in zip(dense_obstacles, trees, strict=True):
            dist, idx = tree.query(pts)
            gap = dist - d.radii - o.radii[idx]
            bad = gap < clearance
            if not bad.any():
                continue
            away = pts[bad] - o.points[idx[bad]]
            away /= np.maximum(np.linalg.norm(away, axis=1, keepdims=True), 1e-9)
            move[bad] += away * (clearance - gap[bad])[:, None]
        if not np.any(np.linalg.norm(move, axis=1) > 0.05):
            break
        step = gaussian_filter1d(move, 2.0, axis=0, mode="nearest") * 1.5
        if fixed_ends[0]:
            step[:2] = 0.0
        if fixed_ends[1]:
            step[-2:] = 0.0
        room = np.clip(max_mm - np.linalg.norm(pts - start, axis=1), 0.0, None)
        size = np.linalg.norm(step, axis=1)
        step *= np.minimum(1.0, room / np.maximum(size, 1e-9))[:, None]
        pts = pts + step
    shift = float(np.linalg.norm(pts - start, axis=1).max())
    return moved_line(line, Centerline(pts, d.radii), shift), shift


def rest_on(
    surfaces: Surfaces,
    line: Centerline,
    muscle: str,
    side: str,
    lift: float,
    below_z: float,
    above_z: float,
) -> tuple[Centerline, float]:
    """The stretch of a tube between two heights laid back onto the front of a muscle where
    it floats in front of it (its centre ``lift`` plus its radius in front of the surface);
    blended over 10 mm at the ends of the stretch. The sources model the nerve and the muscle
    separately; a nerve said to lie on the muscle's front is laid on it."""
    from scipy.ndimage import gaussian_filter1d

    from atlas_build.centerlines import dense

    d = dense(line, 1.0)
    pts = d.points.copy()
    drop = np.zeros(len(pts))
    for i, p in enumerate(pts):
        if not (above_z <= p[2] <= below_z):
            continue
        try:
            _, front = surfaces.span(muscle, side, float(p[0]), float(p[2]))
        except ValueError:
            continue
        target = front + d.radii[i] + lift
        if p[1] > target:
            drop[i] = p[1] - target
    drop = gaussian_filter1d(drop, 4.0, mode="nearest")
    pts[:, 1] -= drop
    shift = float(drop.max()) if len(drop) else 0.0
    return moved_line(line, Centerline(pts, d.radii), shift), shift
