"""The no_intersections check on small synthetic atlases: the allow-list, its limits, the
variants and their combinations, and the switch in atlas.yaml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from atlas_app.geometry.contacts import survey_contacts
from atlas_app.model.loader import load_atlas
from atlas_app.validation import validate_atlas
from tests.conftest import BROKEN

ALLOWED = "allowed_contacts.yaml"


def faults_of(atlas_dir: Path, check: str = "no_intersections"):
    _, faults = validate_atlas(atlas_dir)
    return [f for f in faults if f.check == check]


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def nerve(sid: str, points, radius: float = 1.5) -> dict:
    return {
        "id": sid,
        "name": sid.replace("_", " ").capitalize(),
        "category": "nerve",
        "side": "right",
        "parent": "plexus_right",
        "color": "#ffd700",
        "description": "A nerve added by a variant.",
        "schematic": True,
        "geometry": {
            "kind": "centerline",
            "points": points,
            "radius": radius,
            "source": ["book_a"],
        },
    }


def test_an_allowed_junction_passes_and_the_same_junction_unlisted_fails(mini_atlas_copy):
    assert faults_of(mini_atlas_copy) == []
    (mini_atlas_copy / ALLOWED).unlink()
    (fault,) = faults_of(mini_atlas_copy)
    assert fault.file.endswith("structures.yaml") and fault.field == "branch_right.geometry"
    assert "'branch_right' and 'vessel' pass through each other" in fault.problem
    assert "mm deep over" in fault.problem


def test_an_allowance_bounds_how_long_a_contact_may_run(mini_atlas_copy):
    edit_yaml(
        mini_atlas_copy / ALLOWED,
        lambda d: d["allowed_contacts"][0].update(max_length_mm=5, max_depth_mm=3),
    )
    (fault,) = faults_of(mini_atlas_copy)
    assert "deeper than 3 mm and longer than 5 mm as 'junction' allows" in fault.problem


def test_an_allowance_no_specimen_uses_is_a_fault(mini_atlas_copy):
    def add(d):
        d["allowed_contacts"].append(
            {
                "id": "nerve_on_vessel",
                "pairs": [["nerve_{side}", "vessel"]],
                "reason": "Not in this atlas: they never meet.",
                "cite": ["book_a"],
            }
        )

    edit_yaml(mini_atlas_copy / ALLOWED, add)
    (fault,) = faults_of(mini_atlas_copy)
    assert fault.file.endswith(ALLOWED) and fault.field == "nerve_on_vessel.pairs.0"
    assert "do not touch in any specimen" in fault.problem


def test_an_allowance_naming_an_unknown_structure_fails_references_only(mini_atlas_copy):
    edit_yaml(
        mini_atlas_copy / ALLOWED,
        lambda d: d["allowed_contacts"][0].update(pairs=[["vessel", "branch_{side}"]]),
    )
    _, faults = validate_atlas(mini_atlas_copy)
    assert {f.check for f in faults} == {"references_resolve"}
    assert "unknown structure 'branch_left'" in faults[0].problem


def test_a_side_placeholder_on_one_sided_id_is_a_schema_fault(mini_atlas_copy):
    edit_yaml(
        mini_atlas_copy / ALLOWED,
        lambda d: d["allowed_contacts"][0].update(pairs=[["nerve_{side}", "branch_right"]]),
    )
    _, faults = validate_atlas(mini_atlas_copy)
    assert [f.check for f in faults] == ["schema"]  # and no geometry on a broken atlas
    assert "use {side} on both or neither" in faults[0].problem


def test_an_intersection_a_variant_brings_is_reported_on_its_patch(mini_atlas_copy):
    def through_vessel(d):
        option = d["variant_groups"][1]["options"][1]  # nerve_double
        option["patch"]["add"][0]["geometry"]["points"] = [[2, 10, 30], [2, 10, 10]]

    edit_yaml(mini_atlas_copy / "variants.yaml", through_vessel)
    (fault,) = faults_of(mini_atlas_copy)
    assert fault.file.endswith("variants.yaml")
    assert fault.field == "nerve_pattern.options.1.patch"
    assert "'nerve_accessory_right' and 'vessel'" in fault.problem


def test_two_options_that_meet_only_together_are_checked_together(mini_atlas_copy):
    """Each option adds a nerve clear of everything; only the two together cross."""

    def add_groups(d):
        for gid, sid, pts in (
            ("first_extra", "extra_a_right", [[40, -30, 10], [40, 30, 10]]),
            ("second_extra", "extra_b_right", [[30, 0, 10.5], [50, 0, 10.5]]),
        ):
            d["variant_groups"].append(
                {
                    "id": gid,
                    "name": gid,
                    "description": "Adds a nerve.",
                    "default": f"{gid}_absent",
                    "options": [
                        {
                            "id": f"{gid}_absent",
                            "name": "Absent",
                            "description": "No nerve.",
                            "prevalence": 0.5,
                            "cite": ["book_a"],
                        },
                        {
                            "id": f"{gid}_present",
                            "name": "Present",
                            "description": "The nerve.",
                            "prevalence": 0.5,
                            "cite": ["book_a"],
                            "patch": {"add": [nerve(sid, pts)]},
                        },
                    ],
                }
            )

    edit_yaml(mini_atlas_copy / "variants.yaml", add_groups)
    (fault,) = faults_of(mini_atlas_copy)
    assert fault.field == "second_extra.options.1.patch"
    assert "'extra_a_right' and 'extra_b_right'" in fault.problem
    assert "(with 'first_extra_present')" in fault.problem
    survey = survey_contacts(load_atlas(mini_atlas_copy))
    # the base, four options alone, and the one pair of options whose changes come near
    # each other (the mini atlas's own two options change structures far from the nerves)
    assert survey.specimens == 1 + 4 + 1


def test_switched_off_in_the_manifest_the_check_reports_nothing(tmp_path: Path):
    from tests.unit.test_checks import overlay

    atlas_dir = tmp_path / "atlas"
    overlay(BROKEN.parent / "mini_atlas", BROKEN / "no_intersections", atlas_dir)
    assert faults_of(atlas_dir)
    edit_yaml(
        atlas_dir / "atlas.yaml", lambda d: d["atlas"].update(checks={"no_intersections": False})
    )
    assert faults_of(atlas_dir) == []
    result = subprocess.run(
        [sys.executable, "-m", "atlas_app", "validate", str(atlas_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(no_intersections switched off in atlas.yaml)" in result.stdout


def test_only_listed_checks_can_be_switched_off(mini_atlas_copy):
    edit_yaml(
        mini_atlas_copy / "atlas.yaml", lambda d: d["atlas"].update(checks={"unique_ids": False})
    )
    _, faults = validate_atlas(mini_atlas_copy)
    assert {f.check for f in faults} == {"schema"}
    assert "atlas.checks.unique_ids" in {f.field for f in faults}


def test_a_structure_that_cannot_be_built_is_a_fault_not_a_crash(mini_atlas_copy):
    def repeat_a_point(d):
        g = d["structures"][2]["geometry"]  # nerve_right
        g["points"] = [g["points"][0], g["points"][0], *g["points"][1:]]
        g["radius"] = 2.5

    edit_yaml(mini_atlas_copy / "structures.yaml", repeat_a_point)
    (fault,) = faults_of(mini_atlas_copy)
    assert fault.field == "nerve_right.geometry"
    assert "cannot build: two consecutive control points coincide" in fault.problem
