"""The anatomy pages serve a damaged atlas: what is broken is named, the rest is shown, and
no page shows a traceback (issue 15: a truncated mesh gave a pyvista TypeError on Atlas and
Approaches; a missing sacrum, a KeyError on Sacroplasty).

The pages run in a child process with ``ATLAS_DATA_DIR`` pointing at a damaged copy (the
atlas is cached per process, so it cannot be swapped inside this one).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from atlas_app.paths import DEFAULT_ATLAS_DIR
from tests.hostile.corpus import PAYLOADS, _payload_case

REPO = Path(__file__).resolve().parents[2]
PAGES = ("atlas", "approaches", "compare", "variability", "sacroplasty", "quiz", "about")

RUN_PAGES = """
import json, sys
from streamlit.testing.v1 import AppTest
out = {}
for page in sys.argv[1:]:
    at = AppTest.from_file("atlas_app/streamlit_app.py", default_timeout=300)
    if page != "atlas":
        at.switch_page(f"app_pages/{page}.py")
    at.run()
    shown = " ".join(str(getattr(e, "value", "")) for e in [*at.expander, *at.code, *at.error])
    out[page] = {"exceptions": [str(e.value) for e in at.exception], "shown": shown}
print("RESULT " + json.dumps(out))
"""


def _payload(name: str):
    return next(p for p in PAYLOADS if p.name == name)


@pytest.fixture(scope="module")
def damaged_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("damaged") / "atlas"
    shutil.copytree(DEFAULT_ATLAS_DIR, root)
    for mesh in ("sacrum.vtp", "l5_vertebra.vtp"):  # truncated in the middle of a copy
        path = root / "meshes" / mesh
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    _payload_case("approaches/interaortic.yaml", _payload("billion_laughs")).damage(root)
    _payload_case("quiz/vessels.yaml", _payload("recursive_alias")).damage(root)
    _payload_case("variants.yaml", _payload("duplicate_key")).damage(root)
    env = {**os.environ, "ATLAS_DATA_DIR": str(root)}
    proc = subprocess.run(
        [sys.executable, "-c", RUN_PAGES, *PAGES],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, proc.stderr[-3000:]
    return dict(json.loads(lines[-1].removeprefix("RESULT ")))


@pytest.mark.parametrize("page", PAGES)
def test_page_serves_a_damaged_atlas_without_a_traceback(damaged_pages: dict, page: str):
    assert damaged_pages[page]["exceptions"] == []


def test_the_atlas_page_names_what_is_broken(damaged_pages: dict):
    shown = damaged_pages["atlas"]["shown"]
    assert "sacrum.vtp" in shown and "[mesh_data]" in shown
    assert "[yaml_duplicate_key]" in shown


def test_the_sacroplasty_page_says_why_it_cannot_draw(damaged_pages: dict):
    assert "sacrum could not be read" in damaged_pages["sacroplasty"]["shown"]
