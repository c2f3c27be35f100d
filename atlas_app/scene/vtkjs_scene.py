"""The vtk.js scene of a SceneSpec: surfaces made small for the browser, and the
``.vtksz`` payload (vtk.js's synchronisable render-window state) that its viewer loads.

Written from numpy arrays, not serialised from a VTK render window by trame: no trame
server (not re-entrant), no render window, no OpenGL, no network, milliseconds instead of
about half a second, and byte-identical output for the same input (so it caches by key).

Geometry is made small for the browser: surfaces are decimated to about
:data:`MM2_PER_TRIANGLE` per triangle (once per surface, cached), point normals go as int8
(smooth shading for 3 bytes a vertex), points are quantised to :data:`QUANTUM_MM` as uint16
(the actor's scale and position undo it), and triangles go as strips (about half the
indices). Hidden actors are left out; opaque actors are drawn before translucent ones.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from threading import Lock
from typing import Any

import numpy as np
import pyvista as pv

from atlas_app.scene.cameras import Bounds, union_bounds
from atlas_app.scene.spec import ActorSpec, CameraSpec, SceneSpec

MM2_PER_TRIANGLE = 6.0
MIN_TRIANGLES = 300
MAX_TRIANGLES = 3000
"""Each surface goes to the browser with about one triangle per 6 mm² (a 3.7 mm edge),
never fewer than 300 nor more than 3000 (nor more than it has). The default specimen of
the shipped atlas (0.47 m² of surface, 117k triangles as built) goes as about 43k, and the
page with everything shown is about 1.4 MB (0.98 MB of it the fixed viewer)."""
QUANTUM_MM = 0.05
"""Point coordinates are rounded to this (a screen pixel is about 0.3 mm at full view)."""
FEATURE_ANGLE = 60.0
"""Edges sharper than this keep split normals (tube caps stay crisp)."""
ENCODING_VERSION = 1
"""Bump when the payload format changes: it is part of every cache key."""

# The material and light match render_still. One head light (at the camera): vtk.js
# places pyvista's five-light kit differently before and after the camera moves.
AMBIENT, DIFFUSE, SPECULAR, SPECULAR_POWER = 0.15, 0.85, 0.2, 20.0
HEADLIGHT_INTENSITY = 1.0


def settings_key() -> str:
    """The encoding settings, for cache keys: change one and old payloads are not reused."""
    return (
        f"v{ENCODING_VERSION}-{MM2_PER_TRIANGLE}-{MIN_TRIANGLES}-{MAX_TRIANGLES}-"
        f"{QUANTUM_MM}-{FEATURE_ANGLE}"
    )


@dataclass(frozen=True)
class EncodedMesh:
    """One surface as vtk.js arrays: raw bytes plus what vtk.js needs to read them."""

    points: bytes
    points_type: str  # a JS typed-array name
    n_points: int
    strips: bytes
    strips_type: str
    n_strip_values: int
    normals: bytes  # int8 × 3 per point, or b"" for none
    origin: tuple[float, float, float]  # actor position: undoes the quantisation
    scale: float  # actor scale
    bounds: Bounds  # in the atlas frame, mm
    n_triangles: int


def browser_triangles(mesh: pv.PolyData) -> int:
    """How many triangles the browser gets for this surface."""
    target = max(MIN_TRIANGLES, int(mesh.area / MM2_PER_TRIANGLE))
    return min(mesh.n_cells, target, MAX_TRIANGLES)


def browser_mesh(mesh: pv.PolyData) -> pv.PolyData:
    """The surface decimated to the browser's density, with smooth point normals."""
    surface = mesh if mesh.is_all_triangles else mesh.triangulate()
    target = browser_triangles(surface)
    if target < 0.9 * surface.n_cells:
        surface = surface.decimate(1.0 - target / surface.n_cells, volume_preservation=True)
    return surface.compute_normals(
        cell_normals=False,
        point_normals=True,
        split_vertices=True,
        feature_angle=FEATURE_ANGLE,
        consistent_normals=False,
        auto_orient_normals=False,
    )


def encode_mesh(mesh: pv.PolyData) -> EncodedMesh:
    """Decimate, strip and quantise one surface for vtk.js."""
    surface = browser_mesh(mesh)
    stripped = surface.strip()
    pts = np.asarray(stripped.points, dtype=float)
    lo = np.floor(pts.min(axis=0) / QUANTUM_MM) * QUANTUM_MM
    q = np.rint((pts - lo) / QUANTUM_MM)
    if q.max(initial=0) <= np.iinfo(np.uint16).max:
        points, points_type = q.astype("<u2").tobytes(), "Uint16Array"
        origin, scale = (
            (round(float(lo[0]), 4), round(float(lo[1]), 4), round(float(lo[2]), 4)),
            QUANTUM_MM,
        )
    else:  # over 3 m across: keep float32
        points, points_type = pts.astype("<f4").tobytes(), "Float32Array"
        origin, scale = (0.0, 0.0, 0.0), 1.0
    normals = b""
    if "Normals" in stripped.point_data:
        n = np.asarray(stripped.point_data["Normals"], dtype=float)
        normals = np.rint(np.clip(n, -1.0, 1.0) * 127).astype("i1").tobytes()
    strips = np.asarray(stripped.strips)
    strips_type = "Uint16Array" if len(pts) <= np.iinfo(np.uint16).max else "Uint32Array"
    dtype = "<u2" if strips_type == "Uint16Array" else "<u4"
    b = pts.min(axis=0), pts.max(axis=0)
    return EncodedMesh(
        points=points,
        points_type=points_type,
        n_points=len(pts),
        strips=strips.astype(dtype).tobytes(),
        strips_type=strips_type,
        n_strip_values=len(strips),
        normals=normals,
        origin=origin,
        scale=scale,
        bounds=(
            float(b[0][0]),
            float(b[1][0]),
            float(b[0][1]),
            float(b[1][1]),
            float(b[0][2]),
            float(b[1][2]),
        ),
        n_triangles=surface.n_cells,
    )


_ENCODED_CACHE_SIZE = 256
_encoded: OrderedDict[str, EncodedMesh] = OrderedDict()
_encoded_lock = Lock()


def mesh_digest(mesh: pv.PolyData) -> str:
    """A content hash of a surface (points and faces)."""
    h = hashlib.sha1(usedforsecurity=False)
    h.update(np.ascontiguousarray(mesh.points, dtype="<f8").tobytes())
    h.update(np.ascontiguousarray(mesh.faces, dtype="<i8").tobytes())
    return h.hexdigest()


def cached_encode_mesh(mesh: pv.PolyData) -> EncodedMesh:
    """:func:`encode_mesh`, remembered by the surface's content (decimation is slow).

    Thread-safe: the app serves sessions in threads, and VTK filters may touch their
    input's internal state, so encoding runs one at a time (and once per surface)."""
    key = f"{settings_key()}:{mesh_digest(mesh)}"
    with _encoded_lock:
        found = _encoded.get(key)
        if found is not None:
            _encoded.move_to_end(key)
            return found
        encoded = encode_mesh(mesh)
        _encoded[key] = encoded
        while len(_encoded) > _ENCODED_CACHE_SIZE:
            _encoded.popitem(last=False)
        return encoded


def clear_cache() -> None:
    """Forget the encoded surfaces (tests, benchmarks)."""
    with _encoded_lock:
        _encoded.clear()


# --- The vtk.js scene ---------------------------------------------------------------


def _rgb(color: str) -> list[float]:
    h = color.lstrip("#")
    return [round(int(h[i : i + 2], 16) / 255, 6) for i in (0, 2, 4)]


def clipping_range(camera: CameraSpec, bounds: Bounds | None) -> list[float]:
    """Near and far planes that hold the whole box (vtk.js re-fits them on interaction)."""
    if bounds is None:
        return [0.1, 10000.0]
    center = np.array(
        [(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2, (bounds[4] + bounds[5]) / 2]
    )
    radius = (
        float(np.linalg.norm([bounds[1] - bounds[0], bounds[3] - bounds[2], bounds[5] - bounds[4]]))
        / 2
        + 1.0
    )
    along = float(np.dot(center - np.asarray(camera.position), np.asarray(camera.direction)))
    near = max(along - radius, 0.01 * (along + radius), 0.1)
    return [round(near, 3), round(along + radius, 3)]


def camera_properties(camera: CameraSpec, bounds: Bounds | None) -> dict[str, Any]:
    """The camera as vtk.js properties."""
    props: dict[str, Any] = {
        "position": list(camera.position),
        "focalPoint": list(camera.focal_point),
        "viewUp": list(camera.view_up),
        "viewAngle": camera.view_angle,
        "parallelProjection": camera.parallel_scale is not None,
        "clippingRange": clipping_range(camera, bounds),
    }
    if camera.parallel_scale is not None:
        props["parallelScale"] = camera.parallel_scale
    return props


class _Arrays:
    """The ``hashes`` table of index.json: each distinct array once, base64 inline."""

    def __init__(self) -> None:
        self.table: dict[str, dict[str, str]] = {}

    def add(self, data: bytes, js_type: str, vtk_class: str) -> str:
        digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()[:16]
        key = f"{digest}_{js_type}"
        if key not in self.table:
            self.table[key] = {
                "hash": key,
                "type": js_type,
                "vtk": vtk_class,
                "content": base64.b64encode(data).decode("ascii"),
            }
        return key


def _array_ref(
    key: str, vtk_class: str, name: str | None, js_type: str, components: int, size: int
) -> dict[str, Any]:
    return {
        "hash": key,
        "vtkClass": vtk_class,
        "name": name,
        "dataType": js_type,
        "numberOfComponents": components,
        "size": size,
    }


def _actor_node(actor: ActorSpec, mesh: EncodedMesh, arrays: _Arrays) -> dict[str, Any]:
    sid = actor.structure_id
    aid, mid, pid, did = f"actor-{sid}", f"mapper-{sid}", f"property-{sid}", f"polydata-{sid}"
    pkey = arrays.add(mesh.points, mesh.points_type, "vtkPoints")
    skey = arrays.add(mesh.strips, mesh.strips_type, "vtkCellArray")
    fields = []
    if mesh.normals:
        nkey = arrays.add(mesh.normals, "Int8Array", "vtkDataArray")
        ref = _array_ref(nkey, "vtkDataArray", "Normals", "Int8Array", 3, 3 * mesh.n_points)
        fields.append({**ref, "location": "pointData", "registration": "setNormals"})
    polydata = {
        "parent": mid,
        "id": did,
        "type": "vtkPolyData",
        "properties": {
            "points": _array_ref(
                pkey, "vtkPoints", "Points", mesh.points_type, 3, 3 * mesh.n_points
            ),
            "strips": _array_ref(
                skey, "vtkCellArray", None, mesh.strips_type, 1, mesh.n_strip_values
            ),
            "fields": fields,
        },
    }
    rgb = _rgb(actor.color)
    prop = {
        "parent": aid,
        "id": pid,
        "type": "vtkOpenGLProperty",
        "properties": {
            "representation": 2,
            "color": rgb,
            "diffuseColor": rgb,
            "ambientColor": rgb,
            "specularColor": [1.0, 1.0, 1.0],
            "ambient": AMBIENT,
            "diffuse": DIFFUSE,
            "specular": SPECULAR,
            "specularPower": SPECULAR_POWER,
            "opacity": actor.opacity,
            "interpolation": 2 if mesh.normals else 0,
            "edgeVisibility": 0,
            "backfaceCulling": 0,
            "frontfaceCulling": 0,
            "lighting": 1,
        },
    }
    mapper = {
        "parent": aid,
        "id": mid,
        "type": "vtkMapper",
        "properties": {"scalarVisibility": 0, "resolveCoincidentTopology": 0},
        "calls": [["setInputData", [f"instance:${{{did}}}"]]],
        "dependencies": [polydata],
    }
    s = mesh.scale
    return {
        "parent": "renderer",
        "id": aid,
        "type": "vtkOpenGLActor",
        "properties": {
            "visibility": 1,
            "pickable": 1,
            "origin": [0.0, 0.0, 0.0],
            "position": list(mesh.origin),
            "scale": [s, s, s],
            "orientation": [0.0, 0.0, 0.0],
            "forceOpaque": actor.opacity >= 1.0,
            "forceTranslucent": actor.opacity < 1.0,
        },
        "calls": [
            ["setMapper", [f"instance:${{{mid}}}"]],
            ["setProperty", [f"instance:${{{pid}}}"]],
        ],
        "dependencies": [mapper, prop],
    }


def _light_nodes() -> list[dict[str, Any]]:
    return [
        {
            "parent": "renderer",
            "id": "light0",
            "type": "vtkOpenGLLight",
            "properties": {
                "switch": 1,
                "intensity": HEADLIGHT_INTENSITY,
                "color": [1.0, 1.0, 1.0],
                "position": [0.0, 0.0, 1.0],
                "focalPoint": [0.0, 0.0, 0.0],
                "positional": 0,
                "lightType": "HeadLight",
            },
        }
    ]


def scene_index(spec: SceneSpec, meshes: Mapping[str, EncodedMesh]) -> dict[str, Any]:
    """The vtk.js scene (``index.json`` of a .vtksz) for the visible actors of ``spec``.

    Opaque actors come first, translucent ones last (WebGL blends in draw order)."""
    arrays = _Arrays()
    shown = [a for a in spec.visible_actors if a.structure_id in meshes]
    shown.sort(key=lambda a: a.translucent)  # stable: opaque first, each in spec order
    actors = [_actor_node(a, meshes[a.structure_id], arrays) for a in shown]
    bounds = union_bounds(meshes[a.structure_id].bounds for a in shown)
    camera = {
        "parent": "renderer",
        "id": "camera",
        "type": "vtkOpenGLCamera",
        "properties": camera_properties(spec.camera, bounds),
    }
    lights = _light_nodes()
    renderer = {
        "parent": "window",
        "id": "renderer",
        "type": "vtkOpenGLRenderer",
        "properties": {
            "background": _rgb(spec.background),
            "viewport": [0.0, 0.0, 1.0, 1.0],
            "twoSidedLighting": 1,
            "lightFollowCamera": 1,
            "layer": 0,
            "interactive": 1,
            "useDepthPeeling": 0,
        },
        "calls": [["setActiveCamera", ["instance:${camera}"]]]
        + [["addViewProp", [f"instance:${{{a['id']}}}"]] for a in actors]
        + [["addLight", [f"instance:${{{light['id']}}}"]] for light in lights],
        "dependencies": [camera, *actors, *lights],
    }
    return {
        "hashes": arrays.table,
        "scene": {
            "parent": "0x0",
            "id": "window",
            "type": "vtkOpenGLRenderWindow",
            "properties": {"numberOfLayers": 1},
            "calls": [["addRenderer", ["instance:${renderer}"]]],
            "dependencies": [renderer],
            "mtime": 1,
        },
    }


def scene_vtksz(spec: SceneSpec, meshes: Mapping[str, EncodedMesh]) -> bytes:
    """The scene as a .vtksz zip (byte-identical for the same input)."""
    index = json.dumps(scene_index(spec, meshes), sort_keys=True, separators=(",", ":"))
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        info = zipfile.ZipInfo("index.json", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        zf.writestr(info, index.encode("utf-8"), compresslevel=9)
    return out.getvalue()
