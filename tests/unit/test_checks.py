"""The validation battery: each named check catches its own broken fixture, and only it."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from atlas_app.validation import CHECKS, LOAD_CHECKS, validate_atlas
from tests.conftest import BROKEN, MINI_ATLAS

ALL_CHECKS = sorted([*CHECKS, *LOAD_CHECKS])


def overlay(base: Path, broken: Path, dest: Path) -> Path:
    shutil.copytree(base, dest)
    for f in broken.iterdir():
        if f.is_dir():  # a folder that stands where a file should
            shutil.copytree(f, dest / f.name)
        else:
            shutil.copy(f, dest / f.name)
    return dest


def test_mini_atlas_is_clean():
    _, faults = validate_atlas(MINI_ATLAS)
    assert faults == []


def test_every_check_has_a_broken_fixture():
    assert sorted(p.name for p in BROKEN.iterdir() if p.is_dir()) == ALL_CHECKS


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_broken_fixture_fails_exactly_its_check(check: str, tmp_path: Path):
    atlas_dir = overlay(MINI_ATLAS, BROKEN / check, tmp_path / "atlas")
    _, faults = validate_atlas(atlas_dir)
    assert faults, f"{check}: the broken fixture passed validation"
    assert {f.check for f in faults} == {check}, [str(f) for f in faults]
    for f in faults:
        assert (atlas_dir / Path(f.file).name).exists() or f.file.endswith(Path(f.file).name)
        assert f.line >= 1 and f.field and f.problem


def test_fault_names_file_line_and_field(tmp_path: Path):
    atlas_dir = overlay(MINI_ATLAS, BROKEN / "radii_match_points", tmp_path / "atlas")
    _, faults = validate_atlas(atlas_dir)
    (fault,) = faults
    assert fault.file.endswith("structures.yaml")
    lines = (atlas_dir / "structures.yaml").read_text().splitlines()
    assert "radius" in lines[fault.line - 1]
    assert fault.field == "vessel.geometry.radius"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "atlas_app", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_validate_clean_prints_one_line_summary():
    result = run_cli("validate", str(MINI_ATLAS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("ok:")


def test_cli_validate_broken_prints_faults_and_fails(tmp_path: Path):
    atlas_dir = overlay(MINI_ATLAS, BROKEN / "citations_resolve", tmp_path / "atlas")
    result = run_cli("validate", str(atlas_dir))
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    file_, line, field, problem = first.split(":", 3)
    assert file_.endswith("landmarks.yaml") and int(line) > 0
    assert field.strip() == "junction.source.0.ref" and "paper_z" in problem
    assert "Traceback" not in result.stderr


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    op = rng.randrange(5)
    i = rng.randrange(len(lines))
    if op == 0:
        del lines[i]
    elif op == 1:
        lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    elif op == 2:
        lines.insert(i, rng.choice(["- [", "  : :", "\t", "x: !!python/object:os.system", "]]"]))
    elif op == 3:
        lines[i] = lines[i].replace(":", "", 1)
    else:
        lines[i] = lines[i].replace("0", rng.choice(["nan", "'a'", "[]", "{}", "1e999"]))
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(60))
def test_random_damage_never_raises(seed: int, tmp_path: Path):
    """Whatever happens to a file, validate reports faults; it never crashes."""
    rng = random.Random(seed)
    atlas_dir = tmp_path / "atlas"
    shutil.copytree(MINI_ATLAS, atlas_dir)
    victim = rng.choice(sorted(atlas_dir.glob("*.yaml")))
    victim.write_text(_mutate(victim.read_text(), rng))
    validate_atlas(atlas_dir)  # must not raise


def test_unsafe_yaml_tags_are_refused(tmp_path: Path):
    atlas_dir = tmp_path / "atlas"
    shutil.copytree(MINI_ATLAS, atlas_dir)
    (atlas_dir / "evil.yaml").write_text(
        "schema_version: 1\nlandmarks: !!python/object/apply:os.system ['true']\n"
    )
    _, faults = validate_atlas(atlas_dir)
    assert [f.check for f in faults] == ["yaml_tag"]
