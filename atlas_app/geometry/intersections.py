"""Which structures of a specimen pass through each other, how deep and over what length.

Two kinds of body take part:

- **tubes** (nerves, vessels, ureters): a centreline densified every 2 mm with a radius at
  each sample. A flattened band (``aspect`` < 1, the lumbosacral trunk) is the union of a
  few round strands across its width: the inscribed circles of its elliptical section.
- **solids** (bones, discs, muscles, parametric shapes): closed surfaces.

Each pair is measured by what it is:

- tube–tube: the closest approach of every segment pair against the sum of the radii;
- tube–solid: the signed distance of the centreline samples to the surface (negative
  inside), minus the radius, evaluated for all samples in one call of VTK's
  ``vtkImplicitPolyDataDistance`` (built once per surface and kept);
- solid–solid: the signed distance of each solid's vertices (those inside the other's
  bounding box) to the other surface, both ways.

A pair *penetrates* where the overlap exceeds :func:`contact_tolerance`: up to 1 mm of
overlap is contact, not passage. One millimetre is the accuracy of the geometry itself —
tubes are drawn as 14-sided polygons (up to 0.25 mm inside the round tube), centrelines
are sampled every 2 mm, the source surfaces are decimated to 1–2 mm edges and the two
sources of the adult body register to each other within about 1 mm — and it is less than
the fat and fascia between a vessel and the bone it lies on. For a thin tube the tolerance
is at most half its radius, so that a nerve cannot lie half inside a bone unnoticed.

Pairs whose bounding boxes are apart are never measured, and every pair's result is kept
by the geometry of both structures: the variants of a specimen change a few structures,
so checking another specimen measures only the pairs those touch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations

import numpy as np
import pyvista as pv
import vtk

from atlas_app.caching import Memo
from atlas_app.geometry.centerline import Array, Curve, segment_pairs, transport_frames
from atlas_app.geometry.measure import evaluate_distance, implicit_distance
from atlas_app.geometry.shapes import centerline_curve
from atlas_app.geometry.specimen_meshes import cached_structure_mesh
from atlas_app.model.atlas import Atlas
from atlas_app.model.geometry_schema import CenterlineGeometry, MeshGeometry
from atlas_app.model.schema import Structure

CONTACT_TOLERANCE_MM = 1.0
"""Overlap up to this depth is contact (see the module's docstring for why)."""
THIN_TUBE_FRACTION = 0.5
"""…and for a tube, never more than this fraction of its own radius."""
_CACHE_SIZE = 50_000


def contact_tolerance(radius: Array | float) -> Array:
    """The overlap ignored at a tube sample of this radius (a solid's: CONTACT_TOLERANCE_MM)."""
    return np.minimum(CONTACT_TOLERANCE_MM, THIN_TUBE_FRACTION * np.asarray(radius, float))


@dataclass(frozen=True)
class Body:
    """One structure as the intersection test sees it: round strands, or a closed surface."""

    id: str
    key: str  # identifies the geometry: equal keys, equal shape
    hull: Curve | None = None  # a tube's centreline with its (widest) radius
    strands: tuple[Curve, ...] = ()  # the round tubes whose union it is
    surface: pv.PolyData | None = None

    @property
    def is_tube(self) -> bool:
        return self.surface is None

    @cached_property
    def bounds(self) -> tuple[Array, Array]:
        """The axis-aligned box around the body (tubes: their radius included)."""
        if self.surface is not None:
            b = np.asarray(self.surface.bounds, float)
            return b[0::2], b[1::2]
        assert self.hull is not None
        c = self.hull
        return (c.points - c.radii[:, None]).min(0), (c.points + c.radii[:, None]).max(0)


@dataclass(frozen=True)
class Penetration:
    """How far one body enters another."""

    depth_mm: float  # the deepest overlap
    length_mm: float  # along the (thinner) tube; for two solids, the extent of the overlap
    point: tuple[float, float, float]  # where it is deepest


@dataclass(frozen=True)
class Intersection:
    """Two structures that pass through each other."""

    a: str
    b: str
    depth_mm: float
    length_mm: float
    point: tuple[float, float, float]

    def describe(self) -> str:
        where = ", ".join(f"{c:.0f}" for c in self.point)
        over = f"{self.length_mm:.0f} mm" if self.length_mm >= 1 else "less than 1 mm"
        return (
            f"'{self.a}' and '{self.b}' pass through each other: {self.depth_mm:.1f} mm deep "
            f"over {over}, deepest at [{where}]"
        )


# --- Bodies -----------------------------------------------------------------------------


def band_strands(curve: Curve, aspect: float, flat_normal: Array | None) -> tuple[Curve, ...]:
    """A tube as round strands: itself when round; a flattened band as the inscribed circles
    of its ellipse, centred along its wide axis (the binormal of the frame that ``tube``
    sweeps the band with). With 2·⌈1.5/aspect⌉ + 1 strands their union falls short of the
    ellipse by at most 4 % of the wide semi-axis (0.2 mm on an 11 mm trunk)."""
    if aspect >= 1.0:
        return (curve,)
    _, _, wide = transport_frames(curve.points, flat_normal)
    # For semi-axes a (wide) and b = aspect·a, the circle centred at c on the major axis and
    # tangent inside the ellipse has radius b·sqrt(1 − c²/(a² − b²)), for |c| ≤ (a² − b²)/a:
    # the ellipse is the union of these circles.
    a = curve.radii
    b = aspect * a
    c_max = (a * a - b * b) / a
    n = 2 * int(np.ceil(1.5 / aspect)) + 1  # odd: one strand on the axis
    strands = []
    for f in np.linspace(-1.0, 1.0, n):
        c = f * c_max
        r = b * np.sqrt(np.clip(1.0 - c * c / (a * a - b * b), 0.0, 1.0))
        strands.append(Curve(points=curve.points + (c[:, None] * wide), radii=r))
    return tuple(strands)


def _key(atlas: Atlas, structure: Structure) -> str:
    """What the shape depends on: the geometry record, the atlas it reads files from, and
    the mesh file's modification time."""
    g = structure.geometry
    parts = [str(atlas.root), g.model_dump_json()]
    if isinstance(g, MeshGeometry):
        with suppress(OSError):  # a missing file: structure_body reports it
            parts.append(str((atlas.root / g.file).stat().st_mtime_ns))
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()


class BodyError(ValueError):
    """A structure whose geometry cannot be built (two control points coincide…)."""

    def __init__(self, structure_id: str, problem: str) -> None:
        super().__init__(f"{structure_id}: {problem}")
        self.structure_id = structure_id
        self.problem = problem


def structure_body(atlas: Atlas, structure: Structure) -> Body:
    """The body of one resolved structure of a specimen. Raises BodyError."""
    g = structure.geometry
    key = _key(atlas, structure)
    try:
        if isinstance(g, CenterlineGeometry):
            normal = None if g.flat_normal is None else np.asarray(g.flat_normal, float)
            curve = centerline_curve(g)
            return Body(structure.id, key, curve, band_strands(curve, g.aspect, normal))
        return Body(structure.id, key, surface=cached_structure_mesh(atlas, structure))
    except (ValueError, OSError) as exc:
        raise BodyError(structure.id, str(exc)) from exc


# --- Signed distance to a closed surface, built once per surface ---------------------------

_implicit: Memo[str, vtk.vtkImplicitPolyDataDistance] = Memo(items=512)


def surface_distance(body: Body, points: Array) -> Array:
    """Signed distance from each point to a solid's closed surface (negative inside), mm:
    one vectorised VTK call for all points, with the surface's locator built once."""
    assert body.surface is not None
    surface = body.surface
    implicit = _implicit.get_or_make(body.key, lambda: implicit_distance(surface))
    return evaluate_distance(implicit, points)


# --- Pairs ------------------------------------------------------------------------------


def _sample_lengths(points: Array) -> Array:
    """The arc length each sample of a polyline stands for (half of each adjacent segment)."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    out = np.zeros(len(points))
    out[:-1] += seg / 2
    out[1:] += seg / 2
    return out


def boxes_meet(a: tuple[Array, Array], b: tuple[Array, Array]) -> bool:
    """Whether two axis-aligned boxes (low corner, high corner) overlap."""
    return bool(np.all(a[0] <= b[1]) and np.all(b[0] <= a[1]))


def _span(curve: Curve, box: tuple[Array, Array]) -> slice | None:
    """The run of a curve's samples (with one more each side) whose tube reaches into a box."""
    lo, hi = box
    r = curve.radii[:, None]
    near = np.nonzero(np.all((curve.points + r >= lo) & (curve.points - r <= hi), axis=1))[0]
    if len(near) == 0:
        return None
    return slice(max(int(near[0]) - 1, 0), min(int(near[-1]) + 2, len(curve.points)))


def _overlaps(a: Curve, b: Curve) -> tuple[Array, Array, Array, Array]:
    """For every segment pair: overlap (sum of radii − distance), the tolerance there, and
    the closest points' parameters s, t on each segment."""
    d, s, t = segment_pairs(a.points, b.points)
    ra = a.radii[:-1, None] * (1 - s) + a.radii[1:, None] * s
    rb = b.radii[None, :-1] * (1 - t) + b.radii[None, 1:] * t
    return ra + rb - d, np.minimum(contact_tolerance(ra), contact_tolerance(rb)), s, t


def tube_tube(a: Body, b: Body) -> Penetration | None:
    """Overlap of two tubes: segment-to-segment distance against the sum of the radii.

    Only the runs of each tube that reach into the other's box are measured, and bands only
    when their enclosing round tubes touch at all."""
    assert a.hull is not None and b.hull is not None
    span_a, span_b = _span(a.hull, b.bounds), _span(b.hull, a.bounds)
    if span_a is None or span_b is None:
        return None
    if len(a.strands) + len(b.strands) > 2:
        hull = _sub(a.hull, span_a), _sub(b.hull, span_b)
        if _overlaps(*hull)[0].max() <= 0:
            return None
    best: tuple[float, Array] | None = None
    hit_a = np.zeros(len(a.hull.points) - 1, dtype=bool)  # segments of a that overlap b
    hit_b = np.zeros(len(b.hull.points) - 1, dtype=bool)
    for sa in (_sub(c, span_a) for c in a.strands):
        for sb in (_sub(c, span_b) for c in b.strands):
            overlap, tolerance, s, t = _overlaps(sa, sb)
            hit = overlap > tolerance
            if not hit.any():
                continue
            hit_a[span_a.start : span_a.start + hit.shape[0]] |= hit.any(axis=1)
            hit_b[span_b.start : span_b.start + hit.shape[1]] |= hit.any(axis=0)
            k, m = np.unravel_index(np.argmax(np.where(hit, overlap, -np.inf)), hit.shape)
            if best is None or overlap[k, m] > best[0]:
                pa = sa.points[k] + s[k, m] * (sa.points[k + 1] - sa.points[k])
                pb = sb.points[m] + t[k, m] * (sb.points[m + 1] - sb.points[m])
                best = (float(overlap[k, m]), (pa + pb) / 2)
    if best is None:
        return None
    # How far the thinner passes through or runs inside the thicker (along the thicker, a
    # thin nerve crossing it would measure only the nerve's own width).
    if np.mean(a.hull.radii) <= np.mean(b.hull.radii):
        length = _segment_lengths(a)[hit_a].sum()
    else:
        length = _segment_lengths(b)[hit_b].sum()
    return Penetration(best[0], float(length), _point(best[1]))


def _sub(curve: Curve, span: slice) -> Curve:
    return Curve(points=curve.points[span], radii=curve.radii[span])


def _segment_lengths(tube: Body) -> Array:
    assert tube.hull is not None
    return np.linalg.norm(np.diff(tube.hull.points, axis=0), axis=1)


def tube_solid(tube: Body, solid: Body) -> Penetration | None:
    """Overlap of a tube with a solid: how far each centreline sample lies within its own
    radius of the surface (or inside it)."""
    lo, hi = solid.bounds
    deepest: tuple[float, Array] | None = None
    inside_any = np.zeros(len(tube.strands[0].points), dtype=bool)
    for strand in tube.strands:
        near = np.all(
            (strand.points + strand.radii[:, None] >= lo)
            & (strand.points - strand.radii[:, None] <= hi),
            axis=1,
        )
        if not near.any():
            continue
        overlap = np.full(len(strand.points), -np.inf)
        overlap[near] = strand.radii[near] - surface_distance(solid, strand.points[near])
        hit = overlap > contact_tolerance(strand.radii)
        if not hit.any():
            continue
        inside_any |= hit
        i = int(np.argmax(np.where(hit, overlap, -np.inf)))
        if deepest is None or overlap[i] > deepest[0]:
            deepest = (float(overlap[i]), strand.points[i])
    if deepest is None:
        return None
    length = float(_sample_lengths(tube.strands[0].points)[inside_any].sum())
    return Penetration(deepest[0], length, _point(deepest[1]))


def _vertices_inside(a: Body, b: Body) -> tuple[Array, Array]:
    """Vertices of ``a`` inside ``b`` beyond the tolerance, and how deep each is."""
    assert a.surface is not None
    pts = np.asarray(a.surface.points, float)
    lo, hi = b.bounds
    pts = pts[np.all((pts >= lo) & (pts <= hi), axis=1)]
    depth = -surface_distance(b, pts)
    keep = depth > CONTACT_TOLERANCE_MM
    return pts[keep], depth[keep]


def solid_solid(a: Body, b: Body) -> Penetration | None:
    """Overlap of two solids: the vertices of each inside the other."""
    pa, da = _vertices_inside(a, b)
    pb, db = _vertices_inside(b, a)
    pts, depth = np.vstack([pa, pb]), np.concatenate([da, db])
    if len(depth) == 0:
        return None
    extent = float((pts.max(0) - pts.min(0)).max())
    i = int(np.argmax(depth))
    return Penetration(float(depth[i]), extent, _point(pts[i]))


def _point(p: Array) -> tuple[float, float, float]:
    return (float(p[0]), float(p[1]), float(p[2]))


def penetration(a: Body, b: Body) -> Penetration | None:
    """How far two bodies pass through each other, or None when they are apart or only touch."""
    if not boxes_meet(a.bounds, b.bounds):
        return None
    if a.is_tube and b.is_tube:
        return tube_tube(a, b)
    if a.is_tube:
        return tube_solid(a, b)
    if b.is_tube:
        return tube_solid(b, a)
    return solid_solid(a, b)


_pairs: Memo[tuple[str, str], Penetration | None] = Memo(items=_CACHE_SIZE)


def _cached_penetration(a: Body, b: Body) -> Penetration | None:
    return _pairs.get_or_make((a.key, b.key), lambda: penetration(a, b))


def find_intersections(
    bodies: Mapping[str, Body], only: Iterable[str] | None = None
) -> list[Intersection]:
    """Every pair of bodies that pass through each other, sorted by the pair's ids.

    With ``only``, just the pairs that include one of those ids (the structures a variant
    changed). Results are cached by the two geometries, so repeated specimens are cheap.
    Not thread-safe: validation runs it in one thread.
    """
    ids = sorted(bodies)
    wanted = None if only is None else set(only)
    found = []
    for x, y in combinations(ids, 2):
        if wanted is not None and x not in wanted and y not in wanted:
            continue
        p = _cached_penetration(bodies[x], bodies[y])
        if p is not None:
            found.append(Intersection(x, y, p.depth_mm, p.length_mm, p.point))
    return found
