"""The build's steps and its boundary: the sacroplasty records from measured points, the
prose files, the app never importing the build, and (with the source folder) a rebuild that
reproduces the shipped files byte for byte."""

from __future__ import annotations

import ast
import filecmp
import shutil
from pathlib import Path

import numpy as np
import pytest

from atlas_app.paths import DEFAULT_ATLAS_DIR
from atlas_build.prose import PROSE, load_prose
from atlas_build.sources import MANIFEST, default_source
from atlas_build.steps.measure import Measured
from atlas_build.steps.sacroplasty import sacroplasty_records

REPO = Path(__file__).resolve().parents[2]


def measured() -> Measured:
    m = Measured()
    for side, sign in (("right", 1.0), ("left", -1.0)):
        for level in (1, 2, 3, 4):
            front = np.array([sign * 20.0, -30.0 - 10 * level, -15.0 - 15 * level])
            back = front + np.array([0.0, -20.0, 10.0])
            m.points[f"s{level}_anterior_foramen_{side}"] = front
            m.points[f"s{level}_posterior_foramen_{side}"] = back
            m.foramen_areas[f"s{level}_anterior_foramen_{side}"] = np.pi * 5.0**2
            m.foramen_areas[f"s{level}_posterior_foramen_{side}"] = np.pi * 4.0**2
    return m


def test_sacroplasty_canals_run_from_the_anterior_to_the_dorsal_mouth():
    data = sacroplasty_records(measured())
    canals = {f["id"]: f for f in data["foramina"]}
    assert set(canals) == {"s1", "s2", "s3", "s4"}
    s1 = canals["s1"]
    assert s1["opening"] == {"landmark": "s1_anterior_foramen_{side}"}
    assert s1["length_mm"] == pytest.approx(np.hypot(20.0, 10.0), abs=0.1)
    assert s1["radius_mm"] == pytest.approx(5.0)
    assert s1["direction"] == pytest.approx([0.0, -0.894, 0.447], abs=1e-3)
    points = {p["id"]: p for p in data["points"]}
    assert points["s3_foramen_lateral_margin"]["where"]["offset"] == [4.0, 0.0, 0.0]
    assert points["si_joint_inferior_margin"]["where"] == {"landmark": "si_joint_inferior_{side}"}


def test_every_prose_file_loads_and_names_what_it_builds():
    for path in sorted(PROSE.glob("*.yaml")):
        if path.stem in ("variants",):
            continue
        entries = load_prose(path.stem)
        assert entries, path.name
        for e in entries.values():
            assert e.id and "{side}" not in e.id and "{level}" not in e.id


def test_the_app_never_imports_the_build():
    for path in (REPO / "atlas_app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "atlas_build" for n in names), path


@pytest.mark.slow
def test_rebuilding_reproduces_the_shipped_files_byte_for_byte(tmp_path: Path):
    source = default_source()
    if not (source / MANIFEST).is_file():
        pytest.skip(f"the adult body's source folder is absent ({source}): nothing to rebuild")
    from atlas_build.build import build

    out = tmp_path / "anatomy_data"
    shutil.copytree(DEFAULT_ATLAS_DIR, out)
    build(source, out, validate=True, log=lambda *_: None)
    different = []
    for shipped in DEFAULT_ATLAS_DIR.rglob("*"):
        if shipped.is_file():
            rebuilt = out / shipped.relative_to(DEFAULT_ATLAS_DIR)
            if not filecmp.cmp(shipped, rebuilt, shallow=False):
                different.append(str(shipped.relative_to(DEFAULT_ATLAS_DIR)))
    assert not different, f"rebuilt differently: {different}"
