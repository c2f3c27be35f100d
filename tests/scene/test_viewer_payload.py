"""What the live viewer is sent: only what shows, opaque before translucent, the scene's
camera and names, every surface once per session, and small."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zlib

import pytest

from atlas_app.approaches.api import mesh_vertices
from atlas_app.approaches.engine import field_at
from atlas_app.approaches.loader import load_approaches
from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import build_specimen
from atlas_app.scene.compose import compose_scene, describe_scene
from atlas_app.scene.mesh_encoding import decode_blob
from atlas_app.scene.viewer_payload import (
    MAGIC,
    forget,
    pack,
    unpack,
    unpack_header,
    viewer_scene,
)
from tests.conftest import MINI_ATLAS


@pytest.fixture(scope="module")
def atlas():
    return load_atlas(MINI_ATLAS)


@pytest.fixture(scope="module")
def specimen(atlas):
    return build_specimen(atlas, "nerve_double")


def blobs_of(data: bytes) -> dict[str, tuple[str, bytes]]:
    header, blobs = unpack(data)
    kinds = {b["digest"]: b["kind"] for b in header["blobs"]}
    for b in header["blobs"]:  # the sizes the browser makes its buffers
        raw = zlib.decompress(blobs[b["digest"]])
        assert len(raw) == b["size"]
    return {d: (kinds[d], blob) for d, blob in blobs.items()}


def test_only_visible_structures_opaque_first(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen, hidden_structures=["nerve_left"], translucent=["vessel"])
    scene = viewer_scene(atlas, specimen, spec)
    ids = [a["id"] for a in scene.header["actors"]]
    assert "nerve_left" not in ids
    assert set(ids) == {a.structure_id for a in spec.visible_actors}
    assert ids[-1] == "vessel"  # translucent last: WebGL blends in draw order
    vessel = scene.header["actors"][-1]
    assert vessel["opacity"] < 1
    assert vessel["color"] == spec.actor("vessel").color


def test_the_camera_title_and_description_travel(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen, camera="right_oblique")
    text = describe_scene(spec, specimen, atlas)
    header = viewer_scene(atlas, specimen, spec, description=text).header
    cam = header["camera"]
    assert cam["position"] == list(spec.camera.position)
    assert cam["focalPoint"] == list(spec.camera.focal_point)
    assert cam["viewUp"] == list(spec.camera.view_up)
    assert header["title"] == spec.title
    assert header["description"] == text


def test_labels_follow_the_stills_order_and_landmarks_are_named(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen, highlight=["vessel"])
    header = viewer_scene(atlas, specimen, spec).header
    assert [lab["id"] for lab in header["labels"]] == [a.structure_id for a in spec.label_order()]
    assert header["labels"][0]["id"] == "vessel"
    assert all(lab["anchors"] for lab in header["labels"])
    marks = {m["id"]: m for m in header["landmarks"]}
    assert set(marks) == set(specimen.landmarks)
    assert marks["junction"]["name"] == atlas.landmarks["junction"].name
    chosen = viewer_scene(atlas, specimen, spec, labels=["nerve_right"]).header
    assert [lab["id"] for lab in chosen["labels"]] == ["nerve_right"]


def test_each_surface_goes_once_per_session(atlas, specimen) -> None:
    scene = viewer_scene(atlas, specimen, compose_scene(atlas, specimen))
    first, sent = pack(scene, {"cameraToken": 0})
    assert first[:4] == MAGIC
    assert len(blobs_of(first)) == len(scene.meshes)
    assert {f"mesh:{d}" for d in scene.meshes} <= sent
    again, added = pack(scene, {"cameraToken": 0}, sent)
    assert blobs_of(again) == {} and added == set()
    assert unpack_header(again)["scene"] == unpack_header(first)["scene"]
    # The browser said it lacks one (it missed the message): it goes again, whole.
    digest = next(iter(scene.meshes))
    resent, _ = pack(scene, {}, forget(sent, [digest]))
    assert list(blobs_of(resent)) == [digest]
    assert [kind for kind, _ in blobs_of(resent).values()] == ["M"]


def test_a_retracted_structure_goes_as_its_vertices(atlas) -> None:
    approaches = load_approaches(atlas)
    base = build_specimen(atlas)
    approach = approaches.approaches["front_approach"]
    field = field_at(base, approach, 1, approaches.instruments, mesh_vertices(atlas, base))
    before = viewer_scene(atlas, base, compose_scene(atlas, base))
    _, sent = pack(before, {})
    step = viewer_scene(atlas, field.specimen, compose_scene(atlas, field.specimen), base=base)
    data, _ = pack(step, {}, sent)
    blobs = blobs_of(data)
    retracted = next(a for a in step.header["actors"] if a["id"] == "branch_right")
    unmoved = next(a for a in before.header["actors"] if a["id"] == "branch_right")
    assert retracted["mesh"] != unmoved["mesh"]
    moved, still = step.meshes[retracted["mesh"]], before.meshes[unmoved["mesh"]]
    assert moved.topology == still.topology  # it can morph
    kind, blob = blobs[retracted["mesh"]]
    assert kind == "P"
    points, strips = decode_blob(blob)
    assert strips is None and len(points) > 0
    # Untouched structures are not sent again; the new instruments are.
    assert "vessel" not in {a["id"] for a in step.header["actors"] if a["mesh"] in blobs}


def test_the_same_scene_gives_the_same_bytes_in_another_process(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen, camera="right_oblique", highlight=["nerve_right"])
    data, _ = pack(viewer_scene(atlas, specimen, spec), {"cameraToken": 3})
    code = (
        "import hashlib, sys\n"
        "from atlas_app.model.loader import load_atlas\n"
        "from atlas_app.model.specimen import build_specimen\n"
        "from atlas_app.scene.spec import SceneSpec\n"
        "from atlas_app.scene.viewer_payload import pack, viewer_scene\n"
        "spec = SceneSpec.from_json(sys.stdin.read())\n"
        f"atlas = load_atlas({str(MINI_ATLAS)!r})\n"
        "sp = build_specimen(atlas, spec.specimen)\n"
        "data, _ = pack(viewer_scene(atlas, sp, spec), {'cameraToken': 3})\n"
        "print(hashlib.sha256(data).hexdigest())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=spec.to_json(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == hashlib.sha256(data).hexdigest()


BUDGET_BYTES = 450_000
"""The first view of the atlas must leave room in the 0.5 MB a page view may send."""


def test_the_whole_shipped_specimen_fits_the_budget(shipped_atlas) -> None:
    """Every structure of the shipped atlas's default specimen, shown at once."""
    if shipped_atlas.faults or not shipped_atlas.structures:
        pytest.skip("the shipped atlas does not load cleanly yet")
    specimen = build_specimen(shipped_atlas)
    spec = compose_scene(shipped_atlas, specimen)
    text = describe_scene(spec, specimen, shipped_atlas)
    data, _ = pack(viewer_scene(shipped_atlas, specimen, spec, description=text), {})
    assert len(data) <= BUDGET_BYTES, (
        f"the full scene is {len(data):,} bytes (budget {BUDGET_BYTES:,}): lower "
        "browser_mesh.MAX_TRIANGLES or raise MM2_PER_TRIANGLE"
    )
