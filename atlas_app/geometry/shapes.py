"""Surface meshes from the model's geometry records: tubes, parametric shapes, mesh files.

Every builder returns a closed, triangulated ``pyvista.PolyData`` in the atlas frame (mm).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyvista as pv

from atlas_app.caching import memoize
from atlas_app.geometry.centerline import Array, Curve, densify, transport_frames
from atlas_app.geometry.deform import DeformedGeometry, deform_surface
from atlas_app.geometry.mesh_files import MeshFileError, read_mesh_file
from atlas_app.model.checks.mesh_files import mesh_file_path
from atlas_app.model.geometry_schema import CenterlineGeometry, MeshGeometry, ParametricGeometry
from atlas_app.model.schema import Structure

TUBE_SIDES = 14
BLOB_VOXEL_MM = 0.8
BLOB_SHARPNESS = 0.6  # 1/mm: how tightly the union of spheres hugs the spheres


def _faces(tris: np.ndarray) -> np.ndarray:
    """Triangles (n, 3) → VTK's flat face array."""
    return np.hstack([np.full((len(tris), 1), 3), tris]).astype(np.int64).ravel()


def sweep(
    path: Array, profile: Array, normal_hint: Array | None = None, caps: bool = True
) -> pv.PolyData:
    """Sweep a closed 2-D profile (per path point: (n_path, n_sides, 2) or one shared
    (n_sides, 2)) along a path, capping both ends unless ``caps`` is off. The profile's u
    axis follows the frame normal, its v axis the binormal."""
    _, nrm, bin_ = transport_frames(path, normal_hint)
    prof = np.broadcast_to(profile, (len(path), *np.shape(profile)[-2:]))
    ring = path[:, None, :] + prof[..., 0:1] * nrm[:, None, :] + prof[..., 1:2] * bin_[:, None, :]
    n_path, n_sides = ring.shape[:2]
    verts = np.vstack([ring.reshape(-1, 3), path[0], path[-1]])
    i = np.arange(n_path - 1)[:, None]
    j = np.arange(n_sides)[None, :]
    a = i * n_sides + j
    b = i * n_sides + (j + 1) % n_sides
    c = a + n_sides
    d = b + n_sides
    side = np.concatenate(
        [np.stack([a, b, d], -1).reshape(-1, 3), np.stack([a, d, c], -1).reshape(-1, 3)]
    )
    start, end = len(verts) - 2, len(verts) - 1
    jj = np.arange(n_sides)
    cap0 = np.stack([np.full(n_sides, start), (jj + 1) % n_sides, jj], -1)
    last = (n_path - 1) * n_sides
    cap1 = np.stack([np.full(n_sides, end), last + jj, last + (jj + 1) % n_sides], -1)
    if not caps:
        return pv.PolyData(ring.reshape(-1, 3), _faces(side))
    mesh = pv.PolyData(verts, _faces(np.vstack([side, cap0, cap1])))
    return _outward(mesh)


def signed_volume(mesh: pv.PolyData) -> float:
    """Volume by the divergence theorem: negative when the faces wind inward.
    (``PolyData.volume`` is always positive, so it cannot tell.)"""
    tri = mesh.triangulate()
    f = np.asarray(tri.faces).reshape(-1, 4)[:, 1:]
    p = np.asarray(tri.points)
    return float(np.einsum("ij,ij->i", p[f[:, 0]], np.cross(p[f[:, 1]], p[f[:, 2]])).sum() / 6)


def _outward(mesh: pv.PolyData) -> pv.PolyData:
    """Flip the winding if the surface's normals point inward."""
    if signed_volume(mesh) < 0:
        mesh = mesh.flip_faces()
    return mesh


def tube(
    curve: Curve, aspect: float = 1.0, flat_normal: Array | None = None, sides: int = TUBE_SIDES
) -> pv.PolyData:
    """A closed tube (elliptical when ``aspect`` < 1, thinnest along ``flat_normal``)."""
    theta = np.linspace(0.0, 2 * np.pi, sides, endpoint=False)
    # u follows the frame normal (= flat_normal when given): the thin direction.
    unit = np.stack([aspect * np.cos(theta), np.sin(theta)], -1)
    profile = curve.radii[:, None, None] * unit[None, :, :]
    hint = None if flat_normal is None else np.asarray(flat_normal, float)
    return sweep(curve.points, profile, hint)


def centerline_curve(geometry: CenterlineGeometry) -> Curve:
    """The smooth curve of a centerline record (cached: metrics ask for it often)."""
    return _curve(geometry.model_dump_json())


@memoize(items=4096)
def _curve(geometry_json: str) -> Curve:
    g = CenterlineGeometry.model_validate_json(geometry_json)
    return densify(np.asarray(g.points, float), np.asarray(g.radii(), float))


def _placed(mesh: pv.PolyData, g: ParametricGeometry) -> pv.PolyData:
    m = np.eye(4)
    if g.axes is not None:
        axes = np.asarray(g.axes, float)
        m[:3, :3] = (axes / np.linalg.norm(axes, axis=1, keepdims=True)).T
    m[:3, 3] = np.asarray(g.center, float)
    return mesh.transform(m, inplace=False)


def ellipsoid(g: ParametricGeometry) -> pv.PolyData:
    assert g.size is not None
    sphere = pv.Sphere(radius=0.5, theta_resolution=28, phi_resolution=18)
    return _placed(sphere.scale(g.size, inplace=False), g)


def box(g: ParametricGeometry) -> pv.PolyData:
    assert g.size is not None
    sx, sy, sz = (s / 2 for s in g.size)
    cube = pv.Box(bounds=(-sx, sx, -sy, sy, -sz, sz), level=2).triangulate()
    return _placed(cube, g)


def sheet(g: ParametricGeometry) -> pv.PolyData:
    """A plate whose axial outline is ``points`` (x, y), spanning ``z_range``."""
    assert g.points is not None and g.z_range is not None and g.thickness is not None
    outline = np.asarray(g.points, float).copy()
    z0, z1 = g.z_range
    outline[:, 2] = 0.5 * (z0 + z1)
    curve = densify(outline, np.ones(len(outline)))
    # With a vertical hint the frame normal is vertical (the profile's u: height) and the
    # binormal lies across the sheet in the axial plane (the profile's v: thickness).
    h, t = (z1 - z0) / 2, g.thickness / 2
    rect = np.array([[-h, -t], [h, -t], [h, t], [-h, t]])
    return sweep(curve.points, rect, np.array([0.0, 0.0, 1.0]))


def blob(g: ParametricGeometry) -> pv.PolyData:
    """The smooth union of spheres (a cement mass with its stalk, a fracture cleft)."""
    assert g.points is not None and g.radii is not None
    centers = np.asarray(g.points, float)
    radii = np.asarray(g.radii, float)
    margin = radii.max() + 3 * BLOB_VOXEL_MM
    lo = centers.min(0) - margin
    hi = centers.max(0) + margin
    dims = np.ceil((hi - lo) / BLOB_VOXEL_MM).astype(int) + 1
    grid = pv.ImageData(dimensions=tuple(dims), spacing=(BLOB_VOXEL_MM,) * 3, origin=tuple(lo))
    pts = grid.points
    d = np.linalg.norm(pts[:, None, :] - centers[None, :, :], axis=-1) - radii[None, :]
    k = BLOB_SHARPNESS
    field = -np.log(np.exp(-k * d).sum(axis=1)) / k  # smooth minimum of the sphere distances
    grid.point_data["d"] = field
    surface = grid.contour([0.0], scalars="d", method="flying_edges")
    return _outward(surface.triangulate().clean())


def cone(g: ParametricGeometry) -> pv.PolyData:
    """A closed truncated cone between two points (a corridor, a shaft)."""
    assert g.points is not None and g.radii is not None
    ends = np.asarray(g.points, float)
    n = 12
    path = ends[0] + np.linspace(0.0, 1.0, n)[:, None] * (ends[1] - ends[0])
    radii = np.linspace(g.radii[0], g.radii[1], n)
    theta = np.linspace(0.0, 2 * np.pi, 32, endpoint=False)
    unit = np.stack([np.cos(theta), np.sin(theta)], -1)
    return sweep(path, radii[:, None, None] * unit[None, :, :], caps=not g.open)


def read_mesh(path: Path) -> pv.PolyData:
    """A mesh file, checked and cached (:func:`read_mesh_file`). Callers must not modify it."""
    return read_mesh_file(path)


def _mesh_of(g: MeshGeometry, atlas_root: Path, detail: bool = False) -> pv.PolyData:
    """The structure's surface: the browser copy, or the finer copy kept for measurement
    (``detail``, when the record names one)."""
    name = g.detail if detail and g.detail else g.file
    path, refused = mesh_file_path(atlas_root, name)
    if path is None:
        raise MeshFileError(f"{name}: {refused}")
    try:
        return read_mesh_file(path)
    except MeshFileError as exc:
        raise MeshFileError(f"{name}: {exc}") from exc


def _geometry_from(data: dict[str, object]) -> MeshGeometry | ParametricGeometry:
    kind = data.get("kind")
    if kind == "mesh":
        return MeshGeometry.model_validate(data)
    return ParametricGeometry.model_validate(data)


PARAMETRIC_BUILDERS = {
    "ellipsoid": ellipsoid,
    "box": box,
    "sheet": sheet,
    "blob": blob,
    "cone": cone,
}


def structure_mesh(structure: Structure, atlas_root: Path, detail: bool = False) -> pv.PolyData:
    """The surface of one resolved structure (mirrors already resolved by the specimen).

    A mesh with a detail copy gives that copy when ``detail`` is set: measurements (distances
    to bone, needle paths, intersections, 3-D printing) use it; the browser and the stills use
    the lighter copy."""
    g = structure.geometry
    if isinstance(g, DeformedGeometry):
        base = structure.model_copy(update={"geometry": _geometry_from(g.base)})
        return deform_surface(structure_mesh(base, atlas_root, detail), g.as_moves())
    if isinstance(g, CenterlineGeometry):
        normal = None if g.flat_normal is None else np.asarray(g.flat_normal, float)
        return tube(centerline_curve(g), g.aspect, normal)
    if isinstance(g, MeshGeometry):
        return _mesh_of(g, atlas_root, detail)
    if isinstance(g, ParametricGeometry):
        return PARAMETRIC_BUILDERS[g.shape](g)
    raise TypeError(f"{structure.id}: unresolved {g.kind} geometry")
