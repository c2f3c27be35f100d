"""Where still pins go and which structures get them (no rendering: masks are made up)."""

from __future__ import annotations

import numpy as np

from atlas_app.model.camera import CameraSpec
from atlas_app.scene.render_still import MIN_LABEL_PIXELS, place_pins
from atlas_app.scene.spec import ActorSpec, SceneSpec

CAMERA = CameraSpec("anterior", "Anterior view", (0, 300, 0), (0, 0, 0), (0, 0, 1))


def scene(*actors: ActorSpec) -> SceneSpec:
    return SceneSpec(actors, CAMERA, "Test")


def test_highlighted_first_then_by_priority_and_only_visible() -> None:
    spec = scene(
        ActorSpec("sacrum", "Sacrum", "bone", "#eeeeee"),
        ActorSpec("aorta", "Aorta", "artery", "#cc0000"),
        ActorSpec("l5", "L5", "nerve", "#ffd700"),
        ActorSpec("psoas", "Psoas", "muscle", "#c0504d", highlighted=True),
        ActorSpec("ivc", "IVC", "vein", "#0000cc", visible=False),
    )
    assert [a.structure_id for a in spec.label_order()] == ["psoas", "l5", "aorta", "sacrum"]
    assert [a.structure_id for a in spec.label_order(["sacrum", "ivc", "l5"])] == ["sacrum", "l5"]


def test_pins_sit_inside_the_visible_area_and_apart() -> None:
    spec = scene(
        ActorSpec("a", "A", "bone", "#eeeeee"),
        ActorSpec("b", "B", "nerve", "#ffd700"),
        ActorSpec("tiny", "Tiny", "nerve", "#ffd700"),
    )
    masks = {k: np.zeros((200, 300), bool) for k in ("a", "b", "tiny")}
    masks["a"][20:180, 20:140] = True  # a big block
    masks["b"][95:105, 150:290] = True  # a thin horizontal band
    masks["tiny"][5:8, 5:8] = True  # fewer pixels than a pin needs
    pins = place_pins(spec.label_order(), masks, limit=10, radius=8)
    assert [p.structure_id for p in pins] == ["b", "a"]  # nerves first; tiny left out
    assert [p.number for p in pins] == [1, 2]
    for pin in pins:
        assert masks[pin.structure_id][pin.y, pin.x]
    b = pins[0]
    assert 180 <= b.x <= 260  # mid-way along the band, not at an end
    a = pins[1]
    assert 40 <= a.x <= 120 and 40 <= a.y <= 160
    assert MIN_LABEL_PIXELS > 9


def test_limit_and_edges() -> None:
    spec = scene(*(ActorSpec(f"s{i}", f"S{i}", "bone", "#eeeeee") for i in range(5)))
    masks = {f"s{i}": np.ones((100, 100), bool) for i in range(5)}
    pins = place_pins(spec.label_order(), masks, limit=3, radius=10)
    assert len(pins) == 3
    for pin in pins:
        assert 12 <= pin.x <= 87 and 12 <= pin.y <= 87  # a whole pin fits in the image
    for p in pins:
        for q in pins:
            if p is not q:
                assert (p.x - q.x) ** 2 + (p.y - q.y) ** 2 >= (2 * 10) ** 2
