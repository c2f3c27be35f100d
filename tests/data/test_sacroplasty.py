"""The sacroplasty data against its sources: Smith & Gilula's long-axis technique, Denis's
zones and injury rates, the reported leakage sites, and what is schematic."""

from __future__ import annotations

import numpy as np
import pytest

from atlas_app.model.specimen import build_specimen
from atlas_app.sacroplasty import fluoro
from atlas_app.sacroplasty.loader import load_sacroplasty
from atlas_app.sacroplasty.needle.anatomy import anatomy_for
from atlas_app.sacroplasty.needle.path import technique_paths
from atlas_app.sacroplasty.points import resolve


@pytest.fixture(scope="module")
def data(shipped_atlas):
    loaded = load_sacroplasty(shipped_atlas)
    assert not loaded.faults, "\n".join(map(str, loaded.faults))
    return loaded


@pytest.fixture(scope="module")
def specimen(shipped_atlas):
    return build_specimen(shipped_atlas)


def refs(cites) -> set[str]:
    return {c.ref for c in cites}


def test_denis_injury_rates_6_28_57(data):
    """denis_1988 (via a textbook excerpt, rounded: confidence S)."""
    zones = data.zones_in_order()
    assert [z.number for z in zones] == [1, 2, 3]
    assert [z.neuro_injury_percent for z in zones] == [6, 28, 57]
    for z in zones:
        (denis,) = [c for c in z.cite if c.ref == "denis_1988"]
        assert denis.confidence == "S"
    assert "L5" in zones[0].typical_injury
    assert zones[0].medial_boundary == "foramen_lateral_margin"
    assert zones[2].lateral_boundary == "foramen_medial_margin"


def test_bastian_leakage_sites(data):
    """bastian_2012: fracture gap 27%, veins 6%, neuroforamina 3%, L5/S1 disc 2%."""
    expected = {"fracture_gap": 27, "veins": 6, "foramen": 3, "disc": 2}
    for lid, pct in expected.items():
        leak = data.leaks[lid]
        assert leak.frequency_percent == pct and f"{pct}% of 63" in leak.frequency_text
        assert "bastian_2012" in refs(leak.cite)


def test_anterior_cortex_leak_is_the_technical_notes_case(data):
    leak = data.leaks["anterior_cortex"]
    assert leak.frequency_percent is None and leak.frequency_text == "case report"
    assert "technical_note_2021" in refs(leak.cite)
    assert leak.leads_to_approaches
    assert set(leak.threatens) == {"l5_ventral_ramus_{side}", "lumbosacral_trunk_{side}"}
    assert "transpsoas" in leak.consequence


def test_long_axis_views_follow_smith_and_gilula(data):
    tech = data.techniques["long_axis"]
    assert "smith_gilula_2006" in refs(tech.cite)
    oblique = data.views[tech.views[0]]
    assert oblique.projection == "oblique"
    assert oblique.rotation_deg == 30 and oblique.parallel_to_l5_s1
    assert "lateral" in tech.views and "ap" in tech.views
    assert tech.cement.pattern == "along_withdrawal"
    steps = " ".join(tech.steps).lower()
    for phrase in ("30 degrees", "l5–s1", "third sacral foramen", "middle of the s1 body"):
        assert phrase in steps, phrase
    assert "cephalad cortex" in " ".join(tech.pitfalls)


@pytest.mark.parametrize("side", ["right", "left"])
def test_oblique_beam_is_30_degrees_away_and_along_the_disc(shipped_atlas, specimen, side):
    normal = fluoro.disc_normal(shipped_atlas, specimen)
    view = fluoro.view_geometry("oblique", side, rotation_deg=30, along_disc=normal)
    beam = np.array(view.beam)
    assert abs(beam @ normal) < 1e-9, "the beam runs along the L5–S1 disc space"
    flat = beam[:2] / np.linalg.norm(beam[:2])
    angle = np.degrees(np.arccos(flat @ np.array([0.0, -1.0])))
    assert angle == pytest.approx(30.0, abs=0.5)
    # The image intensifier (where the beam goes) swings to the untreated side.
    assert np.sign(beam[0]) == (-1 if side == "right" else 1)


@pytest.mark.parametrize("side", ["right", "left"])
def test_long_axis_entry_is_midway_between_measured_landmarks(shipped_atlas, specimen, data, side):
    """smith_gilula_2006: midway between the inferior SI joint and the lateral margin of the
    third (dorsal) foramen, both measured on the sacrum of the adult body."""
    p = {pid: resolve(pt.where, specimen, side, data) for pid, pt in data.points.items()}
    mid = (p["si_joint_inferior_margin"] + p["s3_foramen_lateral_margin"]) / 2
    assert np.allclose(p["long_axis_entry"], mid)
    anatomy = anatomy_for(shipped_atlas, specimen, data, side)
    for pid in ("long_axis_entry", "si_joint_inferior_margin", "s3_foramen_lateral_margin"):
        assert not data.points[pid].schematic
        assert "bodyparts3d_2009" in refs(data.points[pid].cite) or pid == "long_axis_entry"
    # The landmarks lie on the bone; the entry at the level of the third dorsal foramen.
    for pid in ("si_joint_inferior_margin", "s3_foramen_lateral_margin"):
        assert abs(anatomy.depth(p[pid][None, :])[0]) < 2.5, pid
    s3 = specimen.landmarks[f"s3_posterior_foramen_{side}"]
    assert abs(p["long_axis_entry"][2] - s3[2]) < 5.0
    # The joint lies outside the foramen.
    sign = 1 if side == "right" else -1
    assert sign * p["si_joint_inferior_margin"][0] > sign * p["s3_foramen_lateral_margin"][0]


def test_short_axis_target_is_the_published_safe_target(data, specimen):
    (s1, _) = technique_paths(data, specimen, "short_axis", "right")
    centre = specimen.landmarks["s1_body_center"]
    assert s1.tip[1:] == pytest.approx(centre[1:], abs=0.01)
    assert "ajnr_safe_target" in refs(data.techniques["short_axis"].cite)


def test_foramen_size_is_published(data):
    """saluja_2018: first anterior foramen 12.97 x 12.23 mm (radius 6.3 mm); the measured
    mouth of this body's first foramen is within 1 mm of it."""
    assert data.foramina["s1"].radius_mm == pytest.approx((12.97 + 12.23) / 4, abs=1.0)
    assert "saluja_2018" in refs(data.foramina["s1"].cite)
    assert "bodyparts3d_2009" in refs(data.foramina["s1"].cite)


def test_foramina_run_from_the_anterior_to_the_dorsal_mouth(specimen, data):
    """Each canal runs back from its measured anterior mouth to (within a few mm of) its
    measured dorsal mouth: the dorsal mouths lie higher, the sacrum tilting forward."""
    for level in (1, 2, 3, 4):
        f = data.foramina[f"s{level}"]
        front = resolve(f.opening, specimen, "right", data)
        d = np.array(f.direction) / np.linalg.norm(f.direction)
        back = front + f.length_mm * d
        dorsal = np.array(specimen.landmarks[f"s{level}_posterior_foramen_right"])
        assert np.linalg.norm(back - dorsal) < 6.0, level
        assert dorsal[1] < front[1] and dorsal[2] >= front[2] - 2.0


def test_the_atlas_fracture_lies_in_zone_1(shipped_atlas, specimen, data):
    """technical_note_2021: a right Denis zone 1 fracture."""
    anatomy = anatomy_for(shipped_atlas, specimen, data, "right")
    g = specimen.structures["sacral_fracture_right"].geometry
    for x, y, _ in g.points:
        for z in np.linspace(g.z_range[0], g.z_range[1], 7):
            assert anatomy.zone(np.array([x, y, z])) == 1


def test_every_point_resolves_on_every_variant(shipped_atlas, data):
    for g in shipped_atlas.variant_groups.values():
        for o in g.options:
            sp = build_specimen(shipped_atlas, o.id)
            for side in ("right", "left"):
                for tid in data.techniques:
                    assert technique_paths(data, sp, tid, side)
                for pt in data.points.values():
                    assert np.isfinite(resolve(pt.where, sp, side, data)).all()
