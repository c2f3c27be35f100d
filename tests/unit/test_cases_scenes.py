"""View slides become scenes by the Approaches page's rules; checks name missing ids."""

from __future__ import annotations

import pytest

from atlas_app.approaches.field_view import WALL_GROUP
from atlas_app.approaches.instruments import CORRIDOR_ID
from atlas_app.approaches.loader import load_approaches
from atlas_app.cases.checks import case_problems
from atlas_app.cases.model import CORRIDOR_CAMERA, Case, CaseError, ViewSlide
from atlas_app.cases.scenes import scene_for_slide

APPROACH = "anterior_retroperitoneal_transpsoas"


@pytest.fixture(scope="module")
def approaches(shipped_atlas):
    return load_approaches(shipped_atlas)


def shown(scene) -> set[str]:
    return {a.structure_id for a in scene.actors if a.visible}


def test_plain_view_isolates_and_highlights(shipped_atlas, approaches):
    slide = ViewSlide(
        isolate=("sacrum", "cement_leak_right"), highlight=("cement_leak_right",), camera="anterior"
    )
    _, scene = scene_for_slide(shipped_atlas, approaches, slide)
    assert shown(scene) == {"sacrum", "cement_leak_right"}
    assert scene.camera.name == "anterior"


def test_step_view_follows_the_step(shipped_atlas, approaches):
    slide = ViewSlide(approach=APPROACH, step=7, camera=CORRIDOR_CAMERA)
    specimen, scene = scene_for_slide(shipped_atlas, approaches, slide)
    step = approaches.approaches[APPROACH].steps[7]
    visible = shown(scene)
    assert CORRIDOR_ID in specimen.structures
    assert not any(specimen.structures[s].parent == WALL_GROUP for s in visible)
    at_risk = {s for s in step.at_risk if s in visible}
    assert at_risk and at_risk <= {a.structure_id for a in scene.actors if a.highlighted}
    assert scene.camera.name == CORRIDOR_CAMERA
    quiet = ViewSlide(approach=APPROACH, step=7, highlight_at_risk=False)
    _, scene = scene_for_slide(shipped_atlas, approaches, quiet)
    assert not any(a.highlighted for a in scene.actors)


def test_missing_step_is_an_error_and_a_problem(shipped_atlas, approaches):
    slide = ViewSlide(approach=APPROACH, step=99)
    with pytest.raises(CaseError, match=r"step 100 \(step: 99 in a case file\)"):
        scene_for_slide(shipped_atlas, approaches, slide)
    problems = case_problems(Case(title="t", slides=(slide,)), shipped_atlas, approaches)
    assert [p.field for p in problems] == ["slides.0.step"]


def test_fitting_case_has_no_problems(shipped_atlas, approaches):
    case = Case(title="t", approaches=(APPROACH,), slides=(ViewSlide(highlight=("sacrum",)),))
    assert case_problems(case, shipped_atlas, approaches) == []
    bad = Case(title="t", approaches=("nope",), specimen="nope")
    fields = [p.field for p in case_problems(bad, shipped_atlas, approaches)]
    assert fields == ["specimen", "approaches.0"]
