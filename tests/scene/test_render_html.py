"""The exported viewer page: self-contained, only the visible actors, the spec's camera,
deterministic, escaped text, small geometry. No OpenGL is needed to make it."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
import pyvista as pv

from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import build_specimen
from atlas_app.scene import vtkjs_scene
from atlas_app.scene.compose import compose_scene, describe_scene
from atlas_app.scene.render_html import (
    cached_scene_html,
    clear_caches,
    external_urls,
    page_scene,
    scene_html,
    viewer_template,
    visible_meshes,
)
from atlas_app.scene.vtkjs_scene import encode_mesh
from tests.conftest import MINI_ATLAS


@pytest.fixture(scope="module")
def atlas():
    return load_atlas(MINI_ATLAS)


@pytest.fixture(scope="module")
def specimen(atlas):
    return build_specimen(atlas, "nerve_double")


def actors_of(scene: dict) -> dict[str, dict]:
    renderer = scene["scene"]["dependencies"][0]
    return {
        d["id"].removeprefix("actor-"): d
        for d in renderer["dependencies"]
        if d["type"] == "vtkOpenGLActor"
    }


def camera_of(scene: dict) -> dict:
    renderer = scene["scene"]["dependencies"][0]
    return next(d for d in renderer["dependencies"] if d["type"] == "vtkOpenGLCamera")


def test_the_page_loads_nothing_from_outside(atlas, specimen) -> None:
    page = cached_scene_html(atlas, specimen, compose_scene(atlas, specimen))
    assert external_urls(page) == []
    assert not re.search(r"<script[^>]+src=", page, re.I)
    assert not re.search(r"<link[^>]+href=", page, re.I)
    assert "kitware.github.io/vtk-js/icon" not in page  # the stock favicon links are gone
    assert "OfflineLocalView.load" in page


def test_external_urls_finds_what_would_leave_the_page() -> None:
    page = (
        '<script src="https://cdn.example.org/vtk.js"></script>'
        "<link href='//fonts.example.org/a.css'><style>@import 'http://x.org/s.css';"
        "b{background:url(https://x.org/i.png)}</style>"
        'e.setAttribute("href",`https://kitware.github.io/icon.png`)'
        '<a href="#local">ok</a><img src="data:image/png;base64,AAAA">'
    )
    assert external_urls(page) == [
        "//fonts.example.org/a.css",
        "http://x.org/s.css",
        "https://cdn.example.org/vtk.js",
        "https://kitware.github.io/icon.png",
        "https://x.org/i.png",
    ]
    assert external_urls(viewer_template()) == []


def test_only_visible_actors_are_in_the_payload(atlas, specimen) -> None:
    spec = compose_scene(
        atlas, specimen, hidden_categories=["artery"], hidden_structures=["nerve_left"]
    )
    scene = page_scene(scene_html(spec, visible_meshes(atlas, specimen, spec)))
    assert set(actors_of(scene)) == {"nerve_right", "nerve_accessory_right"}
    # hidden geometry is not even carried along: only the two nerves' arrays
    assert len(scene["hashes"]) == 2 * 3  # points, strips, normals for each


def test_the_camera_of_the_spec_is_in_the_scene_and_the_reset_button(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen, camera="lateral_right")
    page = cached_scene_html(atlas, specimen, spec)
    props = camera_of(page_scene(page))["properties"]
    assert props["position"] == list(spec.camera.position)
    assert props["focalPoint"] == list(spec.camera.focal_point)
    assert props["viewUp"] == list(spec.camera.view_up)
    assert props["viewAngle"] == spec.camera.view_angle
    near, far = props["clippingRange"]
    assert 0 < near < spec.camera.distance < far
    assert f'"position": {list(spec.camera.position)}' in page  # what "Reset view" restores


def test_colours_opacity_and_draw_order(atlas) -> None:
    specimen = build_specimen(atlas)
    spec = compose_scene(atlas, specimen, highlight=["nerve_right"])
    # the vessel drawn translucent, as a muscle would be
    spec = replace(
        spec,
        actors=tuple(
            replace(a, opacity=0.35) if a.structure_id == "vessel" else a for a in spec.actors
        ),
    )
    actors = actors_of(page_scene(scene_html(spec, visible_meshes(atlas, specimen, spec))))
    assert list(actors)[-1] == "vessel"  # translucent last
    prop = next(d for d in actors["vessel"]["dependencies"] if d["type"] == "vtkOpenGLProperty")
    assert prop["properties"]["opacity"] == 0.35
    nerve = next(
        d for d in actors["nerve_right"]["dependencies"] if d["type"] == "vtkOpenGLProperty"
    )
    hexcolor = spec.actor("nerve_right").color
    assert nerve["properties"]["color"] == pytest.approx(
        [int(hexcolor[i : i + 2], 16) / 255 for i in (1, 3, 5)], abs=1e-5
    )


def test_same_spec_same_bytes(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen, highlight=["nerve_right"])
    first = cached_scene_html(atlas, specimen, spec)
    clear_caches()
    again = scene_html(spec, visible_meshes(atlas, specimen, spec))
    assert again == first
    other = cached_scene_html(atlas, specimen, compose_scene(atlas, specimen))
    assert other != first


def test_the_cache_returns_the_same_page(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen)
    assert cached_scene_html(atlas, specimen, spec) is cached_scene_html(atlas, specimen, spec)


def test_text_is_escaped_and_the_description_is_there(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen, title='<img src=x onerror="alert(1)"> & co')
    description = describe_scene(spec, specimen)
    page = scene_html(spec, visible_meshes(atlas, specimen, spec), description)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; co" in page
    assert 'aria-describedby="sa-description"' in page
    assert "Right nerve" in page  # legend and description
    assert external_urls(page) == []


def test_the_page_is_the_viewer_plus_a_small_scene(atlas, specimen) -> None:
    page = cached_scene_html(atlas, specimen, compose_scene(atlas, specimen))
    viewer = len(viewer_template())
    assert viewer < len(page) < viewer + 60_000


# --- Geometry for the browser -----------------------------------------------------------


def test_a_dense_surface_is_decimated_and_quantised() -> None:
    sphere = pv.Sphere(radius=40.0, theta_resolution=120, phi_resolution=120)
    encoded = encode_mesh(sphere)
    target = vtkjs_scene.browser_triangles(sphere)
    assert target < sphere.n_cells
    assert encoded.n_triangles <= 1.05 * target
    assert encoded.points_type == "Uint16Array"
    q = np.frombuffer(encoded.points, dtype="<u2").reshape(-1, 3)
    restored = q * encoded.scale + np.asarray(encoded.origin)
    radii = np.linalg.norm(restored, axis=1)
    assert np.all(np.abs(radii - 40.0) < 1.0)  # still a sphere of radius 40 mm
    assert len(encoded.normals) == 3 * encoded.n_points
    strips = np.frombuffer(encoded.strips, dtype="<u2")
    assert len(strips) == encoded.n_strip_values
    assert strips.max() < encoded.n_points


def test_a_small_surface_is_left_as_it_is() -> None:
    box = pv.Box().triangulate()
    assert encode_mesh(box).n_triangles == box.n_cells


def test_the_embedded_payload_is_base64_of_a_zip(atlas, specimen) -> None:
    page = cached_scene_html(atlas, specimen, compose_scene(atlas, specimen))
    data = re.search(r'base64Str: "([^"]+)"', page)
    assert data is not None
    assert base64.b64decode(data.group(1))[:2] == b"PK"


def test_same_page_in_another_process(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen, camera="right_oblique", highlight=["nerve_right"])
    page = cached_scene_html(atlas, specimen, spec)
    code = (
        "import hashlib, sys\n"
        "from atlas_app.model.loader import load_atlas\n"
        "from atlas_app.model.specimen import build_specimen\n"
        "from atlas_app.scene.render_html import cached_scene_html\n"
        "from atlas_app.scene.spec import SceneSpec\n"
        "spec = SceneSpec.from_json(sys.stdin.read())\n"
        f"atlas = load_atlas({str(MINI_ATLAS)!r})\n"
        "page = cached_scene_html(atlas, build_specimen(atlas, spec.specimen), spec)\n"
        "print(hashlib.sha256(page.encode()).hexdigest())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=spec.to_json(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == hashlib.sha256(page.encode()).hexdigest()


BUDGET_BYTES = 1_500_000


def test_the_whole_shipped_specimen_fits_the_page_budget(shipped_atlas) -> None:
    """Every structure of the shipped atlas's default specimen, shown at once."""
    if shipped_atlas.faults or not shipped_atlas.structures:
        pytest.skip("the shipped atlas does not load cleanly yet")
    specimen = build_specimen(shipped_atlas)
    page = cached_scene_html(shipped_atlas, specimen, compose_scene(shipped_atlas, specimen))
    assert external_urls(page) == []
    size = len(page.encode("utf-8"))
    assert size <= BUDGET_BYTES, (
        f"the full scene page is {size:,} bytes (budget {BUDGET_BYTES:,}): lower "
        "vtkjs_scene.MAX_TRIANGLES or raise MM2_PER_TRIANGLE"
    )
