"""Sacroplasty geometry on the shipped atlas: needle paths, breaches, leaks, fluoroscopy,
and the loader's faults on broken data."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from atlas_app.model.specimen import build_specimen
from atlas_app.paths import DEFAULT_ATLAS_DIR
from atlas_app.sacroplasty import api, fluoro
from atlas_app.sacroplasty.fracture import describe_fill, fracture_fill
from atlas_app.sacroplasty.leaks import build_leak, cement_gap
from atlas_app.sacroplasty.loader import load_sacroplasty
from atlas_app.sacroplasty.needle.anatomy import anatomy_for
from atlas_app.sacroplasty.needle.measuring import measure_needle
from atlas_app.sacroplasty.needle.path import NeedlePath, Spheres, technique_cement, technique_paths

SIDES = ("right", "left")
DATA_FILE = DEFAULT_ATLAS_DIR / "sacroplasty" / "techniques.yaml"


@pytest.fixture(scope="module")
def data(shipped_atlas):
    loaded = load_sacroplasty(shipped_atlas)
    assert not loaded.faults, "\n".join(map(str, loaded.faults))
    return loaded


@pytest.fixture(scope="module")
def specimen(shipped_atlas):
    return build_specimen(shipped_atlas)


@pytest.fixture(scope="module")
def volume(shipped_atlas, specimen, data):
    return api.volume_for(shipped_atlas, specimen, data)


def long_axis(data, specimen, side) -> NeedlePath:
    (path,) = technique_paths(data, specimen, "long_axis", side)
    return path


# --- Needle paths -------------------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
def test_long_axis_path_stays_inside_the_ala_and_s1_body(shipped_atlas, data, specimen, side):
    path = long_axis(data, specimen, side)
    m = measure_needle(anatomy_for(shipped_atlas, specimen, data, side), path)
    assert m.enters_bone and m.tip_in_bone
    assert m.stays_in_bone, [b.kind for b in m.breaches]
    assert m.in_ala_or_s1_body
    assert m.tip_zone == 1, "the tip lies in the ala, lateral to the foramina"
    assert m.min_bone_margin_mm is not None and m.min_bone_margin_mm > 0
    assert m.foramen_gap_mm > 0
    assert not [w for w in m.warnings if w.severity == "error"]
    # The middle of S1 lies shallow in this ala (published mean 12.8 mm): said, not hidden.
    assert m.tip_to_anterior_cortex_mm is not None and 3.0 < m.tip_to_anterior_cortex_mm < 12.8
    assert any("behind the anterior cortex" in w.text for w in m.warnings)


@pytest.mark.parametrize("side", SIDES)
def test_long_axis_runs_up_the_ala_from_behind_toward_s1(data, specimen, side):
    path = long_axis(data, specimen, side)
    sign = 1 if side == "right" else -1
    assert sign * path.entry[0] > 0 and sign * path.tip[0] > 0
    d = path.direction
    assert d[2] > 0.6 and d[1] > 0.3, "upward, from the back toward the front"
    # Along the sacrum's long axis: parallel to the line of the anterior foramina.
    axis = np.array(specimen.landmarks[f"s1_anterior_foramen_{side}"]) - np.array(
        specimen.landmarks[f"s4_anterior_foramen_{side}"]
    )
    axis /= np.linalg.norm(axis)
    assert np.degrees(np.arccos(d @ axis)) < 15.0
    s1 = specimen.landmarks["s1_body_center"]
    assert path.tip[1:] == pytest.approx(s1[1:], abs=0.01), "aimed at mid-S1 on the lateral view"


@pytest.mark.parametrize("side", SIDES)
def test_short_axis_needles_stay_in_bone_and_are_several(shipped_atlas, data, specimen, side):
    paths = technique_paths(data, specimen, "short_axis", side)
    assert len(paths) >= 2
    anatomy = anatomy_for(shipped_atlas, specimen, data, side)
    for p in paths:
        m = measure_needle(anatomy, p)
        assert m.stays_in_bone and m.tip_zone == 1, p.label
        assert abs(p.direction[1]) > 0.8, "perpendicular: front to back, not up the ala"


def test_cement_column_follows_the_withdrawn_cannula(data, specimen):
    path = long_axis(data, specimen, "right")
    cement = technique_cement(data, specimen, "long_axis", "right")
    assert len(cement) >= 5
    # Every sphere is on the track, behind the tip, within the withdrawal length.
    rel = cement.centres - path.tip
    along = -(rel @ path.direction)
    off = np.linalg.norm(rel + along[:, None] * path.direction, axis=1)
    assert off.max() < 1e-6 and along.min() >= 0 and along.max() <= 50
    short = technique_cement(data, specimen, "short_axis", "right")
    tips = np.array([p.tip for p in technique_paths(data, specimen, "short_axis", "right")])
    assert np.allclose(short.centres, tips), "short axis: one mass at each tip"
    assert 1.0 < cement.volume_ml() < 10.0


def test_left_is_the_mirror_construction_of_right(data, specimen):
    r, left = long_axis(data, specimen, "right"), long_axis(data, specimen, "left")
    assert r.tip[0] == pytest.approx(-left.tip[0])
    assert r.entry[0] > 0 > left.entry[0]


# --- Cement along the fracture -------------------------------------------------------------


def test_long_axis_cement_fills_the_fracture_in_one_tall_stretch(shipped_atlas, specimen, data):
    long_fill = api.technique_fill(shipped_atlas, specimen, data, "long_axis", "right")
    short_fill = api.technique_fill(shipped_atlas, specimen, data, "short_axis", "right")
    assert long_fill is not None and short_fill is not None
    assert long_fill.fracture_id == "sacral_fracture_right"
    # A column laid along the fracture: one stretch, over at least half the fracture's height
    # (the ala of this body is steep, so the cannula crosses the vertical fracture obliquely),
    # longer than any stretch the separate masses of the short axis reach.
    assert long_fill.parts == 1
    assert long_fill.filled_height_mm >= 0.5 * long_fill.height_mm
    longest = max(b - a for a, b in short_fill.stretches)
    assert long_fill.filled_height_mm > longest
    # One mass at each tip: as many separate stretches as needles.
    assert short_fill.parts == len(technique_paths(data, specimen, "short_axis", "right"))
    for fill in (long_fill, short_fill):
        assert 0.1 < fill.filled_fraction < 0.6
        assert fill.filled_height_mm <= fill.height_mm
    assert "one continuous stretch" in describe_fill(long_fill)
    assert "2 separate stretches" in describe_fill(short_fill)


def test_fracture_fill_counts_only_cement_on_the_fracture(shipped_atlas, specimen, data):
    none = Spheres(np.zeros((0, 3)), np.zeros(0))
    empty = fracture_fill(shipped_atlas, specimen, data, "right", none)
    assert empty is not None and empty.filled_fraction == 0 and not empty.parts
    assert describe_fill(empty) == "The cement does not reach the fracture."
    far = Spheres(np.array([[-35.0, -20.0, 0.0]]), np.array([8.0]))  # the other ala
    assert fracture_fill(shipped_atlas, specimen, data, "right", far).filled_fraction == 0
    # The default specimen draws the fracture on the right only: said, not invented.
    assert fracture_fill(shipped_atlas, specimen, data, "left", far) is None
    assert "no fracture" in describe_fill(None)


# --- Planning: breaches and warnings ---------------------------------------------------------


def plan(shipped_atlas, specimen, data, side, **change):
    values = {**api.preset(data, specimen, "long_axis", side), **change}
    return api.measure_plan(shipped_atlas, specimen, data, side, values)[1]


@pytest.mark.parametrize("side", SIDES)
def test_aiming_through_the_anterior_cortex_raises_the_breach_warning(
    shipped_atlas, specimen, data, side
):
    # Aimed at the L5 root where it crosses the front of the ala.
    m = plan(shipped_atlas, specimen, data, side, aim_lat=38.0, aim_y=-8.0, aim_z=4.0)
    assert "anterior_cortex" in m.breach_kinds
    assert not m.tip_in_bone and m.tip_to_anterior_cortex_mm is None
    errors = [w for w in m.warnings if w.severity == "error"]
    assert any(w.kind == "breach_anterior_cortex" for w in errors)
    assert any("L5 root" in w.text for w in errors)
    # The needle now reaches the nerves lying on the front of the ala.
    assert min(m.gap_to(f"l5_ventral_ramus_{side}"), m.gap_to(f"lumbosacral_trunk_{side}")) < 2.0


def test_pushing_through_the_top_of_the_ala_is_a_cephalad_breach(shipped_atlas, specimen, data):
    m = plan(shipped_atlas, specimen, data, "right", aim_z=40.0)
    assert "cephalad_cortex" in m.breach_kinds


@pytest.mark.parametrize("side", SIDES)
def test_cement_from_a_tip_pushed_through_the_ala_lies_on_the_l5_root(
    shipped_atlas, specimen, data, side
):
    """The breach the technique warns about: cement from a tip that has just left the
    front of the ala lies within 2 mm of the L5 root or the lumbosacral trunk."""
    values = {
        **api.preset(data, specimen, "long_axis", side),
        "aim_lat": 38.0,
        "aim_y": -12.0,
        "aim_z": 8.0,
    }
    path, m = api.measure_plan(shipped_atlas, specimen, data, side, values)
    (exit_,) = [b for b in m.breaches if b.kind in ("anterior_cortex", "cephalad_cortex")]
    tip = np.array(exit_.point) + 2.0 * path.direction  # 2 mm past the cortex
    cement = Spheres(tip[None, :], np.array([4.0]))  # about 0.3 mL
    gaps = [
        cement_gap(shipped_atlas, specimen, f"{n}_{side}", cement)
        for n in ("l5_ventral_ramus", "lumbosacral_trunk")
    ]
    assert min(gaps) <= 2.0, gaps
    # The technique's own column, laid back from the planned tip, stays clear of them.
    safe = technique_cement(data, specimen, "long_axis", side)
    for n in ("l5_ventral_ramus", "lumbosacral_trunk"):
        assert cement_gap(shipped_atlas, specimen, f"{n}_{side}", safe) > 2.0


def test_other_breaches_are_named(shipped_atlas, specimen, data):
    through_foramen = plan(
        shipped_atlas,
        specimen,
        data,
        "right",
        entry_lat=18,
        entry_y=-50,
        entry_z=-15,
        aim_lat=18,
        aim_y=-14,
        aim_z=-22,
    )
    assert "foramen" in through_foramen.breach_kinds
    into_disc = plan(
        shipped_atlas,
        specimen,
        data,
        "right",
        entry_lat=10,
        entry_y=-45,
        entry_z=-30,
        aim_lat=8,
        aim_y=-8,
        aim_z=20,
    )
    assert "s1_endplate" in into_disc.breach_kinds
    too_lateral = plan(shipped_atlas, specimen, data, "right", aim_lat=55)
    assert "lateral_cortex" in too_lateral.breach_kinds


def test_a_needle_with_no_length_is_an_error_not_a_safe_plan(shipped_atlas, specimen, data):
    v = api.preset(data, specimen, "long_axis", "right")
    m = plan(
        shipped_atlas,
        specimen,
        data,
        "right",
        entry_lat=v["aim_lat"],
        entry_y=v["aim_y"],
        entry_z=v["aim_z"],
    )
    assert [w.kind for w in m.warnings if w.severity == "error"] == ["no_length"]


def test_moving_the_aim_changes_the_measurements(shipped_atlas, specimen, data):
    a = plan(shipped_atlas, specimen, data, "right")
    b = plan(shipped_atlas, specimen, data, "right", aim_y=-30.5)
    assert b.tip_to_anterior_cortex_mm > a.tip_to_anterior_cortex_mm + 3
    assert b.gap_to("l5_ventral_ramus_right") > a.gap_to("l5_ventral_ramus_right")


def test_denis_zone_of_landmarks(shipped_atlas, specimen, data):
    anatomy = anatomy_for(shipped_atlas, specimen, data, "right")
    assert anatomy.zone(np.array(specimen.landmarks["s1_body_center"])) == 3
    assert anatomy.zone(np.array(specimen.landmarks["s1_anterior_foramen_right"])) == 2
    assert anatomy.zone(np.array(specimen.landmarks["pelvic_brim_right"])) == 1
    medial, lateral = anatomy.margins(-22.7)
    assert 0 < medial < lateral < 30


# --- Leaks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
def test_anterior_cortex_leak_puts_cement_on_the_l5_root_and_trunk(
    shipped_atlas, specimen, data, side
):
    leak = build_leak(shipped_atlas, specimen, data, "anterior_cortex", side)
    gaps = {t.id: t.gap_mm for t in leak.threats if t.named}
    assert gaps[f"l5_ventral_ramus_{side}"] <= 2.0
    assert gaps[f"lumbosacral_trunk_{side}"] <= 2.0
    assert leak.scenario.leads_to_approaches
    # It lies in front of the ala: outside the bone, anterior to the sacrum's surface.
    anatomy = anatomy_for(shipped_atlas, specimen, data, side)
    assert (anatomy.depth(leak.cement.centres) > 0).sum() >= len(leak.cement) - 2


def test_each_leak_names_the_structure_it_threatens(shipped_atlas, specimen, data):
    for lid in data.leaks:
        leak = build_leak(shipped_atlas, specimen, data, lid, "right")
        assert leak.nearest_named is not None, lid
        assert leak.nearest_named.gap_mm < 10.0, lid
    foramen = build_leak(shipped_atlas, specimen, data, "foramen", "right")
    assert foramen.nearest_named.id == "s1_ventral_ramus_right"
    assert foramen.nearest_named.gap_mm <= 0
    # A leak inside the fracture gap stays farther from L5 than the anterior-cortex leak.
    gap = build_leak(shipped_atlas, specimen, data, "fracture_gap", "right")
    assert gap.nearest_named.gap_mm > 2.0


# --- Fluoroscopy --------------------------------------------------------------------------------


def field_pixels(image: fluoro.Fluoro) -> np.ndarray:
    return image.gray[image.field_mask]


def test_simulated_views_are_not_blank_and_differ_by_angle(shipped_atlas, specimen, data, volume):
    images = {
        v: fluoro.simulate(volume, api.view_for(shipped_atlas, specimen, data, v, "right"))
        for v in ("ap", "lateral", "oblique_30")
    }
    for name, im in images.items():
        px = field_pixels(im)
        assert px.std() > 0.05, f"{name} is blank"
        assert 0.05 < px.mean() < 0.95, name
        assert not im.gray[~im.field_mask].any(), "black outside the image intensifier's field"
    names = list(images)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            diff = np.abs(images[a].gray - images[b].gray).mean()
            assert diff > 0.03, f"{a} and {b} look alike"
    normal = fluoro.disc_normal(shipped_atlas, specimen)
    tilt_only = fluoro.simulate(volume, fluoro.view_geometry("oblique", along_disc=normal))
    assert np.abs(tilt_only.gray - images["oblique_30"].gray).mean() > 0.03


def test_bone_is_darker_than_soft_tissue_on_the_monitor(shipped_atlas, specimen, data, volume):
    view = api.view_for(shipped_atlas, specimen, data, "ap", "right")
    image = fluoro.simulate(volume, view)
    body = view.to_pixels(np.array([[0.0, -20.0, 35.0]]))[0]  # the L5 body
    soft = view.to_pixels(np.array([[35.0, -20.0, -110.0]]))[0]  # beside the coccyx
    dark = image.gray[int(body[1]), int(body[0])]
    light = image.gray[int(soft[1]), int(soft[0])]
    assert dark < light - 0.1
    radiograph = fluoro.simulate(volume, view, style="radiograph")
    assert radiograph.gray[int(body[1]), int(body[0])] > radiograph.gray[int(soft[1]), int(soft[0])]


def test_needle_and_cement_are_denser_than_bone(shipped_atlas, specimen, data, volume):
    view = api.view_for(shipped_atlas, specimen, data, "lateral", "right")
    path = long_axis(data, specimen, "right")
    bare = fluoro.simulate(volume, view)
    with_needle = fluoro.simulate(volume, view, needles=[path])
    mid = view.to_pixels(((path.entry + path.tip) / 2)[None, :])[0].astype(int)
    assert with_needle.gray[mid[1], mid[0]] < bare.gray[mid[1], mid[0]] - 0.15
    assert with_needle.gray[mid[1], mid[0]] < 0.15, "steel shows (almost) black on the monitor"
    blob = Spheres(path.tip[None, :], np.array([6.0]))
    with_cement = fluoro.simulate(volume, view, cement=blob)
    tip = view.to_pixels(path.tip[None, :])[0].astype(int)
    assert with_cement.gray[tip[1], tip[0]] < bare.gray[tip[1], tip[0]] - 0.15


def test_analytic_chords_match_the_geometry():
    view = fluoro.view_geometry("ap", centre=(0.0, 0.0, 0.0), fov_mm=40.0, pixel_mm=0.5)
    ball = Spheres(np.array([[0.0, 0.0, 0.0], [0.0, 5.0, 0.0]]), np.array([5.0, 5.0]))
    chords = fluoro.sphere_chords(view, ball)
    centre = view.to_pixels(np.zeros((1, 3)))[0].round().astype(int)
    # Two overlapping spheres along the beam: the union is 20 mm deep, not 2 x 10.
    assert chords[centre[1], centre[0]] == pytest.approx(15.0, abs=0.3)
    across = NeedlePath("n", "right", np.array([-10.0, 0, 0]), np.array([10.0, 0, 0]), 1.0)
    needle = fluoro.needle_chords(view, [across])
    assert needle[centre[1], centre[0]] == pytest.approx(2.0, abs=0.1)
    along = NeedlePath("n", "right", np.array([0.0, -10, 0]), np.array([0.0, 10, 0]), 1.0)
    assert fluoro.needle_chords(view, [along])[centre[1], centre[0]] == pytest.approx(20.0)


def test_voxelised_sacrum_has_the_mesh_volume(shipped_atlas, specimen, volume):
    from atlas_app.geometry.specimen_meshes import cached_structure_mesh

    mesh = cached_structure_mesh(shipped_atlas, specimen.structures["sacrum"])
    voxels = float(volume.sacrum.sum()) * volume.spacing**3
    # The carved foramina take a little out of it.
    assert voxels == pytest.approx(mesh.volume, rel=0.08)


def test_png_and_numpy_image_and_determinism(shipped_atlas, specimen, data):
    pics = api.technique_pictures(shipped_atlas, specimen, data, "long_axis", "right")
    assert [p.view_id for p in pics] == ["ap", "lateral", "oblique_30"]
    for p in pics:
        assert p.rgb.dtype == np.uint8 and p.rgb.ndim == 3 and p.rgb.shape[2] == 3
        assert p.png().startswith(b"\x89PNG\r\n\x1a\n")
    again = api.technique_pictures(shipped_atlas, specimen, data, "long_axis", "right")
    assert all(a.png() == b.png() for a, b in zip(pics, again, strict=True))


# --- Broken data ---------------------------------------------------------------------------------


def broken_copy(tmp_path: Path, shipped_atlas, old: str, new: str):
    folder = tmp_path / "sacroplasty"
    shutil.copytree(DATA_FILE.parent, folder)
    text = DATA_FILE.read_text(encoding="utf-8")
    assert old in text, old
    (folder / "techniques.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    atlas = dataclasses.replace(shipped_atlas, root=tmp_path)
    return load_sacroplasty(atlas), folder / "techniques.yaml"


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "field", "problem", "at"),
    [
        (
            "    radius_mm: 5.0",
            "    radius_mm: 5.0\n    radius: 5.0",
            "techniques.0.cement.radius",
            "unknown field",
            "    radius: 5.0",
        ),
        (
            "where: {landmark: 's1_anterior_foramen_{side}', offset: [1.0, -7.3, 6.8]}",
            "where: {landmark: 's1_foramen_{side}', offset: [1.0, -7.3, 6.8]}",
            "leaks.2.cement.0.where.landmark",
            "unknown landmark 's1_foramen_right'",
            "where: {landmark: 's1_foramen_{side}'",
        ),
        (
            "views: [oblique_30, lateral, ap]",
            "views: [oblique_45, lateral, ap]",
            "techniques.0.views.0",
            "unknown view",
            "views: [oblique_45",
        ),
        (
            "- {ref: miller_2017}",
            "- {ref: miller_2071}",
            "techniques.0.cite",
            "unknown reference",
            "miller_2071",
        ),
        (
            "neuro_injury_percent: 28",
            "neuro_injury_percent: 280",
            "denis_zones.1.neuro_injury_percent",
            "less than or equal",
            "neuro_injury_percent: 280",
        ),
        (
            "threatens: ['s1_ventral_ramus_{side}']",
            "threatens: ['s1_root_{side}']",
            "leaks.2.threatens.0",
            "unknown structure",
            "s1_root_{side}",
        ),
    ],
)
def test_broken_data_gives_file_line_faults(tmp_path, shipped_atlas, old, new, field, problem, at):
    loaded, path = broken_copy(tmp_path, shipped_atlas, old, new)
    matching = [f for f in loaded.faults if f.field.startswith(field) and problem in f.problem]
    assert matching, "\n".join(map(str, loaded.faults))
    fault = matching[0]
    assert fault.file.endswith("techniques.yaml")
    assert fault.line == line_of(path, at), str(fault)
    assert str(fault).startswith(f"{fault.file}:{fault.line}: {fault.field}: ")


def test_a_yaml_syntax_error_is_located(tmp_path, shipped_atlas):
    loaded, path = broken_copy(
        tmp_path, shipped_atlas, "  rotation_deg: 30.0", "  rotation_deg: [30.0"
    )
    (fault,) = [f for f in loaded.faults if f.check == "yaml_syntax"]
    assert fault.line == line_of(path, "rotation_deg: [30.0") or fault.line > 1
    assert "sacroplasty" in fault.file


def test_point_loops_are_reported(tmp_path, shipped_atlas):
    loaded, _ = broken_copy(
        tmp_path,
        shipped_atlas,
        "where: {point: s1_alar_target, offset: [0.0, -20.5, 9.0]}",
        "where: {point: short_axis_s1_entry, offset: [0.0, -20.5, 9.0]}",
    )
    assert any("loop" in f.problem for f in loaded.faults)


def test_missing_folder_is_a_fault(tmp_path, shipped_atlas):
    loaded = load_sacroplasty(dataclasses.replace(shipped_atlas, root=tmp_path))
    assert loaded.faults and not loaded.techniques


def test_shipped_copy_round_trips(tmp_path, shipped_atlas):
    shutil.copytree(DEFAULT_ATLAS_DIR / "sacroplasty", tmp_path / "sacroplasty")
    loaded = load_sacroplasty(dataclasses.replace(shipped_atlas, root=tmp_path))
    assert not loaded.faults


def test_the_plan_views_ring_the_breach_in_red(shipped_atlas, specimen, data):
    values = {**api.preset(data, specimen, "long_axis", "right"), "aim_y": 8.0}
    path, m = api.measure_plan(shipped_atlas, specimen, data, "right", values)
    assert m.breaches

    def red(pics) -> int:
        return sum(
            int(((p.rgb[..., 0] > 200) & (p.rgb[..., 1] < 100) & (p.rgb[..., 2] < 100)).sum())
            for p in pics
        )

    plain = api.plan_pictures(shipped_atlas, specimen, data, path)
    ringed = api.plan_pictures(shipped_atlas, specimen, data, path, breaches=m.breaches)
    assert red(plain) == 0 and red(ringed) > 30
