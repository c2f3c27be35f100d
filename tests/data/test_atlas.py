"""The shipped atlas as data: it validates, every specimen builds, its surfaces are sound."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from atlas_app.geometry.specimen_meshes import specimen_meshes
from atlas_app.model.specimen import build_specimen, default_choices, sample_choices
from atlas_app.paths import DEFAULT_ATLAS_DIR
from atlas_app.validation import run_checks

# The CT's right iliacus is open where the scan was cut; every other surface is closed.
KNOWN_OPEN = {"iliacus_right"}


@pytest.fixture(scope="module")
def atlas(shipped_atlas):
    return shipped_atlas


def test_shipped_atlas_validates(atlas):
    assert run_checks(atlas) == []


def single_variant_specs(atlas) -> list[str]:
    return ["default"] + [
        o.id for g in atlas.variant_groups.values() for o in g.options if o.id != g.default
    ]


def test_every_variant_builds_sound_surfaces(atlas):
    assert atlas.info is not None
    (lo, hi) = atlas.info.region
    for spec in single_variant_specs(atlas):
        specimen = build_specimen(atlas, spec)
        for sid, m in specimen_meshes(atlas, specimen).items():
            b = np.asarray(m.bounds)
            assert np.all(b[0::2] >= lo) and np.all(b[1::2] <= hi), (
                f"{spec}: {sid} leaves the region"
            )
            assert m.n_cells > 0
            if sid not in KNOWN_OPEN:
                assert m.n_open_edges == 0, f"{spec}: {sid} is not closed"
                assert m.volume > 0, f"{spec}: {sid} is inside out"


def test_structures_stay_inside_their_group_bounds(atlas):
    """Surfaces (not just control points) of a plexus stay on their side."""
    spec = ",".join(g.options[-1].id for g in atlas.variant_groups.values())
    specimen = build_specimen(atlas, spec)
    meshes = specimen_meshes(atlas, specimen)
    for sid, s in specimen.structures.items():
        group = atlas.groups.get(s.parent or "")
        if group is None or group.bounds is None:
            continue
        b = np.asarray(meshes[sid].bounds)
        (lo, hi), slack = group.bounds, 6.0  # a tube's radius may overhang its points
        assert np.all(b[0::2] >= np.asarray(lo) - slack) and np.all(
            b[1::2] <= np.asarray(hi) + slack
        ), sid


def test_every_figure_and_prevalence_is_cited(atlas):
    for s in atlas.structures.values():
        for f in s.figures:
            assert f.cite, f"{s.id}.{f.id}"
    for g in atlas.variant_groups.values():
        for o in g.options:
            assert o.cite, o.id


FROM_THE_BODY = {"bodyparts3d_2009", "zanatomy_2023"}


def test_authored_structures_say_they_are_schematic(atlas):
    """Anything not taken from the adult body (BodyParts3D, Z-Anatomy) is marked schematic."""
    for s in atlas.structures.values():
        refs = {c.ref for c in getattr(s.geometry, "source", [])}
        if s.geometry.kind in ("parametric", "mirror", "offset") or not refs & FROM_THE_BODY:
            assert s.schematic, s.id


def test_sampled_specimens_follow_the_prevalences(atlas):
    choices = sample_choices(atlas, 3000, seed=11)
    counts = Counter(c["iliolumbar_veins_right"] for c in choices)
    assert counts["ilv_single_right"] / 3000 == pytest.approx(0.73, abs=0.03)
    counts = Counter(c["l4_root_pattern_right"] for c in choices)
    assert counts["l4_double_right"] / 3000 == pytest.approx(0.25, abs=0.03)
    for c in choices[:40]:
        build_specimen(atlas, c)


def test_default_specimen_takes_the_defaults(atlas):
    assert dict(build_specimen(atlas).choices) == default_choices(atlas)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "atlas_app", *args], capture_output=True, text=True, timeout=300
    )


def test_validate_cli_passes_on_the_shipped_atlas():
    result = cli("validate", str(DEFAULT_ATLAS_DIR))
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("ok:")


def test_export_json_has_the_documented_shape():
    result = cli("export", "--specimen", "default", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["frame"]["units"] == "mm"
    assert doc["landmarks"]["sacral_promontory"] == [0.0, 0.0, 0.0]
    lst = doc["structures"]["lumbosacral_trunk_right"]
    assert lst["category"] == "nerve" and lst["side"] == "right"
    assert len(lst["centerline"]) >= 2 and np.asarray(lst["centerline"]).shape[1] == 3
    assert isinstance(lst["radius"], float | list)
    for sid, s in doc["structures"].items():
        assert s["category"] in {"bone", "muscle", "artery", "vein", "nerve", "viscus", "pathology"}
        assert s["side"] in {"right", "left", "midline"}
        lo, hi = s["bounds"]
        assert all(a <= b for a, b in zip(lo, hi, strict=True)), sid


def test_export_json_follows_the_variants():
    default = json.loads(cli("export", "--format", "json").stdout)
    above = json.loads(
        cli("export", "--specimen", "lst_above_ala_right", "--format", "json").stdout
    )
    assert above["specimen"] == "lst_above_ala_right"
    assert (
        above["landmarks"]["lst_formation_right"][2]
        > default["landmarks"]["lst_formation_right"][2] + 10
    )


def test_export_refuses_an_unknown_variant_clearly():
    result = cli("export", "--specimen", "lst_sideways", "--format", "json")
    assert result.returncode == 2
    assert "unknown variant 'lst_sideways'" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("fmt", ["vtp", "stl", "glb"])
def test_export_mesh_files_are_readable(fmt, tmp_path: Path):
    import pyvista as pv

    out = tmp_path / ("scene.glb" if fmt == "glb" else "meshes")
    result = cli("export", "--specimen", "default", "--format", fmt, "--out", str(out))
    assert result.returncode == 0, result.stderr
    if fmt == "glb":
        import trimesh

        scene = trimesh.load(out)
        assert "lumbosacral_trunk_right" in scene.geometry  # type: ignore[attr-defined]
        assert len(scene.geometry) > 40  # type: ignore[attr-defined]
    else:
        files = sorted(out.glob(f"*.{fmt}"))
        assert len(files) > 40
        m = pv.read(out / f"lumbosacral_trunk_right.{fmt}")
        assert m.n_cells > 100
