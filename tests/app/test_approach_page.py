"""The Approaches page's words agree with its geometry (issue 13), under AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "atlas_app" / "streamlit_app.py"
TIMEOUT = 180


def open_step(approach: str, step_id: str) -> AppTest:
    from atlas_app.approaches.loader import load_approaches
    from atlas_app.model.loader import load_atlas
    from atlas_app.paths import DEFAULT_ATLAS_DIR

    steps = [
        s.id for s in load_approaches(load_atlas(DEFAULT_ATLAS_DIR)).approaches[approach].steps
    ]
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("app_pages/approaches.py").run()
    at.selectbox(key="approach.id").set_value(approach).run()
    at.select_slider(key="approach.step").set_value(steps.index(step_id)).run()
    assert not at.exception
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.mark.parametrize("step_id", ["retract_iliac_vessels", "cement_removal"])
def test_iliac_retraction_page_shows_the_vessels_out_of_the_path(step_id):
    """Issue 13: the table said "Right external iliac artery inside (−17.8 mm) … moved by
    retraction 0.0 mm" at the step whose point is to move it."""
    at = open_step("iliac_retraction", step_id)
    text = markdown(at)
    path = text.split("In the path to the target", 1)[-1].split("**At the target**")[0]
    in_the_way = [x[2:].split(":")[0] for x in path.splitlines() if x.startswith("- ")]
    assert in_the_way, "the iliolumbar artery and genital branch are named"
    for name in in_the_way:
        assert not any(v in name.lower() for v in ("iliac artery", "iliac vein", "ureter")), name
    blades = at.table[0].value
    eia = blades[blades["Held aside"] == "Right external iliac artery"].iloc[0]
    assert eia["How far"] == "15 mm medially"
    assert eia["To clear the path"].endswith("mm") or eia["To clear the path"] == "already clear"


def test_transpsoas_page_says_why_the_genitofemoral_nerve_stays_in_the_path():
    at = open_step("anterior_retroperitoneal_transpsoas", "handheld_retraction")
    text = markdown(at)
    assert "Right psoas major" in text and "passes through it" in text
    line = next(x for x in text.splitlines() if x.startswith("- Genitofemoral nerve (right)"))
    assert "mm into the path" in line and "kept in view" in line
