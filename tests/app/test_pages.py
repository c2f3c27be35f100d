"""Every page under Streamlit's AppTest: it runs without exceptions and sends what it should."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from atlas_app.scene.viewer_payload import MAGIC, unpack
from tests.app.viewer_messages import scene_ids, viewer_header, viewer_message

APP = Path(__file__).resolve().parents[2] / "atlas_app" / "streamlit_app.py"
TIMEOUT = 180


def run_page(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if page is not None:
        at.switch_page(f"app_pages/{page}.py")
    return at.run()


@pytest.fixture(scope="module")
def atlas_page() -> AppTest:
    return run_page()


def test_atlas_page_runs_and_sends_a_3d_scene(atlas_page: AppTest):
    assert not atlas_page.exception
    message = viewer_message(atlas_page)
    header = viewer_header(atlas_page)
    # The first view carries its surfaces (once) and stays well under 0.5 MB.
    assert 100_000 < len(message) < 450_000
    assert len(header["blobs"]) == len(header["scene"]["actors"])
    assert "lumbosacral_trunk_right" in scene_ids(atlas_page)
    assert header["view"]["selected"] == "lumbosacral_trunk_right"


def test_a_rerun_sends_the_scene_without_its_surfaces():
    at = run_page()
    first = viewer_header(at)
    at.run()
    again = viewer_header(at)
    assert again["blobs"] == [] and again["scene"] == first["scene"]
    assert len(viewer_message(at)) < 60_000


def boot_messages(at: AppTest) -> list[bytes]:
    """The first-view messages a page put in placeholders for the page shell (base64 text)."""
    found = []
    for text in at.get("text"):
        try:
            data = base64.b64decode(getattr(text, "value", ""), validate=True)
        except (ValueError, TypeError):
            continue
        if data[:4] == MAGIC:
            found.append(data)
    return found


def test_a_first_view_puts_its_surfaces_in_a_placeholder_for_the_page_shell(monkeypatch):
    """Served with the shell's script (serve.py), the atlas's first view puts its whole
    message in a placeholder the shell draws at once; the component gets the scene only,
    naming the same placeholder, so it adopts that view. Later runs: no placeholder."""
    monkeypatch.setattr("atlas_app.web.preload._boots", True)
    at = run_page()
    assert not at.exception
    (early,) = boot_messages(at)
    boot_header, blobs = unpack(early)
    header = viewer_header(at)
    assert header["blobs"] == [] and header["scene"] == boot_header["scene"]
    assert len(blobs) == len(header["scene"]["actors"])
    assert header["view"] == boot_header["view"] and len(header["view"]["boot"]) == 16
    assert len(viewer_message(at)) < 60_000 and len(early) < 450_000
    at.run()
    assert boot_messages(at) == []
    again = viewer_header(at)
    assert "boot" not in again["view"] and again["blobs"] == []


def test_about_page_names_sources_and_licences():
    at = run_page("about")
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "BodyParts3D" in text and "Z-Anatomy" in text and "GPL-3.0-or-later" in text
    assert "CC BY-SA 2.1 Japan" in text and "CC BY-SA 4.0" in text
    assert "SPL" not in text, "the retired CT atlas is not named as a source"
    assert "Ebraheim 1997" in text


def test_picking_a_variant_changes_the_scene_sent():
    at = run_page()
    before = viewer_header(at)["scene"]
    at.selectbox(key="variant.lst_formation_right").set_value("lst_above_ala_right").run()
    assert not at.exception
    after = viewer_header(at)
    assert after["scene"]["key"] != before["key"]
    assert "Above the joint" in after["scene"]["title"]  # the view's title names the variant
    # Only what the variant changed travels: the moved nerves, not the bones.
    sent = {b["digest"] for b in after["blobs"]}
    moved = {a["id"] for a in after["scene"]["actors"] if a["mesh"] in sent}
    assert moved and not moved & {"sacrum", "l5_vertebra", "hip_bone_right"}


def test_vessel_level_shares_say_they_are_inferred(atlas_page: AppTest):
    """No study publishes how the two levels combine: the picker and its help say so."""
    picker = atlas_page.selectbox(key="variant.great_vessel_levels")
    assert picker.options and all(o.endswith("%, inferred)") for o in picker.options)
    assert "Aorta divides at L4, veins join at L5 (34%, inferred)" in picker.options
    assert "inferred from the published levels" in (picker.help or "")
    lst = atlas_page.selectbox(key="variant.l4_root_pattern_right")
    assert "Doubled (25%)" in lst.options  # a published share carries no flag


def test_hiding_a_system_removes_it_from_the_payload():
    at = run_page()
    assert "psoas_major_right" in scene_ids(at)
    at.pills(key="atlas.systems").set_value(
        ["bone", "artery", "vein", "nerve", "viscus", "pathology"]
    ).run()
    assert not at.exception
    shown = scene_ids(at)
    assert not shown & {"psoas_major_right", "psoas_major_left", "iliacus_right"}
    assert "sacrum" in shown


def test_random_specimen_sets_every_picker():
    at = run_page()
    next(b for b in at.button if b.label == "Random specimen").click().run()
    assert not at.exception
    assert any("Random specimen, seed" in c.value for c in at.caption)


def test_selected_structure_panel_shows_cited_figures():
    at = run_page()
    at.selectbox(key="atlas.selected").set_value("lumbosacral_trunk_right").run()
    tables = [m.value for m in at.markdown if m.value.startswith("| Measure")]
    assert tables, "the figures table"
    assert "Ebraheim 1997" in tables[0] and "11.4 ± 1.8 mm" in tables[0]


def test_a_broken_data_file_leaves_the_atlas_serving(tmp_path, monkeypatch):
    """A structure file that fails validation: the page still serves the rest and says why."""
    import shutil

    import streamlit as st

    import atlas_app.ui.resources as resources
    from atlas_app.paths import DEFAULT_ATLAS_DIR

    broken = tmp_path / "atlas"
    shutil.copytree(DEFAULT_ATLAS_DIR, broken)
    f = broken / "structures" / "authored.yaml"
    f.write_text(f.read_text().replace("category: nerve", "category: nerf", 1))
    monkeypatch.setattr(resources, "DEFAULT_ATLAS_DIR", broken)
    st.cache_resource.clear()
    try:
        at = run_page()
        assert not at.exception
        assert any("problem(s) in the atlas data" in e.label for e in at.expander)
        assert "authored.yaml" in " ".join(c.value for c in at.code)
        assert len(scene_ids(at)) > 30, "the rest of the atlas is still drawn"
    finally:
        st.cache_resource.clear()


def test_only_the_ui_layer_imports_streamlit():
    import ast

    root = APP.parent
    allowed = {root / "streamlit_app.py", root / "serve.py"}  # the entry and its server
    for path in root.rglob("*.py"):
        if path in allowed or path.parent.name in ("ui", "app_pages"):
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in ("streamlit", "stpyvista"), (
                    f"{path.relative_to(root)} imports {name}"
                )


def test_approach_page_walks_its_steps_and_shows_metrics():
    at = run_page("approaches")
    assert not at.exception
    first = viewer_header(at)["scene"]
    next_button = next(b for b in at.button if b.label == "Next")
    next_button.click().run()
    next_button = next(b for b in at.button if b.label == "Next")
    next_button.click().run()
    next_button = next(b for b in at.button if b.label == "Next")
    next_button.click().run()
    assert not at.exception
    assert at.select_slider(key="approach.step").value == 3
    step = viewer_header(at)
    assert step["scene"]["key"] != first["key"], "the scene changes with the step"
    assert "Step 4 of" in step["scene"]["title"]
    assert len(viewer_message(at)) < 60_000, "a step change sends little"
    assert any(m.value.startswith("| Structure | Gap to corridor") for m in at.markdown)
    assert {m.label for m in at.metric} >= {"Corridor depth", "Target surface exposed"}


def test_iliac_retraction_warns_about_the_iliolumbar_vein():
    at = run_page("approaches")
    at.selectbox(key="approach.id").set_value("iliac_retraction").run()
    steps = len(at.select_slider(key="approach.step").options)
    texts = []
    for i in range(steps):
        at.select_slider(key="approach.step").set_value(i).run()
        assert not at.exception, i
        texts += [e.value for e in [*at.info, *at.error, *at.warning]]
    assert any("Iliolumbar vein (right)" in t and "tied and divided" in t for t in texts)


def test_atlas_panel_names_the_approaches_that_endanger_a_structure():
    at = run_page()
    at.selectbox(key="atlas.selected").set_value("common_iliac_vein_right").run()
    text = " ".join(m.value for m in at.markdown)
    assert "**Endangered by**" in text and "Iliac retraction" in text


def test_the_run_log_records_the_server_time_of_each_run(tmp_path, monkeypatch):
    import json

    log = tmp_path / "runs.jsonl"
    monkeypatch.setenv("ATLAS_RUN_LOG", str(log))
    at = run_page("about")
    assert not at.exception
    (line,) = [json.loads(x) for x in log.read_text().splitlines()]
    assert line["page"] == "about" and 0 < line["seconds"] < 600
