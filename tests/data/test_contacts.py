"""The contact survey on the shipped atlas.

While the shipped atlas switches ``no_intersections`` off (the adult body's last contacts are
being resolved, issue 11), the survey still runs here: the contacts anatomy allows are found
and named by their entry. Once it is switched on, ``validate`` holds the atlas to it and these
tests skip. (The SPL CT's intersections that issue 11 listed went with that model.)
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


def found(survey: Survey, a: str, b: str):
    pair = {a, b}
    return next((f for f in survey.findings if {f.intersection.a, f.intersection.b} == pair), None)


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


def test_every_variant_option_and_interacting_pair_is_measured(survey, shipped_atlas):
    options = sum(len(g.options) - 1 for g in shipped_atlas.variant_groups.values())
    assert survey.specimens > 1 + options  # the base, each option, and some pairs
    assert survey.unused_allowances == ()
