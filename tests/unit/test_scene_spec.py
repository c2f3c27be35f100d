"""SceneSpec: hashable, a stable key, and a lossless round trip through dict and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from atlas_app.model.camera import CameraSpec
from atlas_app.scene.spec import ActorSpec, LegendEntry, SceneSpec


def make_spec(**changes: Any) -> SceneSpec:
    camera = CameraSpec(
        "anterior", "Anterior view", (0.0, 300.0, 10.0), (0.0, 0.0, 10.0), (0.0, 0.0, 1.0)
    )
    actors = (
        ActorSpec("sacrum", "Sacrum", "bone", "#E8DCC0"),
        ActorSpec("psoas_major_right", "Psoas major (right)", "muscle", "#c0504d", 0.35),
        ActorSpec(
            "l5_ventral_ramus_right",
            "L5 ventral ramus (right)",
            "nerve",
            "#ffd700",
            highlighted=True,
        ),
        ActorSpec("aorta", "Aorta", "artery", "#cc0000", visible=False),
    )
    legend = (
        LegendEntry(
            "L5 ventral ramus (right)", "#ffd700", ("l5_ventral_ramus_right",), highlighted=True
        ),
        LegendEntry("Bones", "#e8dcc0", ("sacrum",)),
    )
    fields: dict[str, Any] = {
        "actors": actors,
        "camera": camera,
        "title": "Anterior view",
        "specimen": "default",
        "legend": legend,
    }
    fields.update(changes)
    return SceneSpec(**fields)


def test_equal_specs_are_equal_and_hash_alike() -> None:
    a, b = make_spec(), make_spec()
    assert a == b
    assert hash(a) == hash(b)
    assert a.key() == b.key()
    assert len({a, b}) == 1


def test_key_is_short_and_names_the_format() -> None:
    key = make_spec().key()
    assert key.startswith("scene1-")
    assert len(key) < 40


def test_key_changes_with_what_the_scene_shows() -> None:
    base = make_spec()
    keys = {
        base.key(),
        make_spec(title="Another title").key(),
        make_spec(specimen="nerve_double").key(),
        make_spec(background="#000000").key(),
        base.with_camera(
            CameraSpec(
                "lateral_right",
                "Right lateral view",
                (300.0, 0.0, 0.0),
                (0.0, 0.0, 0.0),
                (0.0, 0.0, 1.0),
            )
        ).key(),
        make_spec(actors=base.actors[:-1]).key(),
        make_spec(
            actors=(
                base.actors[0],
                ActorSpec("psoas_major_right", "Psoas major (right)", "muscle", "#c0504d", 1.0),
                *base.actors[2:],
            )
        ).key(),
    }
    assert len(keys) == 7


def test_key_ignores_float_noise_in_the_camera() -> None:
    noisy = CameraSpec(
        "anterior", "Anterior view", (0.0, 300.0 + 1e-9, 10.0), (1e-12, 0.0, 10.0), (0.0, 0.0, 1.0)
    )
    assert make_spec().with_camera(noisy).key() == make_spec().key()


def test_key_is_the_same_in_another_process() -> None:
    spec = make_spec()
    code = (
        "import sys; from atlas_app.scene.spec import SceneSpec; "
        "print(SceneSpec.from_json(sys.stdin.read()).key())"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=spec.to_json(),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == spec.key()


def test_round_trip_through_dict_and_json() -> None:
    spec = make_spec()
    assert SceneSpec.from_dict(spec.to_dict()) == spec
    assert SceneSpec.from_json(spec.to_json()) == spec
    data = json.loads(spec.to_json())
    assert data["format"] == 1
    assert data["actors"][1]["opacity"] == 0.35
    assert data["camera"]["view_up"] == [0.0, 0.0, 1.0]


def test_colours_are_normalised_to_lower_case() -> None:
    assert make_spec().actors[0].color == "#e8dcc0"


def test_visible_actors_and_lookup() -> None:
    spec = make_spec()
    assert [a.structure_id for a in spec.visible_actors] == [
        "sacrum",
        "psoas_major_right",
        "l5_ventral_ramus_right",
    ]
    assert spec.actor("aorta").visible is False
    with pytest.raises(KeyError):
        spec.actor("nothing")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ActorSpec("a", "A", "bone", "red"), "colour"),
        (lambda: ActorSpec("a", "A", "bone", "#ffffff", opacity=0.0), "opacity"),
        (lambda: ActorSpec("a", "A", "bone", "#ffffff", opacity=1.5), "opacity"),
        (lambda: CameraSpec("x", "X", (0, 0, 0), (0, 0, 0), (0, 0, 1)), "coincide"),
        (lambda: CameraSpec("x", "X", (0, 1, 0), (0, 0, 0), (0, 0, 0)), "view_up"),
        (
            lambda: CameraSpec("x", "X", (0, 1, 0), (0, 0, 0), (0, 0, 1), view_angle=0.0),
            "view_angle",
        ),
        (lambda: CameraSpec("x", "X", (0, 1), (0, 0, 0), (0, 0, 1)), "three numbers"),  # type: ignore[arg-type]
        (lambda: make_spec(actors=(ActorSpec("a", "A", "bone", "#ffffff"),) * 2), "twice"),
        (lambda: make_spec(background="white"), "colour"),
    ],
)
def test_bad_values_are_refused(build, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_other_format_is_refused() -> None:
    data = make_spec().to_dict()
    data["format"] = 99
    with pytest.raises(ValueError, match="not supported"):
        SceneSpec.from_dict(data)


def test_camera_direction_and_distance() -> None:
    cam = make_spec().camera
    assert cam.direction == pytest.approx((0.0, -1.0, 0.0))
    assert cam.distance == pytest.approx(300.0)
