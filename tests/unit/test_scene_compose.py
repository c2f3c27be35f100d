"""compose_scene's rules (hide, isolate, highlight, translucent muscles) and the text
alternative, on the small test atlas plus a muscle and a bone."""

from __future__ import annotations

from dataclasses import replace

import pytest

from atlas_app.model.camera import CameraSpec
from atlas_app.model.loader import load_atlas
from atlas_app.model.schema import Structure
from atlas_app.model.specimen import Specimen, build_specimen
from atlas_app.scene.compose import (
    GREY_ACCENT,
    MUSCLE_OPACITY,
    compose_scene,
    describe_scene,
    dim_color,
    vivid_color,
)
from tests.conftest import MINI_ATLAS


def _solid(
    sid: str,
    name: str,
    category: str,
    color: str,
    center: tuple[float, ...],
    size: tuple[float, ...],
) -> Structure:
    return Structure.model_validate(
        {
            "id": sid,
            "name": name,
            "category": category,
            "side": "right",
            "color": color,
            "description": f"A test {category} on the right.",
            "geometry": {
                "kind": "parametric",
                "shape": "ellipsoid",
                "center": list(center),
                "size": list(size),
                "source": ["book_a"],
            },
        }
    )


@pytest.fixture(scope="module")
def atlas():
    return load_atlas(MINI_ATLAS)


@pytest.fixture(scope="module")
def specimen(atlas) -> Specimen:
    """The mini atlas's default specimen with a right psoas and a right hip bone added."""
    base = build_specimen(atlas)
    extra = {
        "psoas_right": _solid(
            "psoas_right", "Psoas (right)", "muscle", "#c0504d", (25, -10, 0), (20, 20, 80)
        ),
        "hip_right": _solid(
            "hip_right", "Hip bone (right)", "bone", "#e8dcc0", (60, -20, -40), (40, 60, 60)
        ),
    }
    return replace(base, structures={**base.structures, **extra})


def ids(actors) -> set[str]:
    return {a.structure_id for a in actors}


def test_default_shows_everything_in_its_own_colour(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen)
    assert [a.structure_id for a in spec.actors] == list(specimen.structures)
    for a in spec.actors:
        s = specimen.structures[a.structure_id]
        assert a.visible and not a.highlighted and a.opacity == 1.0
        assert a.color == s.color.lower()
        assert a.label == s.name and a.category == s.category
    assert spec.camera.name == "anterior"
    assert spec.specimen == "default"
    assert spec.title == "Anterior view"


def test_hidden_categories_and_structures(atlas, specimen) -> None:
    spec = compose_scene(
        atlas, specimen, hidden_categories=["artery"], hidden_structures=["nerve_left"]
    )
    assert ids(spec.visible_actors) == {"nerve_right", "psoas_right", "hip_right"}
    assert len(spec.actors) == len(specimen.structures)  # hidden ones stay, not visible


def test_unknown_category_is_refused(atlas, specimen) -> None:
    with pytest.raises(ValueError, match="arteries"):
        compose_scene(atlas, specimen, hidden_categories=["arteries"])


def test_isolate_shows_only_those_even_if_their_category_is_hidden(atlas, specimen) -> None:
    spec = compose_scene(
        atlas, specimen, isolate=["nerve_right", "vessel"], hidden_categories=["nerve"]
    )
    assert ids(spec.visible_actors) == {"nerve_right", "vessel"}
    one = compose_scene(atlas, specimen, isolate="nerve_right")
    assert ids(one.visible_actors) == {"nerve_right"}


def test_the_camera_frames_what_is_visible(atlas, specimen) -> None:
    whole = compose_scene(atlas, specimen)
    one = compose_scene(atlas, specimen, isolate=["branch_right"])
    assert one.camera.distance < whole.camera.distance
    assert one.camera.focal_point != whole.camera.focal_point


def test_highlight_stands_out_and_dims_the_rest(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen, highlight=["nerve_right"])
    hi = spec.actor("nerve_right")
    assert hi.highlighted and hi.opacity == 1.0
    assert hi.color == vivid_color("#ffd700")
    for a in spec.actors:
        if a.structure_id != "nerve_right":
            assert not a.highlighted
            assert a.color == dim_color(specimen.structures[a.structure_id].color)
            assert a.opacity == 1.0  # dimmed by colour, not by transparency
    assert spec.legend[0].highlighted and spec.legend[0].structure_ids == ("nerve_right",)


def test_dimmed_colours_are_greyer_and_vivid_ones_brighter() -> None:
    def spread(color: str) -> int:
        rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
        return max(rgb) - min(rgb)

    assert spread(dim_color("#cc0000")) < spread("#cc0000")
    assert spread(vivid_color("#c0504d")) > spread("#c0504d")
    assert vivid_color("#808080") == GREY_ACCENT  # a grey or white gets a hue
    assert vivid_color("#f4f4f0") == GREY_ACCENT


def test_translucent_muscles_only_muscles_and_never_a_highlighted_one(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen, translucent_muscles=True)
    assert {a.structure_id for a in spec.actors if a.translucent} == {"psoas_right"}
    assert spec.actor("psoas_right").opacity == MUSCLE_OPACITY
    lit = compose_scene(atlas, specimen, translucent_muscles=True, highlight=["psoas_right"])
    assert not any(a.translucent for a in lit.actors)
    assert lit.actor("psoas_right").highlighted


def test_ids_missing_from_the_specimen_are_ignored(atlas, specimen) -> None:
    spec = compose_scene(
        atlas,
        specimen,
        highlight=["accessory_obturator_nerve_right"],
        hidden_structures=["not_here"],
    )
    assert not any(a.highlighted for a in spec.actors)
    assert all(a.visible for a in spec.actors)


def test_camera_preset_or_ready_camera(atlas, specimen) -> None:
    assert compose_scene(atlas, specimen, camera="lateral_right").camera.name == "lateral_right"
    mine = CameraSpec("custom", "My view", (1.0, 2.0, 3.0), (0.0, 0.0, 0.0), (0.0, 0.0, 1.0))
    assert compose_scene(atlas, specimen, camera=mine).camera == mine
    with pytest.raises(ValueError, match="known"):
        compose_scene(atlas, specimen, camera="from_below")


def test_variants_are_named_in_the_title(atlas) -> None:
    spec = compose_scene(atlas, build_specimen(atlas, "nerve_double"))
    assert spec.specimen == "nerve_double"
    assert "Nerve pattern: Doubled" in spec.title
    assert spec.key() != compose_scene(atlas, build_specimen(atlas)).key()


def test_legend_has_one_line_per_visible_system(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen, hidden_categories=["bone"])
    labels = [e.label for e in spec.legend]
    assert labels == ["Muscles", "Arteries", "Nerves"]
    arteries = spec.legend[1]
    assert set(arteries.structure_ids) == {"vessel", "branch_right"}


def test_same_choices_give_the_same_key(atlas, specimen) -> None:
    a = compose_scene(atlas, specimen, hidden_categories=("bone",), highlight={"nerve_right"})
    b = compose_scene(atlas, specimen, hidden_categories=["bone"], highlight=["nerve_right"])
    assert a == b and a.key() == b.key()


# --- The text alternative -----------------------------------------------------------


def test_description_says_direction_systems_and_structures(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen, hidden_categories=["bone"])
    text = describe_scene(spec, specimen, atlas)
    assert "from the front" in text
    assert "arteries: Vessel and Right branch" in text
    assert "Hidden: all bones." in text
    assert "Specimen: the usual anatomy" in text
    assert "Schematic" in text and "Right nerve" in text


def test_description_mentions_highlight_and_see_through(atlas, specimen) -> None:
    spec = compose_scene(
        atlas,
        specimen,
        highlight=["nerve_right"],
        translucent_muscles=True,
        hidden_structures=["nerve_left"],
        camera="right_oblique",
    )
    text = describe_scene(spec, specimen)
    assert "Highlighted: Right nerve" in text
    assert "See-through" in text and "Psoas (right)" in text
    assert "Hidden: Left nerve." in text
    assert "right sacral ala" in text


def test_description_of_a_hidden_highlight_and_of_nothing(atlas, specimen) -> None:
    spec = compose_scene(atlas, specimen, highlight=["vessel"], hidden_categories=["artery"])
    assert "Highlighted but hidden in this view: Vessel." in describe_scene(spec, specimen)
    empty = compose_scene(atlas, specimen, isolate=[])
    assert "Nothing is shown" in describe_scene(empty, specimen)


def test_description_names_variants(atlas) -> None:
    specimen = build_specimen(atlas, "junction_low")
    spec = compose_scene(atlas, specimen)
    assert "Level of the junction: Low" in describe_scene(spec, specimen, atlas)
    assert "junction low" in describe_scene(spec, specimen)
