"""Vessels and autonomic nerves no source models, placed by rule against the real anatomy.

Each function returns centerlines for one kind of structure; the rules are in their
docstrings and, in words, in ``prose/authored.yaml``. Every path ends up clear of the bones
and muscles (``authoring.push_forward`` / ``settle``), except where anatomy has it inside
one (nerves forming in psoas).
"""

from __future__ import annotations

import numpy as np

from atlas_build.authoring import (
    Anchor,
    Depth,
    Surfaces,
    at_least,
    behind_muscle,
    first_of,
    fixed,
    on_bone,
    path,
    place,
    push_forward,
    settle,
)
from atlas_build.centerlines import Centerline, dense, nearest_distance
from atlas_build.steps.measure import Measured

Array = np.ndarray
SIGN = {"right": 1.0, "left": -1.0}
SPINE = (
    "l3_vertebra",
    "l4_vertebra",
    "l5_vertebra",
    "l3_l4_disc",
    "l4_l5_disc",
    "l5_s1_disc",
    "sacrum",
)
SOLIDS = (
    "sacrum",
    "hip_bone",
    "l3_vertebra",
    "l4_vertebra",
    "l5_vertebra",
    "l3_l4_disc",
    "l4_l5_disc",
    "l5_s1_disc",
    "psoas_major",
    "iliacus",
    "piriformis",
    "quadratus_lumborum",
)


def on_spine(lift: float) -> Depth:
    return on_bone(lift, SPINE)


def in_front_of(tube: Centerline, lift: float) -> Depth:
    """In front of a tube where the AP line through (x, z) crosses it: its front plus ``lift``;
    elsewhere no constraint (the most posterior possible y)."""
    d = dense(tube, 1.0)

    def rule(s: Surfaces, x: float, z: float, side: str) -> float:
        dist = np.hypot(d.points[:, 0] - x, d.points[:, 2] - z)
        k = int(np.argmin(dist - d.radii))
        if dist[k] > d.radii[k]:
            return -1e9
        half = float(np.sqrt(max(d.radii[k] ** 2 - dist[k] ** 2, 0.0)))
        return float(d.points[k, 1]) + half + lift

    return rule


def sympathetic_trunk(
    s: Surfaces, measured: Measured, vessels: dict[str, Centerline], side: str
) -> Centerline:
    """On the front of the bodies 4.6 mm medial to psoas's medial border (feigl_2013) from L3
    to L5, then over the sacrum 12 mm medial to the mouths of the anterior foramina (medial to
    the lateral sacral vessels); the great vessels ride over it."""
    anchors = []
    for z in (106.0, 92.0, 76.0, 60.0, 45.0, 30.0):
        lo, _ = s.section_x("psoas_major", side, z)
        anchors.append(Anchor(lo - 4.6, z, on_bone(1.6, SPINE)))
    for level in (1, 2, 3, 4):
        f = measured.points[f"s{level}_anterior_foramen_{side}"]
        rule = first_of(on_bone(1.6, SPINE), fixed(float(f[1]) + 4.0))
        anchors.append(Anchor(max(abs(float(f[0])) - 10.0, 7.0), float(f[2]), rule))
    line = path(place(s, anchors, side), 1.5)
    line = push_forward(s, line, SPINE, side, 2.0)
    return line


def point_along(line: Centerline, distance: float) -> tuple[Array, float, Array]:
    """Point, radius and unit tangent ``distance`` mm along a line."""
    d = dense(line, 0.5)
    s = d.arc()
    k = int(np.clip(np.searchsorted(s, distance), 1, len(s) - 1))
    t = d.points[k] - d.points[k - 1]
    p, r = line.at(distance)
    return p, r, t / np.linalg.norm(t)


def wall_point(line: Centerline, distance: float, direction: Array) -> Array:
    """A point on a tube's wall ``distance`` mm along it, toward ``direction``."""
    p, r, t = point_along(line, distance)
    u = np.asarray(direction, float) - np.dot(direction, t) * t
    return p + 0.85 * r * u / np.linalg.norm(u)


ILV_MOUTH_MM = 37.4  # stirling_weaver_2002
ILV_MAX_SHARE = 0.8


def behind_psoas_before_nerves(nerves: list[Centerline], gap: float, lift: float) -> Depth:
    """Behind psoas (``gap`` behind its back), but never behind the nerves there (``lift`` in
    front of their front): the cleft the iliolumbar vessels cross, in front of the rami and the
    trunk."""
    return at_least(
        first_of(behind_muscle("psoas_major", gap), on_bone(gap + 2.0)),
        *(in_front_of(n, lift) for n in nerves),
    )


def iliolumbar_vein(
    s: Surfaces,
    vessels: dict[str, Centerline],
    nerves: list[Centerline],
    side: str,
    accessory: bool = False,
) -> Centerline:
    """From the back of the common iliac vein 37 mm from the vena cava (or 80 % of the vein's
    length where shorter), laterally and up behind psoas and in front of the rami and the
    trunk (stirling_weaver_2002: the trunk deep to it in 15 of 16) to the iliolumbar fossa,
    about 37 mm long. A second stem (the 'multiple' variant) leaves 8 mm further down and
    runs 4 mm lower."""
    civ = vessels[f"common_iliac_vein_{side}"]
    along = min(ILV_MOUTH_MM, ILV_MAX_SHARE * civ.length()) + (8.0 if accessory else 0.0)
    along = min(along, 0.95 * civ.length())
    mouth = wall_point(civ, along, np.array([SIGN[side] * 0.4, -1.0, 0.0]))
    drop = 4.0 if accessory else 0.0
    x0, z0 = abs(float(mouth[0])), float(mouth[2])
    radius = 3.2 if accessory else 4.5
    cleft = behind_psoas_before_nerves(nerves, 3.0, 0.5 * radius + 1.0)
    anchors = [Anchor.point(mouth)]
    anchors += [Anchor(x0 + dx, z0 + dz - drop, cleft) for dx, dz in ILV_COURSE]
    return path(place(s, anchors, side), radius)


ILV_COURSE = ((8.0, -1.0), (16.0, -2.0), (24.0, -1.0), (32.0, 2.0))
"""(lateral, up) steps of the vein from its mouth, mm."""


def branch_from(line: Centerline, distance: float) -> Array:
    return line.at(distance)[0]


def iliolumbar_artery(
    s: Surfaces, vessels: dict[str, Centerline], nerves: list[Centerline], side: str
) -> Centerline:
    """From the internal iliac artery 30 mm beyond its origin, up and out in front of the
    trunk and the rami, behind psoas and the external iliac vessels, to the iliolumbar
    fossa."""
    iia = vessels[f"internal_iliac_artery_{side}"]
    start = branch_from(iia, 30.0)
    x0, z0 = abs(float(start[0])), float(start[2])
    cleft = behind_psoas_before_nerves(nerves, 2.0, 3.0)
    anchors = [Anchor.point(start)]
    anchors += [
        Anchor(x0 + dx, z0 + dz, cleft)
        for dx, dz in ((6.0, 8.0), (13.0, 16.0), (21.0, 22.0), (29.0, 26.0))
    ]
    return path(place(s, anchors, side), 1.5)


def median_sacral(
    s: Surfaces, measured: Measured, vessels: dict[str, Centerline]
) -> tuple[Centerline, Centerline]:
    """The median sacral artery from the back of the aorta 10 mm above the bifurcation, down
    the front of L5 and the sacrum 3 mm left of the midline; its vein 3 mm to the right of it,
    into the back of the left common iliac vein."""
    aorta = vessels["aorta"]
    origin = wall_point(aorta, aorta.length() - 10.0, np.array([0.0, -1.0, 0.0]))
    lciv = vessels["common_iliac_vein_left"]
    spine = on_spine(1.3)
    artery = [Anchor.point(origin)]
    for z in (40.0, 25.0, 10.0, -5.0, -20.0, -40.0, -60.0, -80.0):
        artery.append(Anchor(3.0, z, spine))
    a = path(place(s, artery, "left"), 1.07)
    a = push_forward(s, a, SPINE, "left", 1.4)
    k = nearest_distance(lciv, np.array([0.0, 0.0, float(lciv.points[:, 2].mean())]))
    mouth = wall_point(lciv, k, np.array([0.0, -1.0, -0.3]))
    vein = [Anchor.point(mouth)]
    for z in (10.0, -5.0, -20.0, -40.0, -60.0, -80.0):
        vein.append(Anchor(0.0, z, on_spine(1.7)))
    v = path(place(s, vein, "right"), 1.5)
    v = push_forward(s, v, SPINE, "right", 1.8)
    return a, v


def superior_gluteal_artery(
    s: Surfaces, vessels: dict[str, Centerline], sgn: Centerline, side: str
) -> Centerline:
    """From the internal iliac artery 50 mm beyond its origin, back between the trunk and the
    S1 ramus, then 3.5 mm below the superior gluteal nerve out above piriformis."""
    iia = vessels[f"internal_iliac_artery_{side}"]
    start = branch_from(iia, min(50.0, 0.7 * iia.length()))
    out = sgn.points[2:] + np.array([0.0, 0.0, -4.8])
    pts = np.vstack([start, out])
    return path(pts, 2.2)


def lateral_sacral(
    s: Surfaces, measured: Measured, vessels: dict[str, Centerline], side: str
) -> tuple[Centerline, Centerline]:
    """From the internal iliac artery 45 mm beyond its origin (vein: to the internal iliac
    vein), down the front of the sacrum 5 mm (vein 8 mm) medial to the mouths of the anterior
    foramina."""
    out = []
    for vid, medial, radius in (
        ("internal_iliac_artery", 5.0, 1.0),
        ("internal_iliac_vein", 8.0, 1.3),
    ):
        parent = vessels[f"{vid}_{side}"]
        start = branch_from(parent, min(45.0, 0.6 * parent.length()))
        anchors = [Anchor.point(start)]
        for level in (1, 2, 3, 4):
            f = measured.points[f"s{level}_anterior_foramen_{side}"]
            rule = first_of(on_bone(radius + 2.0), fixed(float(f[1]) + radius + 3.0))
            anchors.append(Anchor(abs(float(f[0])) - medial, float(f[2]), rule))
        line = path(place(s, anchors, side), radius)
        out.append(push_forward(s, line, ("sacrum",), side, radius + 1.0))
    return out[0], out[1]


def superior_hypogastric(
    s: Surfaces, measured: Measured, vessels: dict[str, Centerline]
) -> Centerline:
    """From 8 mm below the aortic bifurcation down the front of L5 and the promontory, 3 to
    4.5 mm left of the midline, 3 mm in front of the bone and in front of the left common
    iliac vein where it crosses (shp_cadaver: on L5-S1, shifted left)."""
    bif = measured.points["aortic_bifurcation"]
    lciv = vessels["common_iliac_vein_left"]
    rule = at_least(on_spine(4.5), in_front_of(lciv, 3.0))
    anchors = [
        Anchor(3.0, float(bif[2]) - 14.0, rule, steps=1),
        Anchor(4.5, 25.0, rule, steps=1),
        Anchor(3.5, 2.0, rule),
        Anchor(2.5, -12.0, rule),
    ]
    return path(place(s, anchors, "left"), 5.0)


def settle_tube(
    s: Surfaces, line: Centerline, side: str, fixed_ends: tuple[bool, bool]
) -> Centerline:
    return settle(s, line, SOLIDS, side, 0.3, fixed_ends=fixed_ends)[0]
