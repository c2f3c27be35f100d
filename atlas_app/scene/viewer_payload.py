"""SceneSpec + specimen → what the live 3D viewer is sent: a scene description and the
surfaces it lacks.

The description (:class:`ViewerScene`) names each visible structure's surface by content
hash (:mod:`browser_mesh`), with its colour, opacity and label anchors; it carries the
camera the view asks for, the landmarks a measurement may snap to, the legend and the text
alternative. It is plain data, the same for every user, and made once per scene.

:func:`pack` turns it into the bytes of one message: ``SAV3``, the lengths of the header
packed and unpacked, the header (JSON, zlib-compressed: the scene, the page's instructions
to the viewer, a table of blobs with their unpacked sizes), then the blobs. Surfaces go
once per browser session: ``sent`` holds what this session's browser has already been
given (surfaces by digest, triangle sets by topology); a surface whose triangles the
browser has goes as its vertices only.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas_app.model.atlas import Atlas
from atlas_app.model.camera import CameraSpec
from atlas_app.model.specimen import Specimen
from atlas_app.scene.browser_mesh import blob, browser_mesh, settings_key
from atlas_app.scene.cameras import union_bounds
from atlas_app.scene.mesh_encoding import BrowserMesh, blob_size
from atlas_app.scene.shading import shading
from atlas_app.scene.spec import SceneSpec

MAGIC = b"SAV3"
PAYLOAD_VERSION = 3
HEADER_COMPRESSION = 6


@dataclass(frozen=True)
class ViewerScene:
    """A scene as the viewer reads it, and the surfaces it uses (by digest)."""

    key: str
    header: Mapping[str, Any]
    meshes: Mapping[str, BrowserMesh]


def camera_dict(camera: CameraSpec) -> dict[str, Any]:
    return {
        "name": camera.name,
        "title": camera.title,
        "position": list(camera.position),
        "focalPoint": list(camera.focal_point),
        "viewUp": list(camera.view_up),
        "viewAngle": camera.view_angle,
        "parallelScale": camera.parallel_scale,
    }


def _short(point: Iterable[float]) -> list[float]:
    """A point to a tenth of a millimetre (what a label's pin needs)."""
    return [round(float(c), 1) for c in point]


def scene_meshes(
    atlas_root: Path,
    specimen: Specimen,
    spec: SceneSpec,
    base: Specimen | None = None,
) -> dict[str, BrowserMesh]:
    """The browser surface of each visible actor, by structure id. ``base`` is the
    specimen before an approach step changed it (its tubes' rings are kept)."""
    out = {}
    for a in spec.visible_actors:
        s = specimen.structures.get(a.structure_id)
        if s is None:
            continue
        b = base.structures.get(a.structure_id) if base is not None else None
        out[a.structure_id] = browser_mesh(s, atlas_root, b)
    return out


def encode_all(atlas_root: Path, specimen: Specimen, base: Specimen | None = None) -> None:
    """Encode every structure's browser surface now, so that a scene of ``specimen`` (a
    step the user is likely to open next) finds them made."""
    for sid, s in specimen.structures.items():
        b = base.structures.get(sid) if base is not None else None
        browser_mesh(s, atlas_root, b)


def scene_key(spec: SceneSpec, meshes: Mapping[str, BrowserMesh], description: str) -> str:
    h = hashlib.sha256()
    h.update(spec.key().encode())
    h.update(settings_key().encode())
    for sid in sorted(meshes):
        h.update(f"{sid}:{meshes[sid].digest};".encode())
    h.update(description.encode("utf-8"))
    return f"v{PAYLOAD_VERSION}-{h.hexdigest()[:20]}"


def viewer_scene(
    atlas: Atlas,
    specimen: Specimen,
    spec: SceneSpec,
    *,
    base: Specimen | None = None,
    description: str = "",
    labels: Sequence[str] | None = None,
) -> ViewerScene:
    """The description of ``spec`` drawn on ``specimen`` (an approach step's field, with
    ``base`` the specimen it came from). ``labels`` limits the named structures to those
    ids, in that order (a case slide's choice); by default every visible structure may be
    named, the highlighted ones first, then by :data:`~atlas_app.scene.spec.LABEL_PRIORITY`."""
    meshes = scene_meshes(atlas.root, specimen, spec, base)
    shown = [a for a in spec.visible_actors if a.structure_id in meshes]
    shown.sort(key=lambda a: a.translucent)  # stable: opaque first (WebGL blends in order)
    actors = []
    for a in shown:
        m = meshes[a.structure_id]
        s = specimen.structures[a.structure_id]
        actors.append(
            {
                "id": a.structure_id,
                "label": a.label,
                "category": a.category,
                "color": a.color,
                "opacity": a.opacity,
                "highlighted": a.highlighted,
                "schematic": bool(s.schematic),
                "mesh": m.digest,
            }
        )
    named = spec.label_order(labels)
    # Names, most important first: each is its actor's label, pinned at the first anchor
    # the browser finds unhidden.
    label_list = [
        {"id": a.structure_id, "anchors": [_short(p) for p in meshes[a.structure_id].anchors]}
        for a in named
        if a.structure_id in meshes
    ]
    names = {lid: lm.name for lid, lm in atlas.landmarks.items()}
    landmarks = [
        {"id": lid, "name": names.get(lid, lid.replace("_", " ")), "position": list(p)}
        for lid, p in sorted(specimen.landmarks.items())
    ]
    bounds = union_bounds(m.bounds for m in meshes.values())
    by_digest = {m.digest: m for m in meshes.values()}
    key = scene_key(spec, meshes, description)
    header = {
        "key": key,
        "title": spec.title,
        "background": spec.background,
        "camera": camera_dict(spec.camera),
        "bounds": list(bounds) if bounds is not None else None,
        "actors": actors,
        "labels": label_list,
        "landmarks": landmarks,
        "legend": [
            {"label": e.label, "color": e.color, "highlighted": e.highlighted} for e in spec.legend
        ],
        "description": description,
        "shading": shading(),
    }
    return ViewerScene(key=key, header=header, meshes=by_digest)


FINDING_DESCRIPTION = (
    "A 3D view for a question: find the named structure and click on it (drag to turn the "
    "view, scroll to zoom)."
)


def finding_token(salt: str, structure_id: str) -> str:
    """The opaque name a structure goes by in a question's view."""
    digest = hashlib.sha1(f"{salt}|{structure_id}".encode(), usedforsecurity=False)
    return "s" + digest.hexdigest()[:10]


def for_finding(scene: ViewerScene, salt: str) -> tuple[ViewerScene, dict[str, str]]:
    """The scene with nothing that names its structures (a "click on the …" question):
    structures get opaque tokens (from ``salt``), no names, no labels, a neutral text
    alternative. Returns it and the map from token back to structure id."""
    tokens = {
        a["id"]: "s"
        + hashlib.sha1(f"{salt}|{a['id']}".encode(), usedforsecurity=False).hexdigest()[:10]
        for a in scene.header["actors"]
    }
    actors = [
        {**a, "id": tokens[a["id"]], "label": "", "schematic": False}
        for a in scene.header["actors"]
    ]
    legend = [e for e in scene.header["legend"] if not e["highlighted"]]  # a name each
    header = {
        **scene.header,
        "actors": actors,
        "labels": [],
        "legend": legend,
        "description": FINDING_DESCRIPTION,
    }
    header["key"] = (
        f"{scene.key}-find-{hashlib.sha1(salt.encode(), usedforsecurity=False).hexdigest()[:8]}"
    )
    found = ViewerScene(key=header["key"], header=header, meshes=scene.meshes)
    return found, {t: sid for sid, t in tokens.items()}


def blobs_to_send(scene: ViewerScene, sent: Iterable[str]) -> list[tuple[BrowserMesh, bool]]:
    """The surfaces the browser lacks, each with whether its triangles go too: a surface
    it has is skipped; one whose topology it has goes as vertices only."""
    have = set(sent)
    out = []
    for digest, mesh in scene.meshes.items():
        if f"mesh:{digest}" in have:
            continue
        with_triangles = f"topo:{mesh.topology}" not in have
        out.append((mesh, with_triangles))
        have.add(f"mesh:{digest}")
        have.add(f"topo:{mesh.topology}")
    return out


def forget(sent: set[str], lacking: Iterable[str]) -> set[str]:
    """``sent`` once the browser has said it lacks these surfaces (it never saw the message
    that brought them: a rerun replaced it first). They go again, with their triangles:
    which triangle sets it holds is forgotten too."""
    gone = {f"mesh:{d}" for d in lacking}
    if not gone:
        return sent
    return {e for e in sent if e not in gone and not e.startswith("topo:")}


def pack(
    scene: ViewerScene, view: Mapping[str, Any], sent: Iterable[str] = ()
) -> tuple[bytes, set[str]]:
    """The message for the viewer: the scene, the page's ``view`` instructions, and the
    surfaces not in ``sent``. Returns the bytes and the new entries for ``sent``."""
    table = []
    parts = []
    offset = 0
    added: set[str] = set()
    for mesh, with_triangles in blobs_to_send(scene, sent):
        data = blob(mesh, with_triangles)
        table.append(
            {
                "digest": mesh.digest,
                "topology": mesh.topology,
                "kind": "M" if with_triangles else "P",
                "offset": offset,
                "length": len(data),
                "size": blob_size(mesh, with_triangles),
            }
        )
        parts.append(data)
        offset += len(data)
        added |= {f"mesh:{mesh.digest}", f"topo:{mesh.topology}"}
    header = {"v": PAYLOAD_VERSION, "scene": scene.header, "view": dict(view), "blobs": table}
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    packed = zlib.compress(text, HEADER_COMPRESSION)
    lengths = struct.pack("<II", len(packed), len(text))
    return MAGIC + lengths + packed + b"".join(parts), added


def unpack(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """A packed message back to its header and its blobs by digest (tests, benchmarks;
    the browser reads it in frontend/src/codec.js)."""
    if data[:4] != MAGIC:
        raise ValueError("not a viewer message")
    n, _ = struct.unpack_from("<II", data, 4)
    header = dict(json.loads(zlib.decompress(data[12 : 12 + n]).decode("utf-8")))
    rest = data[12 + n :]
    blobs = {b["digest"]: rest[b["offset"] : b["offset"] + b["length"]] for b in header["blobs"]}
    return header, blobs


def unpack_header(data: bytes) -> dict[str, Any]:
    """The JSON header of a packed message."""
    return unpack(data)[0]
