"""The shipped atlas against the literature.

Each test names the source (reference ids in anatomy_data/references.yaml) and checks a
relation a surgeon relies on, measured on the geometry of the default specimen (or of
each variant). Tolerances say how exact a schematic model can claim to be.
"""

from __future__ import annotations

import numpy as np
import pytest

from atlas_app.geometry.centerline import Curve
from atlas_app.geometry.measure import (
    crossing_z,
    inside,
    joint_x_at,
    sacroiliac_joint_front,
    section_x_range,
    signed_distance,
    vertebral_level,
)
from atlas_app.geometry.shapes import centerline_curve, read_mesh, structure_mesh
from atlas_app.model.schema import CenterlineGeometry
from atlas_app.model.specimen import build_specimen

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def atlas(shipped_atlas):
    assert not shipped_atlas.faults, "\n".join(map(str, shipped_atlas.faults))
    return shipped_atlas


@pytest.fixture(scope="module")
def default(atlas):
    return build_specimen(atlas)


def mesh(atlas, name):
    return read_mesh(atlas.root / "meshes" / f"{name}.vtp")


def curve(specimen, sid) -> Curve:
    g = specimen.structures[sid].geometry
    assert isinstance(g, CenterlineGeometry), sid
    return centerline_curve(g)


def level(specimen, z):
    return vertebral_level(z, specimen.landmarks)


# --- Great vessels -------------------------------------------------------------------------


def test_aortic_bifurcation_at_the_l4_body(default):
    """chithriki_2002: L4 body in 67% (MRI); thai_2009: 70.1% (cadavers)."""
    assert level(default, default.landmarks["aortic_bifurcation"][2]) == "L4 body"


def test_iliocaval_confluence_at_l5(default):
    """pirro_2005: most often L5 (64%); liu_2014: 61%."""
    assert level(default, default.landmarks["iliocaval_confluence"][2]) == "L5 body"


def test_confluence_below_the_aortic_bifurcation(default):
    """pirro_2005: the confluence lay above the aortic bifurcation in only 1 of 42."""
    assert default.landmarks["iliocaval_confluence"][2] < default.landmarks["aortic_bifurcation"][2]


@pytest.mark.parametrize(
    "option, expected",
    [
        ("bifurcation_l4_l5_disc", "L4–L5 disc"),
        ("bifurcation_l5_body", "L5 body"),
    ],
)
def test_bifurcation_variants_sit_at_their_level(atlas, option, expected):
    """thai_2009: L4 body 70.1%, L4–L5 disc 12.3%, L5 body 17.6%."""
    s = build_specimen(atlas, option)
    assert level(s, s.landmarks["aortic_bifurcation"][2]) == expected
    aorta, cia = curve(s, "aorta"), curve(s, "common_iliac_artery_right")
    assert np.allclose(aorta.points[-1], cia.points[0], atol=0.5), "vessels stay joined"


def test_confluence_variant_sits_higher(atlas):
    """pirro_2005 range L4–S1; menezes_2023: at L4 in 37.2%."""
    s = build_specimen(atlas, "confluence_l4_l5")
    assert level(s, s.landmarks["iliocaval_confluence"][2]) in ("L4–L5 disc", "L4 body")


@pytest.mark.parametrize(
    "sid, low, high, source",
    [
        ("aorta", 11.0, 21.0, "ann_vasc_surg_2019 (±2 SD) and zhu_2021 (IQR 15–21)"),
        ("common_iliac_artery_right", 7.0, 12.0, "ann_vasc_surg_2019; ≤ 12 mm normal"),
        ("common_iliac_artery_left", 7.0, 12.0, "ann_vasc_surg_2019; ≤ 12 mm normal"),
        ("common_iliac_vein_right", 8.0, 17.0, "ivus_iliac_veins 14.2 mm; 8.5 mm where compressed"),
        ("common_iliac_vein_left", 8.0, 17.0, "ivus_iliac_veins 15.7 mm; 8.5 mm where compressed"),
        ("ivc", 13.0, 26.0, "ivus_iliac_veins 18.4 mm"),
        ("median_sacral_artery", 1.5, 3.0, "singhatanadgige_2018: 2.14 mm"),
    ],
)
def test_vessel_calibres_in_published_ranges(default, sid, low, high, source):
    r = np.asarray(default.structures[sid].geometry.radii())
    diameter = 2 * float(np.median(r))
    assert low <= diameter <= high, f"{sid}: {diameter:.1f} mm, {source}"


# --- Lumbosacral trunk and roots -------------------------------------------------------------


def test_lst_is_about_11_mm_wide_and_4_mm_thick(default):
    """ebraheim_1997: width 11.4 ± 1.8 mm (M), 11.2 ± 1.5 (F); thickness ~4 mm (I)."""
    g = default.structures["lumbosacral_trunk_right"].geometry
    width = 2 * float(np.median(g.radii()))
    assert 11.4 - 1.8 <= width <= 11.4 + 1.8
    assert 3.0 <= width * g.aspect <= 5.0


def test_lst_lies_on_the_ala(atlas, default):
    """sci_rep_2021_lst (Mirkovic): 0.1 mm from the alar bone at the linea terminalis."""
    g = default.structures["lumbosacral_trunk_right"].geometry
    pts = np.asarray(g.points)
    half_thickness = float(np.median(g.radii())) * g.aspect
    bone = mesh(atlas, "sacrum")
    gap = signed_distance(bone, pts) - half_thickness
    on_sacrum = pts[:, 2] > -40  # the scan ends below; judge where the ala is
    assert np.all(np.abs(gap[on_sacrum]) < 2.0), gap


def test_lst_is_medial_to_psoas_and_not_in_it(atlas, default):
    """sci_rep_2021_lst; technical_note_2021: the trunk lies medial to psoas major."""
    psoas = mesh(atlas, "psoas_major_right")
    c = curve(default, "lumbosacral_trunk_right")
    assert not inside(psoas, c.points).any()
    for p in c.points[::3]:
        span = section_x_range(psoas, float(p[2]))
        if span is not None:
            assert p[0] < 0.5 * (span[0] + span[1]), f"lateral half of psoas at z={p[2]:.0f}"


def test_lst_at_the_brim_medial_to_the_sacroiliac_joint(atlas, default):
    """technical_note_2021: 5.31 mm medial to the joint at the brim; ebraheim (sci_rep_2021):
    about 10 mm."""
    joint = sacroiliac_joint_front(mesh(atlas, "sacrum"), mesh(atlas, "hip_bone_right"), "right")
    z = default.landmarks["pelvic_brim_right"][2]
    p = crossing_z(curve(default, "lumbosacral_trunk_right").points, z + 0.01)
    if p is None:  # the trunk starts at the brim in this variant
        p = curve(default, "lumbosacral_trunk_right").points[0]
    gap = joint_x_at(joint, float(p[2])) - p[0]
    assert 5.31 - 1.0 <= gap <= 10.0 + 1.0, gap


def test_l4_enters_the_pelvis_about_18_mm_medial_to_the_joint(atlas, default):
    """technical_note_2021: L4 enters the pelvis 17.86 mm medial to the sacroiliac joint.
    Entry = where the ramus first comes within 5 mm of the sacrum."""
    sac = mesh(atlas, "sacrum")
    joint = sacroiliac_joint_front(sac, mesh(atlas, "hip_bone_right"), "right")
    c = curve(default, "l4_ventral_ramus_right")
    d = signed_distance(sac, c.points) - c.radii
    i = int(np.argmax(d < 5.0))
    gap = joint_x_at(joint, float(c.points[i, 2])) - c.points[i, 0]
    assert abs(gap - 17.86) <= 4.0, gap


def test_lst_reaches_s1_at_the_first_anterior_foramen(default):
    """sci_rep_2021_lst: the trunk joins S1 at the first anterior sacral foramen."""
    s1 = np.asarray(default.structures["s1_ventral_ramus_right"].geometry.points)
    lst = np.asarray(default.structures["lumbosacral_trunk_right"].geometry.points)
    foramen = np.asarray(default.landmarks["s1_anterior_foramen_right"])
    assert np.linalg.norm(s1[0] - foramen) < 6.0, "S1 leaves the foramen"
    assert np.linalg.norm(s1[-1] - lst[-1]) < 1.5, "S1 meets the trunk"
    assert np.linalg.norm(lst[-1] - foramen) < 30.0
    assert lst[-1][0] > foramen[0], "the trunk lies lateral to the foramen"


@pytest.mark.parametrize(
    "option, where",
    [
        ("lst_above_ala_right", "above"),
        ("lst_on_ala_right", "on"),
        ("lst_below_ala_right", "below"),
    ],
)
def test_l4_joins_l5_above_on_or_below_the_ala(atlas, option, where):
    """waikakul_2010 / technical_note_2021 fig. 4: three sites of L4–L5 fusion relative to the
    most anterior part of the ala (here the strip of its front from ala_anterior_apex down
    to pelvic_brim)."""
    s = build_specimen(atlas, option)
    junction = np.asarray(s.landmarks["lst_formation_right"])
    top = s.landmarks["ala_anterior_apex_right"][2]
    bottom = s.landmarks["pelvic_brim_right"][2]
    lst0 = np.asarray(s.structures["lumbosacral_trunk_right"].geometry.points[0])
    for root in ("l4_ventral_ramus_right", "l5_ventral_ramus_right"):
        end = np.asarray(s.structures[root].geometry.points[-1])
        assert np.linalg.norm(end - lst0) < 0.5, f"{root} ends where the trunk starts"
    assert np.allclose(junction, lst0, atol=0.5)
    z = junction[2]
    assert {"above": z > top + 3.0, "on": bottom <= z <= top, "below": z < bottom - 3.0}[where], z


def test_l5_root_is_medial_to_l4_above_the_junction(default):
    """technical_note_2021: L4 merges with the more medial L5 root."""
    l4, l5 = curve(default, "l4_ventral_ramus_right"), curve(default, "l5_ventral_ramus_right")
    for z in (10.0, 0.0):
        a, b = crossing_z(l4.points, z), crossing_z(l5.points, z)
        assert a is not None and b is not None and b[0] < a[0]


# --- Lumbar plexus in and around psoas -------------------------------------------------------


def test_genitofemoral_nerve_emerges_on_the_front_of_psoas_between_l3_and_l4(atlas, default):
    """moro_2003: between the cranial third of L3 and the caudal third of L4;
    clin_anat_2023_gfn: mainly at the L3–L4 disc."""
    p = np.asarray(default.structures["genitofemoral_nerve_right"].geometry.points[0])
    lm = default.landmarks
    assert lm["l4_body_bottom"][2] <= p[2] <= lm["l3_body_top"][2]
    psoas = mesh(atlas, "psoas_major_right")
    assert 0.0 <= signed_distance(psoas, p[None])[0] <= 2.5, "on the surface, outside"
    sec = psoas.slice(normal="z", origin=(0, 0, p[2])).points
    assert p[1] > sec[:, 1].mean(), "on the anterior surface"


def test_femoral_nerve_in_the_dorsal_psoas_at_l4_l5(atlas, default):
    """davis_2011: at or dorsal to the L4–L5 disc midpoint in 18/18; bmc_2011_plexus: the
    plexus lies in the dorsal third of psoas."""
    disc = mesh(atlas, "l4_l5_disc")
    z = float(disc.center[2])
    p = crossing_z(curve(default, "femoral_nerve_right").points, z)
    assert p is not None
    psoas = mesh(atlas, "psoas_major_right")
    assert inside(psoas, p[None])[0]
    disc_mid_y = 0.5 * (disc.bounds[2] + disc.bounds[3])
    assert p[1] <= disc_mid_y + 1.0
    sec = psoas.slice(normal="z", origin=(0, 0, z)).points
    near = sec[np.abs(sec[:, 0] - p[0]) < 4.0]
    frac = (p[1] - near[:, 1].min()) / np.ptp(near[:, 1])
    assert frac <= 0.4, f"{frac:.2f} of the way from the back of psoas"


def test_obturator_nerve_behind_psoas_and_lateral_to_the_trunk_at_the_brim(atlas, default):
    """iwanaga_2020: posterior to psoas in 20/20, never through it; technical_note_2021:
    emerges at its posteromedial border opposite L5; sci_rep_2021_lst: the trunk crosses the
    brim medial to the obturator nerve."""
    psoas = mesh(atlas, "psoas_major_right")
    obt = curve(default, "obturator_nerve_right")
    assert signed_distance(psoas, obt.points).min() > -1.0, "never through psoas"
    z5 = default.landmarks["l5_body_center"][2]
    p = crossing_z(obt.points, z5)
    sec = psoas.slice(normal="z", origin=(0, 0, z5)).points
    assert p[1] < sec[:, 1].mean(), "behind psoas at L5"
    assert abs(p[0] - sec[:, 0].min()) < 6.0, "at its medial border"
    zb = default.landmarks["pelvic_brim_right"][2]
    lst = curve(default, "lumbosacral_trunk_right").points
    lst_x = (crossing_z(lst, zb) if crossing_z(lst, zb) is not None else lst[0])[0]
    assert crossing_z(obt.points, zb)[0] > lst_x


def test_sympathetic_trunk_near_the_medial_psoas_margin_at_l4_l5(atlas, default):
    """feigl_2013: 4.6 mm from the medial psoas margin at L4/5."""
    z = float(mesh(atlas, "l4_l5_disc").center[2])
    p = crossing_z(curve(default, "sympathetic_trunk_right").points, z)
    medial = section_x_range(mesh(atlas, "psoas_major_right"), z)[0]
    assert 0.0 <= medial - p[0] <= 9.0


# --- Iliolumbar vein, ureter -------------------------------------------------------------


def coronal_crossing(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Where two curves cross when seen from the front: the point on each."""
    for i in range(len(a) - 1):
        p, r = a[i, [0, 2]], a[i + 1, [0, 2]] - a[i, [0, 2]]
        q, s = b[:-1, [0, 2]], b[1:, [0, 2]] - b[:-1, [0, 2]]
        denom = r[0] * s[:, 1] - r[1] * s[:, 0]
        ok = np.abs(denom) > 1e-9
        t = np.where(ok, ((q[:, 0] - p[0]) * s[:, 1] - (q[:, 1] - p[1]) * s[:, 0]) / denom, -1)
        u = np.where(ok, ((q[:, 0] - p[0]) * r[1] - (q[:, 1] - p[1]) * r[0]) / denom, -1)
        hit = np.nonzero((t >= 0) & (t <= 1) & (u >= 0) & (u <= 1))[0]
        if len(hit):
            j = int(hit[0])
            return a[i] + t[j] * (a[i + 1] - a[i]), b[j] + u[j] * (b[j + 1] - b[j])
    return None


def test_lst_runs_deep_to_the_iliolumbar_vein(default):
    """stirling_weaver_2002: the trunk crossed deep to the vein in 15/16."""
    ilv = curve(default, "iliolumbar_vein_right").points
    crossings = [
        coronal_crossing(ilv, curve(default, sid).points)
        for sid in ("l4_ventral_ramus_right", "l5_ventral_ramus_right", "lumbosacral_trunk_right")
    ]
    crossings = [c for c in crossings if c is not None]
    assert crossings, "the vein crosses the L4/L5 elements"
    for vein_p, nerve_p in crossings:
        assert vein_p[1] > nerve_p[1], "vein in front of the nerve"


def test_right_ureter_crosses_in_front_of_the_iliac_artery(default):
    """zheng_2019: the right ureter crosses the CIA (27.7%), its bifurcation (20%) or the
    external iliac (52.3%); ureter_size: it lies anterior to the artery at the inlet."""
    ureter = curve(default, "ureter_right").points
    hits = [
        coronal_crossing(ureter, curve(default, sid).points)
        for sid in ("common_iliac_artery_right", "external_iliac_artery_right")
    ]
    hits = [h for h in hits if h is not None]
    assert hits
    for u, art in hits:
        assert u[1] > art[1]


# --- Pathology -------------------------------------------------------------------------------


def test_cement_leak_encases_the_l5_root_and_leaves_through_the_ala(atlas, default):
    """technical_note_2021: near-circumferential encasement of the L5 root and trunk; the
    cement left the sacrum by a thin stalk."""
    leak = structure_mesh(default.structures["cement_leak_right"], atlas.root)
    l5 = curve(default, "l5_ventral_ramus_right")
    enclosed = inside(leak, l5.points)
    seg = np.linalg.norm(np.diff(l5.points, axis=0), axis=1)
    assert float(seg[enclosed[:-1] & enclosed[1:]].sum()) >= 10.0
    stalk_start = np.asarray(default.structures["cement_leak_right"].geometry.points[0])
    assert inside(mesh(atlas, "sacrum"), stalk_start[None])[0], "the stalk starts in the ala"


def test_fracture_is_zone_1_lateral_to_the_foramina(default):
    """denis_1988: zone 1 lies lateral to the sacral foramina (and medial to the joint)."""
    pts = np.asarray(default.structures["sacral_fracture_right"].geometry.points)
    foramen_x = default.landmarks["s1_anterior_foramen_right"][0]
    joint_x = default.landmarks["si_joint_anterior_right"][0]
    assert np.all((pts[:, 0] > foramen_x + 5) & (pts[:, 0] < joint_x))
