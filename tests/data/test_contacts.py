"""The contact survey on the shipped atlas.

While the shipped atlas switches ``no_intersections`` off (the SPL CT model, issue 11), the
survey must still find the intersections the issue lists — the proof that the check sees
what a surgeon saw. Once the adult body switches it on, ``validate`` holds the atlas to it
and these tests of the old model skip.
"""

from __future__ import annotations

import pytest

from atlas_app.geometry.contacts import Survey, survey_contacts
from atlas_app.model.checks import switched_off


@pytest.fixture(scope="module")
def survey(shipped_atlas) -> Survey:
    if "no_intersections" not in switched_off(shipped_atlas):
        pytest.skip("no_intersections is on: validate checks the shipped atlas")
    return survey_contacts(shipped_atlas)


def found(survey: Survey, a: str, b: str):  # type: ignore[no-untyped-def]
    pair = {a, b}
    return next((f for f in survey.findings if {f.intersection.a, f.intersection.b} == pair), None)


@pytest.mark.parametrize(
    "a, b, min_length",
    [
        ("obturator_nerve_left", "external_iliac_artery_left", 30.0),  # issue 11: 32 mm
        ("internal_iliac_vein_right", "lumbosacral_trunk_right", 10.0),
        ("superior_hypogastric_plexus", "common_iliac_vein_left", 10.0),
        ("median_sacral_artery", "common_iliac_vein_left", 10.0),
        ("iliolumbar_vein_left", "psoas_major_left", 10.0),
        ("iliolumbar_vein_left", "l5_vertebra", 10.0),
        ("sympathetic_trunk_left", "l5_vertebra", 10.0),
        ("sympathetic_trunk_right", "l5_vertebra", 10.0),
    ],
)
def test_the_old_model_intersections_of_issue_11_are_found(survey, a, b, min_length):
    f = found(survey, a, b)
    assert f is not None and f.is_fault, f"{a} × {b} not reported"
    assert f.intersection.length_mm >= min_length
    assert f.intersection.depth_mm > 1.0


@pytest.mark.parametrize(
    "a, b, allowance",
    [
        ("aorta", "common_iliac_artery_right", "aortic_bifurcation"),
        ("femoral_nerve_right", "psoas_major_right", "lumbar_plexus_within_psoas"),
        ("cement_leak_right", "lumbosacral_trunk_right", "leak_on_the_l5_root"),
    ],
)
def test_anatomical_contacts_are_allowed_by_their_entry(survey, a, b, allowance):
    f = found(survey, a, b)
    assert f is not None and f.allowance == allowance and not f.is_fault


def test_l4_running_inside_l5_exceeds_what_a_join_allows(survey):
    f = found(survey, "l4_ventral_ramus_right", "l5_ventral_ramus_right")
    assert f is not None and f.is_fault and f.excess == "longer than 20 mm"


def test_every_variant_option_and_interacting_pair_is_measured(survey, shipped_atlas):
    options = sum(len(g.options) - 1 for g in shipped_atlas.variant_groups.values())
    assert survey.specimens > 1 + options  # the base, each option, and some pairs
    assert survey.unused_allowances == ()
