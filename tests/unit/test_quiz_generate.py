"""Generated items: reproducible from (item id, seed), varied across seeds, and right."""

from __future__ import annotations

import numpy as np
import pytest

from atlas_app.approaches.loader import load_approaches
from atlas_app.model.specimen import build_specimen
from atlas_app.quiz.generate import (
    UnknownItemError,
    generate_item,
    generate_items,
    generated_ids,
)
from atlas_app.quiz.template import Context
from atlas_app.quiz.topics import TOPICS


@pytest.fixture(scope="module")
def approaches(shipped_atlas):
    return load_approaches(shipped_atlas)


@pytest.fixture(scope="module")
def ids(shipped_atlas, approaches):
    return generated_ids(Context(shipped_atlas, approaches))


def _fingerprint(item) -> tuple:
    view = item.view.scene.key() if item.view else None
    pick = item.pick.labels.tobytes() if item.pick is not None else None
    return (
        item.id,
        item.kind,
        item.stem,
        tuple((c.id, c.text) for c in item.choices),
        item.answer,
        item.value,
        view,
        item.view.spec if item.view else None,
        pick,
    )


def test_every_template_makes_items(ids):
    templates = {t for t, _ in ids.values()}
    assert templates == {
        "identify",
        "click",
        "lst_level",
        "at_risk",
        "order",
        "measure",
        "figure",
        "prevalence",
    }
    assert len(ids) > 100
    assert {topic for _, topic in ids.values()} <= set(TOPICS)


@pytest.mark.parametrize(
    "item_id",
    [
        "identify.obturator_nerve_right",
        "click.common_iliac_artery_right",
        "lst_level.lst_formation_right",
        "at_risk.iliac_retraction.retract_iliac_vessels",
        "order.interaortic",
        "measure.confluence_height",
        "figure.lumbosacral_trunk_right.width",
        "prevalence.l4_double_right",
    ],
)
def test_same_id_and_seed_give_the_same_item(shipped_atlas, approaches, item_id):
    a = generate_item(shipped_atlas, approaches, item_id, 1234)
    b = generate_item(shipped_atlas, approaches, item_id, 1234)
    assert _fingerprint(a) == _fingerprint(b)
    assert a.seed == 1234


@pytest.mark.parametrize(
    "item_id",
    [
        "identify.obturator_nerve_right",
        "lst_level.lst_formation_right",
        "at_risk.anterior_retroperitoneal_transpsoas.handheld_retraction",
        "order.anterior_retroperitoneal_transpsoas",
        "measure.confluence_height",
    ],
)
def test_attempts_vary_with_the_seed(shipped_atlas, approaches, item_id):
    seen = {_fingerprint(generate_item(shipped_atlas, approaches, item_id, s)) for s in range(12)}
    assert len(seen) > 3


def test_specimens_vary_per_attempt(shipped_atlas, approaches):
    specs = {
        generate_item(shipped_atlas, approaches, "identify.femoral_nerve_right", s).view.spec
        for s in range(15)
    }
    assert len(specs) > 5, "the specimen is drawn anew with each seed"


def test_every_generated_item_can_be_made(shipped_atlas, approaches, ids):
    for item_id, (template, topic) in ids.items():
        if template == "click" and not item_id.endswith("_right"):
            continue  # the left-side click items rasterise the same way (time)
        item = generate_item(shipped_atlas, approaches, item_id, 7)
        assert item.id == item_id and item.topic == topic and item.template == template
        assert item.stem and item.explanation and item.cite, item_id
        assert all(c.ref in shipped_atlas.references for c in item.cite), item_id
        assert 1 <= item.difficulty <= 3
        if item.kind in ("choice", "multi", "order"):
            ids_ = [c.id for c in item.choices]
            assert len(set(ids_)) == len(ids_), item_id
            assert len({c.text for c in item.choices}) == len(ids_), item_id
            assert set(item.answer) <= set(ids_), item_id
        if item.kind == "choice":
            assert len(item.answer) == 1 and len(item.choices) >= 3, item_id
        if item.kind == "numeric":
            assert item.value is not None and item.tolerance and item.unit == "mm"
        if item.view is not None:
            assert item.view.scene.title == "Quiz view", "the title must not give the answer"


def test_identify_highlights_the_answer_only(shipped_atlas, approaches):
    for seed in range(5):
        item = generate_item(shipped_atlas, approaches, "identify.femoral_nerve_right", seed)
        highlighted = [a.structure_id for a in item.view.scene.actors if a.highlighted]
        assert highlighted == ["femoral_nerve_right"]
        assert item.answer == ("femoral_nerve_right",)
        assert "femoral_nerve_right" in {a.structure_id for a in item.view.scene.visible_actors}


def test_click_items_can_be_hit(shipped_atlas, approaches):
    for seed in range(4):
        item = generate_item(shipped_atlas, approaches, "click.femoral_nerve_right", seed)
        pick = item.pick
        assert pick is not None and not any(a.highlighted for a in item.view.scene.actors)
        target = pick.ids.index("femoral_nerve_right")
        assert (pick.labels == target).sum() >= 40, "the target shows in the view"
        assert pick.labels.shape == (item.view.size[1] // 2, item.view.size[0] // 2)


def test_lst_level_answer_matches_the_geometry(shipped_atlas, approaches):
    """The answer is the specimen's own junction: higher above the ala, lower below it."""
    heights: dict[str, set[float]] = {}
    for seed in range(12):
        item = generate_item(shipped_atlas, approaches, "lst_level.lst_formation_right", seed)
        specimen = build_specimen(shipped_atlas, item.view.spec)
        assert specimen.choices["lst_formation_right"] == item.answer[0]
        z = specimen.landmarks["lst_formation_right"][2]
        heights.setdefault(item.answer[0], set()).add(round(z, 1))
    assert set(heights) == {"lst_above_ala_right", "lst_on_ala_right", "lst_below_ala_right"}
    above, on, below = (
        heights[k] for k in ("lst_above_ala_right", "lst_on_ala_right", "lst_below_ala_right")
    )
    assert min(above) > max(on) + 10 and min(on) > max(below) + 10


def test_at_risk_answers_are_the_steps_named_structures(shipped_atlas, approaches):
    approach = approaches.approaches["interaortic"]
    step = next(s for s in approach.steps if s.id == "lateral_reach")
    item = generate_item(shipped_atlas, approaches, "at_risk.interaortic.lateral_reach", 3)
    specimen = build_specimen(shipped_atlas, item.view.spec)
    assert set(item.answer) == {s for s in step.at_risk if s in specimen.structures}
    assert len(item.choices) > len(item.answer), "there are distractors"
    assert item.kind == "multi" and item.link.page == "approaches"


def test_order_items_are_never_shown_in_order(shipped_atlas, approaches):
    approach = approaches.approaches["iliac_retraction"]
    index = {s.id: i for i, s in enumerate(approach.steps)}
    for seed in range(10):
        item = generate_item(shipped_atlas, approaches, "order.iliac_retraction", seed)
        assert [index[a] for a in item.answer] == sorted(index[a] for a in item.answer)
        assert [c.id for c in item.choices] != list(item.answer)
        assert sorted(c.id for c in item.choices) == sorted(item.answer)


def test_measure_explains_the_published_value(shipped_atlas, approaches):
    item = generate_item(shipped_atlas, approaches, "measure.lst_width_right", 2)
    assert item.value == pytest.approx(11.3, abs=1.0)
    assert "Published: 11.4 ± 1.8 mm" in item.explanation
    assert item.tolerance >= 2


def test_confluence_height_follows_the_variant(shipped_atlas, approaches):
    values = {}
    for seed in range(30):
        item = generate_item(shipped_atlas, approaches, "measure.confluence_height", seed)
        specimen = build_specimen(shipped_atlas, item.view.spec)
        values[specimen.choices["great_vessel_levels"]] = item.value
    assert values["confluence_l4_l5"] > values["bifurcation_l4_body"] + 5  # L4–L5 vs L5


def test_prevalence_items_give_the_published_share(shipped_atlas, approaches):
    item = generate_item(shipped_atlas, approaches, "prevalence.l4_double_right", 5)
    assert item.choice_text(item.answer[0]) == "25%"
    assert len({c.text for c in item.choices}) == 4


def test_equal_thirds_are_not_asked_as_prevalences(ids):
    assert not [i for i in ids if i.startswith("prevalence.lst_")]


def test_inferred_joint_vessel_levels_are_not_asked_as_prevalences(ids, shipped_atlas):
    """No study publishes how the two levels combine: the quiz must not teach the split."""
    joint = {
        f"prevalence.{o.id}" for o in shipped_atlas.variant_groups["great_vessel_levels"].options
    }
    assert not joint & set(ids)


def test_unknown_ids_are_refused(shipped_atlas, approaches):
    with pytest.raises(UnknownItemError):
        generate_item(shipped_atlas, approaches, "identify.no_such_structure", 1)
    with pytest.raises(UnknownItemError):
        generate_item(shipped_atlas, approaches, "nonsense.x", 1)


def test_generate_items_by_topic(shipped_atlas, approaches):
    a = generate_items(shipped_atlas, approaches, "iliolumbar_vein", 6, seed=9)
    b = generate_items(shipped_atlas, approaches, "iliolumbar_vein", 6, seed=9)
    assert [(i.id, i.seed) for i in a] == [(i.id, i.seed) for i in b]
    assert len({i.id for i in a}) == 6 and {i.topic for i in a} == {"iliolumbar_vein"}
    assert len({i.template for i in a}) >= 3, "templates are mixed"
    c = generate_items(shipped_atlas, approaches, "iliolumbar_vein", 6, seed=10)
    assert [(i.id, i.seed) for i in a] != [(i.id, i.seed) for i in c]


def test_numbers_are_plausible_distractors():
    from atlas_app.quiz.numbers import percent_distractors, value_distractors

    rng = np.random.default_rng(0)
    for value, unit in ((11.4, "mm"), (2.14, "mm"), (75.7, "%"), (0.3, "%"), (37, "mm")):
        out = value_distractors(value, unit, rng)
        assert len(out) == 3 and len(set(out)) == 3
    for p in (0.05, 0.25, 0.73, 0.908):
        out = percent_distractors(p, rng)
        assert len(out) == 3 and all(o.endswith("%") for o in out)


# --- Stills that show the question whole, with a true scale bar (issue 13) ---------------------


def _projector(camera, size):
    """World point → pixel (x from the left, y from the top), by VTK's own camera."""
    import vtk

    cam = vtk.vtkCamera()
    cam.SetPosition(*camera.position)
    cam.SetFocalPoint(*camera.focal_point)
    cam.SetViewUp(*camera.view_up)
    cam.SetViewAngle(camera.view_angle)
    matrix = cam.GetCompositeProjectionTransformMatrix(size[0] / size[1], -1, 1)
    m = np.array([[matrix.GetElement(r, c) for c in range(4)] for r in range(4)])

    def project(point):
        x, y, _, w = m @ np.array([*point, 1.0])
        return ((x / w + 1) / 2 * size[0], (1 - y / w) / 2 * size[1])

    return project


def _corners(box):
    return [(x, y, z) for x in box[0:2] for y in box[2:4] for z in box[4:6]]


FRAMED = (
    "identify.aorta",
    "identify.l5_ventral_ramus_left",
    "measure.lst_width_right",
    "lst_level.lst_formation_right",
)


@pytest.mark.parametrize("item_id", FRAMED)
def test_the_still_shows_what_the_item_is_about_whole(shipped_atlas, approaches, item_id):
    """Before, the right oblique view stayed centred on the ala: a highlighted aorta ran off
    the top of the still."""
    from atlas_app.model.specimen import build_specimen
    from atlas_app.scene.bounds import structures_bounds

    for seed in range(3):
        item = generate_item(shipped_atlas, approaches, item_id, seed)
        view = item.view
        specimen = build_specimen(shipped_atlas, view.spec)
        about = [a.structure_id for a in view.scene.visible_actors if a.highlighted]
        box = structures_bounds([specimen.structures[s] for s in about], shipped_atlas.root)
        project = _projector(view.scene.camera, view.size)
        for corner in _corners(box):
            x, y = project(corner)
            assert -1 <= x <= view.size[0] + 1 and -1 <= y <= view.size[1] + 1, (item_id, seed)


def test_an_estimate_item_has_a_scale_bar_true_at_the_measured_depth(shipped_atlas, approaches):
    import io

    from PIL import Image

    from atlas_app.model.specimen import build_specimen
    from atlas_app.quiz.overlay import bar_length_mm, scale_bar
    from atlas_app.scene.bounds import structures_bounds

    item = generate_item(shipped_atlas, approaches, "measure.lst_width_right", 3)
    view = item.view
    assert view.px_per_mm and "scale bar" in view.caption
    specimen = build_specimen(shipped_atlas, view.spec)
    box = structures_bounds([specimen.structures["lumbosacral_trunk_right"]], shipped_atlas.root)
    centre = np.array([(box[0] + box[1]) / 2, (box[2] + box[3]) / 2, (box[4] + box[5]) / 2])
    project = _projector(view.scene.camera, view.size)
    up = np.array(view.scene.camera.view_up, float)
    (x0, y0), (x1, y1) = project(centre), project(centre + 10 * up)
    measured = np.hypot(x1 - x0, y1 - y0) / 10
    assert measured == pytest.approx(view.px_per_mm, rel=0.03)
    # The bar drawn is that many pixels long.
    blank = Image.new("RGB", view.size, "white")
    raw = io.BytesIO()
    blank.save(raw, format="PNG")
    drawn = np.asarray(Image.open(io.BytesIO(scale_bar(raw.getvalue(), view.px_per_mm))))
    row = drawn[view.size[1] - 20]
    dark = np.flatnonzero(row.sum(axis=1) < 200)
    mm = bar_length_mm(view.px_per_mm, view.size[0])
    assert dark.max() - dark.min() == pytest.approx(mm * view.px_per_mm, abs=2)
    identify = generate_item(shipped_atlas, approaches, "identify.aorta", 3)
    assert identify.view.px_per_mm is None, "only estimates carry a scale"
