"""The L4 and L5 ventral rami and the lumbosacral trunk, authored against the real bones and
joined to the real nerves; and the proximal courses of the femoral and obturator nerves,
re-routed where Z-Anatomy's drawing contradicts the cited dissections.

The rami start where Z-Anatomy's L4 and L5 roots leave their foramina; the trunk ends where
Z-Anatomy's S1 ramus meets its sciatic nerve (the start of the real sciatic nerve here). In
between, each point is placed by a rule against the bones and psoas (``authoring``), held to
the published distances:

- L4 and L5 run 23 and 26 mm medial to the anterior wall of the sacroiliac joint 4 cm above
  the linea terminalis, and the trunk about 10 mm medial to it at the brim (Ebraheim 1997,
  as cited in Sci Rep 2021);
- the trunk lies on the ala (0.1 mm from the bone at the linea terminalis, Mirkovic, cited
  there), medial to and under the medial edge of psoas;
- L4 joins L5 above, on or below the most anterior point of the sacroiliac joint
  (Waikakul 2010): the variants put the junction 16 mm above it, 4 mm above it (within the
  joint's most anterior band, where the trunk crosses the brim) or 12 mm below it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from atlas_build.authoring import (
    Anchor,
    Surfaces,
    at_least,
    between,
    first_of,
    fixed,
    in_muscle,
    on_bone,
    path,
    place,
    push_forward,
    settle,
    tube_gaps,
)
from atlas_build.centerlines import (
    Centerline,
    connected_pieces,
    cut_at,
    dense,
    nearest_distance,
    tube_rings,
)
from atlas_build.registration import RigidMap
from atlas_build.sources import Source
from atlas_build.steps.measure import Measured
from atlas_build.steps.nerves import Nerves

Array = np.ndarray
SIGN = {"right": 1.0, "left": -1.0}

L4_RADIUS = 2.6  # 5.13 mm on MR neurography (clin_anat_2018_roots)
L5_RADIUS = 2.65  # 5.29 mm (clin_anat_2018_roots)
LST_HALF_WIDTH = 5.7  # 11.4 mm wide (ebraheim_1997)
LST_ASPECT = 0.35  # about 4 mm thick (inferred; technical_note_2021)
LST_LIFT = LST_HALF_WIDTH * LST_ASPECT + 0.1  # half its thickness + Mirkovic's 0.1 mm
L4_EXIT_X = 24.0
L5_EXIT_X = 26.0
BRIM_GAP_MM = 10.0  # the trunk's distance medial to the joint at the brim (Ebraheim)
JUNCTION_DZ = {"above": 16.0, "on": 4.0, "below": -12.0}
"""Height of the L4–L5 junction above the joint's most anterior point, per variant."""
ON_BAND_MM = 6.0
"""'On' the joint's most anterior point: within this height of it (half a trunk's width)."""
BONES_AND_PIRIFORMIS = ("sacrum", "hip_bone", "piriformis")
TRUE_PELVIS_GAP_MM = 5.0 + LST_HALF_WIDTH * LST_ASPECT
"""In the true pelvis the trunk lies about 5 mm from the anterior sacral cortex
(sci_rep_2021_lst)."""


@dataclass
class Plexus:
    """One side's authored plexus (one junction variant) and its re-routed nerves."""

    l4: Centerline
    l5: Centerline
    lst: Centerline
    l4_femoral: Centerline
    l4_obturator: Centerline
    formation: Array
    flat_normal: Array
    extras: dict[str, Centerline] = field(default_factory=dict)


def za_roots(source: Source, rigid: RigidMap, side: str) -> dict[str, Centerline]:
    """Z-Anatomy's L4 and L5 roots (pieces of its cauda equina), medial end first: of the
    pieces ending more than 35 mm from the midline on this side, the higher is L4."""
    mesh = rigid.mesh(source.surface("Cauda_equina"))
    found = []
    for piece in connected_pieces(mesh):
        try:
            line = tube_rings(piece)
        except ValueError:
            continue
        if abs(line.points[-1, 0]) < abs(line.points[0, 0]):
            line = line.reversed()
        if SIGN[side] * line.points[-1, 0] > 35.0:
            found.append(line)
    found.sort(key=lambda c: -c.points[-1, 2])
    if len(found) < 2:
        raise ValueError(f"Z-Anatomy's cauda equina has no L4 and L5 roots on the {side}")
    return {"l4": found[0], "l5": found[1]}


def at_x(line: Centerline, x_abs: float) -> Array:
    """The first point of a line (from its start) at |x| = ``x_abs``."""
    d = dense(line, 0.5)
    k = int(np.argmax(np.abs(d.points[:, 0]) >= x_abs))
    return d.points[k]


def joint_x(measured: Measured, side: str, z: float) -> float:
    """|x| of the sacroiliac joint's anterior margin at height z (held beyond its ends)."""
    rows = measured.joint_margins[side]
    order = np.argsort(rows[:, 2])
    return float(np.interp(z, rows[order, 2], np.abs(rows[order, 0])))


def trunk_course(
    s: Surfaces, measured: Measured, trunk_end: Array, side: str
) -> tuple[Array, list[Anchor]]:
    """Where the trunk crosses the brim and its anchors from there to the sciatic nerve.

    The crossing is 4 mm above the joint's most anterior point (where the brim meets the
    joint), 10 mm medial to the joint there (Ebraheim), lying on the ala (Mirkovic: 0.1 mm).
    Below it the trunk heads straight for the start of the sciatic nerve, never closer to the
    bone than 0.1 mm at the brim growing to 5 mm in the true pelvis (sci_rep_2021_lst)."""
    z_joint = float(measured.points[f"si_joint_anterior_{side}"][2])
    zb = z_joint + JUNCTION_DZ["on"]
    xb = joint_x(measured, side, zb) - BRIM_GAP_MM
    brim = place(s, [Anchor(xb, zb, on_bone(L5_RADIUS + 0.2))], side)[0]
    anchors = []
    z = zb - 6.0
    while z > float(trunk_end[2]) + 6.0:
        t = (zb - z) / (zb - float(trunk_end[2]))
        straight = brim + t * (trunk_end - brim)
        lift = LST_LIFT + t * (TRUE_PELVIS_GAP_MM - LST_LIFT)
        rule = at_least(fixed(float(straight[1])), on_bone(lift, BONES_AND_PIRIFORMIS))
        anchors.append(Anchor(abs(float(straight[0])), z, rule))
        z -= 6.0
    return brim, anchors


def plexus_paths(
    s: Surfaces,
    measured: Measured,
    nerves: Nerves,
    roots: dict[str, Centerline],
    side: str,
    variant: str,
    femoral: Centerline,
    obturator: Centerline,
) -> Plexus:
    """The rami and the trunk of one side for one junction variant (the femoral and
    obturator nerves as re-routed, for the L4 branches to join)."""
    l4_start = at_x(roots["l4"], L4_EXIT_X)
    l5_start = at_x(roots["l5"], L5_EXIT_X)
    trunk_end = nerves.line(f"sciatic_nerve_{side}").points[0]
    brim, below = trunk_course(s, measured, trunk_end, side)
    xb, zb = abs(float(brim[0])), float(brim[2])
    z_joint = float(measured.points[f"si_joint_anterior_{side}"][2])
    ala = on_bone(L5_RADIUS + 0.2)
    ala4 = on_bone(L4_RADIUS + 0.2)
    psoas_back = first_of(in_muscle("psoas_major", 0.1), fixed(-22.0))
    in_psoas = first_of(in_muscle("psoas_major", 0.15), fixed(-12.0))
    # Each ramus from its foramen over the ala (L4 lateral to L5: technical_note_2021).
    l5 = [Anchor.point(l5_start), Anchor(31.0, 25.0, fixed(-25.5)), Anchor(35.0, 14.0, ala)]
    l4 = [
        Anchor.point(l4_start),
        Anchor(28.5, 52.0, fixed(-14.0)),
        Anchor(31.0, 45.0, in_psoas),
        Anchor(33.0, 38.0, in_psoas),
        Anchor(35.5, 28.0, in_psoas),
        Anchor(39.5, 16.0, between(ala4, psoas_back, 0.3)),
    ]
    if variant == "above":
        zj = z_joint + JUNCTION_DZ["above"]
        junction = Anchor(xb - 4.0, zj, ala)
        trunk = [junction, Anchor(xb - 2.0, 0.5 * (zj + zb), on_bone(LST_LIFT)), Anchor.point(brim)]
        trunk += below
    elif variant == "on":
        l5 += [Anchor(39.5, 2.0, ala)]
        l4 += [Anchor(43.5, 4.0, ala4)]
        junction = Anchor.point(brim)
        trunk = [junction, *below]
    else:
        zj = z_joint + JUNCTION_DZ["below"]
        l5 += [Anchor(39.5, 2.0, ala), Anchor(xb - 3.0, zb, ala)]
        l4 += [Anchor(43.5, 4.0, ala4), Anchor(xb + 3.0, zb, ala4)]
        after = [a for a in below if a.z <= zj]
        before = [a for a in below if a.z > zj]
        l5 += [Anchor(a.x - 2.5, a.z, a.depth) for a in before]
        l4 += [Anchor(a.x + 2.5, a.z, a.depth) for a in before]
        junction = after[0]
        trunk = after
    trunk_pts = place(s, [*trunk, Anchor.point(trunk_end)], side)
    trunk_pts[0] = lift_clear(s, trunk_pts[0], trunk_pts[1], side)
    formation = trunk_pts[0]
    l4_pts = place(s, [*l4, Anchor.point(formation)], side)
    l5_pts = place(s, [*l5, Anchor.point(formation)], side)
    bone = ("sacrum", "hip_bone", "l5_vertebra", "l4_vertebra", "l4_l5_disc", "l5_s1_disc")
    l4_line = push_forward(s, path(l4_pts, L4_RADIUS), bone, side, L4_RADIUS + 0.3)
    l5_line = push_forward(s, path(l5_pts, L5_RADIUS), bone, side, L5_RADIUS + 0.3)
    normal = ala_normal(s, trunk_pts, side)
    lst_line = push_forward(
        s,
        path(trunk_pts, LST_HALF_WIDTH),
        (*bone, "piriformis"),
        side,
        0.3,
        aspect=LST_ASPECT,
        flat_normal=normal,
    )
    return Plexus(
        l4=l4_line,
        l5=l5_line,
        lst=lst_line,
        l4_femoral=branch_to(s, l4_line, femoral, 44.0, side),
        l4_obturator=branch_to(s, l4_line, obturator, 38.0, side),
        formation=formation,
        flat_normal=normal,
    )


def lift_clear(s: Surfaces, point: Array, toward: Array, side: str) -> Array:
    """The junction moved forward until the trunk's band, starting there toward ``toward``,
    clears the bone (0.3 mm): three rami meet here, the band the widest of them."""
    normal = ala_normal(s, np.vstack([point, toward]), side)
    p = np.asarray(point, float).copy()
    for _ in range(10):
        stub = path(np.vstack([p, p + 0.3 * (toward - p)]), LST_HALF_WIDTH)
        gap = min(
            float(tube_gaps(s.named(n, side), stub, LST_ASPECT, normal, 0.5)[0].min())
            for n in ("sacrum", "hip_bone")
        )
        if gap >= 0.3:
            break
        p[1] += 0.3 - gap
    return p


def ala_normal(s: Surfaces, points: Array, side: str) -> Array:
    """The trunk lies flat on the ala: the mean outward normal of the sacrum's surface nearest
    its points above the pelvic inlet (rounded to 0.01)."""
    sacrum = s.named("sacrum", side).compute_normals(cell_normals=True, point_normals=False)
    cells = sacrum.find_closest_cell(np.asarray(points[:3], float))
    n = np.asarray(sacrum.cell_data["Normals"])[np.atleast_1d(cells)].mean(axis=0)
    return np.round(n / np.linalg.norm(n), 2)


def branch_to(s: Surfaces, ramus: Centerline, nerve: Centerline, z: float, side: str) -> Centerline:
    """A branch of the L4 ramus joining a nerve: from the ramus where it crosses height
    ``z`` + 6 mm, inside psoas, to the nerve where it crosses ``z``."""
    # Both ends on control points of the lines they join, so the drawn curves meet exactly.
    start = _nearest_point(ramus, ramus.at(_distance_at_z(ramus, z + 6.0))[0])
    end = _nearest_point(nerve, nerve.at(_distance_at_z(nerve, z))[0])
    mid = 0.5 * (start + end)
    mid[1] = min(mid[1], 0.5 * (start[1] + end[1]))
    return path(np.vstack([start, mid, end]), 1.6)


def _nearest_point(line: Centerline, p: Array) -> Array:
    return line.points[int(np.argmin(np.linalg.norm(line.points - p, axis=1)))].copy()


def _distance_at_z(line: Centerline, z: float) -> float:
    d = dense(line, 0.5)
    k = int(np.argmin(np.abs(d.points[:, 2] - z)))
    return float(d.arc()[k])


def join(line: Centerline, into: Centerline) -> Centerline:
    """``line`` ending exactly on ``into`` at its nearest point."""
    p = into.at(nearest_distance(into, line.points[-1]))[0]
    pts = line.points.copy()
    pts[-1] = p
    return Centerline(pts, line.radii)


def keep_below(line: Centerline, z: float) -> Centerline:
    """The part of a top-down line below height ``z``."""
    return cut_at(line, _distance_at_z(line, z), keep="end")


FEMORAL_KEEP_ABOVE_Z = 132.0
"""Z-Anatomy's femoral nerve lies in psoas down to here, then runs lateral to it."""
FEMORAL_GROOVE_Z = 14.0
"""From here down Z-Anatomy's femoral nerve lies in the psoas–iliacus groove."""
FEMORAL_LEVELS = (
    (118.0, 0.60),
    (100.0, 0.64),
    (82.0, 0.68),
    (64.0, 0.72),
    (49.0, 0.74),
    (36.0, 0.78),
)
"""(z, share of psoas's width from its medial border) of the re-authored course."""
FEMORAL_DEPTH = 0.1
"""Share of psoas's depth from its back: the plexus lies in the dorsal third of psoas
(bmc_2011_plexus), at 0.28 of the disc's depth from its back at L4–L5 (benglis_2009)."""


def reroute_femoral(s: Surfaces, femoral: Centerline, side: str) -> Centerline:
    """The femoral nerve inside psoas between its Z-Anatomy origin and the psoas–iliacus
    groove. Z-Anatomy draws it leaving psoas at L2 and running lateral to the muscle; the
    cited dissections find it inside psoas, dorsal to the disc midpoint, at L4–L5 (davis_2011:
    18 of 18; formed outside psoas in 3.8 %, benes_plexus)."""
    top = cut_at(femoral, _distance_at_z(femoral, FEMORAL_KEEP_ABOVE_Z), keep="start")
    groove = keep_below(femoral, FEMORAL_GROOVE_Z)
    anchors = [Anchor.point(p) for p in top.points]
    for z, share in FEMORAL_LEVELS:
        lo, hi = s.section_x("psoas_major", side, z)
        anchors.append(Anchor(lo + share * (hi - lo), z, in_muscle("psoas_major", FEMORAL_DEPTH)))
    anchors += [Anchor.point(p) for p in groove.points]
    pts = place(s, anchors, side)
    radii = np.concatenate(
        [top.radii, np.full(len(FEMORAL_LEVELS), float(top.radii[-1])), groove.radii]
    )
    return Centerline(pts, radii)


OBTURATOR_KEEP_ABOVE_Z = 10.0
OBTURATOR_KEEP_BELOW_Z = -22.0
OBTURATOR_BRIM = ((2.0, 56.0), (-6.0, 56.5), (-14.0, 56.5))
"""(z, |x|) of the obturator nerve where it crosses the brim: lateral to the lumbosacral
trunk in every variant of its formation (sci_rep_2021_lst: the trunk crosses the linea
terminalis medial to the obturator nerve)."""


def reroute_obturator(s: Surfaces, obturator: Centerline, side: str) -> Centerline:
    """Z-Anatomy's obturator nerve, moved lateral to the lumbosacral trunk where it crosses
    the brim, between the ala and the back of psoas. Z-Anatomy draws it over the ala where
    the trunk lies, about 10 mm medial to the joint."""
    top = cut_at(obturator, _distance_at_z(obturator, OBTURATOR_KEEP_ABOVE_Z), keep="start")
    bottom = keep_below(obturator, OBTURATOR_KEEP_BELOW_Z)
    gap = first_of(in_muscle("psoas_major", 0.04), on_bone(3.0))
    anchors = [Anchor.point(p) for p in top.points]
    anchors += [Anchor(x, z, gap) for z, x in OBTURATOR_BRIM]
    anchors += [Anchor.point(p) for p in bottom.points]
    pts = place(s, anchors, side)
    radii = np.full(len(pts), float(np.median(obturator.radii)))
    line = Centerline(pts, radii)
    return settle(s, line, ("sacrum", "hip_bone"), side, 0.3, fixed_ends=(True, True))[0]


def join_start(line: Centerline, onto: Centerline) -> Centerline:
    """``line`` starting on ``onto`` at its point nearest ``line``'s start (a branch leaving
    the trunk)."""
    p = _nearest_point(onto, line.points[0])
    return Centerline(np.vstack([p, line.points]), np.concatenate([[line.radii[0]], line.radii]))
