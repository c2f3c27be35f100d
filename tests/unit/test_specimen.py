"""Variants → specimen on the small test atlas: parsing, patches, warps, mirrors, sampling."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import (
    PatchError,
    SpecError,
    build_specimen,
    falloff_weights,
    format_spec,
    parse_spec,
    sample_choices,
    warp_points,
)
from tests.conftest import MINI_ATLAS


@pytest.fixture(scope="module")
def atlas():
    return load_atlas(MINI_ATLAS)


def test_default_spec_takes_every_default(atlas):
    assert parse_spec(atlas, "default") == {
        "junction_level": "junction_usual",
        "nerve_pattern": "nerve_single",
    }
    assert build_specimen(atlas).spec == "default"


def test_spec_round_trips(atlas):
    choices = parse_spec(atlas, "nerve_double, junction_low")
    assert format_spec(atlas, choices) == "junction_low,nerve_double"
    assert parse_spec(atlas, format_spec(atlas, choices)) == choices


@pytest.mark.parametrize(
    "spec, message",
    [
        ("no_such_variant", "unknown variant"),
        ("junction_low,junction_usual", "choose one"),
    ],
)
def test_bad_spec_is_refused_with_a_reason(atlas, spec, message):
    with pytest.raises(SpecError, match=message):
        parse_spec(atlas, spec)


def test_patch_adds_and_modifies_without_touching_the_base(atlas):
    base_radius = atlas.structures["nerve_right"].geometry.radius
    s = build_specimen(atlas, "nerve_double")
    assert "nerve_accessory_right" in s.structures
    assert s.structures["nerve_right"].geometry.radius == [2, 2, 2]
    assert atlas.structures["nerve_right"].geometry.radius == base_radius
    assert "nerve_accessory_right" not in build_specimen(atlas).structures


def test_mirror_reflects_across_the_midsagittal_plane(atlas):
    s = build_specimen(atlas)
    right = np.array(s.structures["nerve_right"].geometry.points)
    left = np.array(s.structures["nerve_left"].geometry.points)
    assert np.allclose(left, right * [-1, 1, 1])


def test_mirror_follows_the_variant_of_its_source(atlas):
    s = build_specimen(atlas, "nerve_double")
    assert s.structures["nerve_left"].geometry.radius == [2, 2, 2]


def test_warp_moves_the_junction_and_keeps_vessels_joined(atlas):
    s = build_specimen(atlas, "junction_low")
    vessel = np.array(s.structures["vessel"].geometry.points)
    branch = np.array(s.structures["branch_right"].geometry.points)
    assert np.allclose(vessel[-1], [0, 12, -40])
    assert np.allclose(vessel[-1], branch[0])
    assert np.allclose(s.landmarks["junction"], [0, 12, -40])
    assert np.allclose(vessel[0], atlas.structures["vessel"].geometry.points[0])


def test_warp_is_smooth():
    """Tissue moves, it does not jump: displacement decays without a step, and the field is
    flat at the junction (directions there are kept) and at its reach."""
    pts = np.stack([np.zeros(101), np.zeros(101), np.linspace(0, 100, 101)], axis=1)
    moved = warp_points(pts, np.array([0.0, 0, 100]), np.array([10.0, 0, 0]), reach=50)
    dx = moved[:, 0]
    assert dx[-1] == pytest.approx(10) and dx[0] == 0
    assert np.all(np.diff(dx) >= -1e-12)
    assert np.abs(np.diff(dx)).max() < 0.4  # no jump between 1 mm samples
    assert dx[-1] - dx[-2] < 0.01 and dx[51] - dx[50] < 0.01  # flat at both ends
    w = falloff_weights(np.array([0.0, 25.0, 50.0, 80.0]), 50.0)
    assert w.tolist() == pytest.approx([1.0, 0.5, 0.0, 0.0])


def test_warp_carries_the_branches_that_follow_and_keeps_their_joins(atlas):
    from atlas_app.model.schema import Warp
    from atlas_app.model.specimen import apply_warp

    structures = dict(atlas.structures)
    landmarks = {k: v.point for k, v in atlas.landmarks.items()}
    before = np.array(structures["branch_right"].geometry.points)
    warp = Warp(
        ends={"vessel": "end"},
        follow=["branch_right", "absent_vein"],
        by=(0, 0, -10),
        falloff_mm=40,
        landmark="junction",
    )
    apply_warp(structures, landmarks, warp)  # an absent follower is skipped
    vessel = np.array(structures["vessel"].geometry.points)
    branch = np.array(structures["branch_right"].geometry.points)
    assert np.allclose(vessel[-1], branch[0])  # moved together: the join holds
    assert np.allclose(branch[0], before[0] + [0, 0, -10])
    assert 0 > branch[1][2] - before[1][2] > -10  # farther on, less


@pytest.mark.parametrize("falloff, ok", [(31.0, False), (31.5, True)])
def test_a_warp_too_short_for_its_move_would_fold_and_is_refused(falloff, ok):
    from pydantic import ValidationError

    from atlas_app.model.schema import Warp

    make = lambda: Warp(ends={"v": "end"}, by=(0, 0, -10), falloff_mm=falloff)  # noqa: E731
    if ok:
        assert make().falloff_mm == falloff
    else:
        with pytest.raises(ValidationError, match="under π"):
            make()


def test_warps_come_after_every_variant_s_records(atlas):
    """A warp carries a structure that a variant of a later group adds."""
    from dataclasses import replace

    from atlas_app.model.schema import Patch

    low = atlas.variant_groups["junction_level"]
    warp = (
        low.options[1]
        .patch.warp[0]
        .model_copy(update={"follow": ["nerve_accessory_right"], "falloff_mm": 80.0})
    )
    options = [low.options[0], low.options[1].model_copy(update={"patch": Patch(warp=[warp])})]
    groups = {**atlas.variant_groups, "junction_level": low.model_copy(update={"options": options})}
    assert list(groups) == ["junction_level", "nerve_pattern"]  # the adding group comes later
    s = build_specimen(replace(atlas, variant_groups=groups), "junction_low,nerve_double")
    added = atlas.variant_groups["nerve_pattern"].options[1].patch.add[0]
    moved = np.array(s.structures["nerve_accessory_right"].geometry.points)
    assert np.all(moved[:, 2] < np.array(added.geometry.points)[:, 2])


def test_patch_on_a_missing_structure_is_a_patch_error(atlas):
    from atlas_app.model.schema import Patch
    from atlas_app.model.specimen import apply_patch

    with pytest.raises(PatchError, match="no structure"):
        apply_patch(dict(atlas.structures), {}, Patch(remove=["ghost"]))


def test_sampling_is_reproducible_and_follows_prevalence(atlas):
    a = sample_choices(atlas, 4000, seed=7)
    assert a == sample_choices(atlas, 4000, seed=7)
    assert a != sample_choices(atlas, 4000, seed=8)
    low = Counter(c["junction_level"] for c in a)["junction_low"] / len(a)
    assert low == pytest.approx(0.3, abs=0.03)


def test_prevalence_of_a_specimen_multiplies_its_choices(atlas):
    s = build_specimen(atlas, "junction_low,nerve_double")
    assert s.prevalence(atlas) == pytest.approx(0.3 * 0.25)


def test_an_unreported_split_is_said_so_and_names_keep_their_capitals(shipped_atlas):
    """The L4/L5 joining sites have no published frequencies: their pickers said "33 %"."""
    from atlas_app.model.prevalence import option_label, prevalence_text, spec_names
    from atlas_app.scene.compose import variant_names

    atlas = shipped_atlas
    lst = atlas.variant_groups["lst_formation_right"]
    labels = [option_label(lst, o) for o in lst.options]
    assert all(label.endswith("(frequency not reported)") for label in labels), labels
    assert not any("33" in label for label in labels)
    l4 = atlas.variant_groups["l4_root_pattern_right"]
    doubled = next(o for o in l4.options if o.id == "l4_double_right")
    assert prevalence_text(l4, doubled) == "25%", "a published share as it is"
    vessels = atlas.variant_groups["great_vessel_levels"]
    assert all(prevalence_text(vessels, o).endswith("%, inferred") for o in vessels.options)
    spec = "confluence_l4_l5,lst_below_ala_right"
    words = spec_names(atlas, spec)
    assert "confluence_l4_l5" not in words and "Where L4 joins L5 (right): Below the joint" in words
    names = variant_names(build_specimen(atlas, spec), atlas)
    assert "Where L4 joins L5 (right): Below the joint" in names
    assert not any("where l4" in n for n in names)
