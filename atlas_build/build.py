"""The whole build: source → rigid map → solids → landmarks → vessels → nerves → authored
anatomy → variants → files, then ``validate`` on the atlas written (like brainglobe's
``wrapup``: nothing leaves the build unvalidated)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from atlas_build.authoring import Surfaces, part, rest_on, ride_over, settle
from atlas_build.centerlines import Centerline, fair
from atlas_build.prose import Entry, load_prose
from atlas_build.registration import Promontory, RigidMap, measure_promontory
from atlas_build.sources import Source
from atlas_build.steps import authored, plexus, scenery, variants
from atlas_build.steps.measure import Measured, landmark_records, measure_bones
from atlas_build.steps.nerves import Nerves, fit_nerves, nerve_records
from atlas_build.steps.sacroplasty import sacroplasty_records
from atlas_build.steps.solids import Solids, build_solids, write_solids
from atlas_build.steps.vessels import Vessels, fit_vessels, vessel_records
from atlas_build.wrapup import validate_or_raise, write_licences, write_registration
from atlas_build.writers import dump_yaml, r1

SACRUM = "FMA16202"
SIDES = ("right", "left")
VESSEL_SETTLE = (
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


@dataclass
class Built:
    """Everything the build made, before writing."""

    promontory: Promontory
    rigid: RigidMap
    solids: Solids
    measured: Measured
    vessels: Vessels
    nerves: Nerves
    authored: dict[str, dict[str, Any]] = field(default_factory=dict)
    landmarks: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)


def settle_vessels(s: Surfaces, vessels: Vessels) -> dict[str, float]:
    """Every fitted vessel laid against the bones and muscles it overlaps (the sources model
    each organ separately), parents before branches so that branches start where their parent
    now ends. Returns how far each moved at most."""
    moved: dict[str, float] = {}
    starts: dict[str, Any] = {}
    for vid, entry in vessels.entries.items():
        line = vessels.lines[vid]
        side = entry.record["side"] if entry.record["side"] != "midline" else "right"
        fixed_start = vid in starts
        if fixed_start:
            line.points[0] = starts[vid]
        settled, shift = settle(s, line, VESSEL_SETTLE, side, 0.3, fixed_ends=(fixed_start, False))
        vessels.lines[vid] = settled
        moved[vid] = round(shift, 1)
        for child in entry.build.get("branches", []):
            starts[child] = settled.points[-1]
    return moved


def arteries_over_veins(s: Surfaces, vessels: Vessels) -> dict[str, float]:
    """Where an artery and a vein cross, the artery rides over the vein (the right common
    iliac artery over the left common iliac vein and the confluence, as in May-Thurner
    anatomy): each artery is moved off the veins, then laid against the bones and muscles
    again; twice."""
    moved: dict[str, float] = {}
    veins = [v for v, e in vessels.entries.items() if e.record["category"] == "vein"]
    for _ in range(2):
        for vid, entry in vessels.entries.items():
            if entry.record["category"] != "artery" or vid == "aorta":
                continue
            ends = (True, bool(entry.build.get("branches")))
            line, shift = ride_over(
                vessels.lines[vid], [vessels.lines[v] for v in veins], 0.3, ends
            )
            side = entry.record["side"]
            line, _ = settle(s, line, VESSEL_SETTLE, side, 0.3, fixed_ends=ends)
            vessels.lines[vid] = line
            moved[vid] = max(moved.get(vid, 0.0), round(shift, 1))
    return moved


def give_way(vessels: Vessels, obstacles: list[Centerline], s: Surfaces) -> None:
    """The fitted vessels ride over these (nerves lying on the bone), keeping their
    junctions; then the ureters ride over every vessel."""
    for vid, entry in vessels.entries.items():
        if entry.record["category"] == "viscus":
            continue
        ends = (vid in _branch_ids(vessels), bool(entry.build.get("branches")))
        vessels.lines[vid] = ride_over(vessels.lines[vid], obstacles, 0.3, ends)[0]
    tubes = [line for vid, line in vessels.lines.items() if not vid.startswith("ureter")]
    for side in SIDES:
        vid = f"ureter_{side}"
        vessels.lines[vid] = ride_over(vessels.lines[vid], tubes + obstacles, 0.5, (False, False))[
            0
        ]


def _branch_ids(vessels: Vessels) -> set[str]:
    return {b for e in vessels.entries.values() for b in e.build.get("branches", [])}


PSOAS_NERVES = (
    "genitofemoral_nerve",
    "genitofemoral_genital_branch",
    "lateral_femoral_cutaneous_nerve",
    "iliohypogastric_nerve",
)
SACRAL_NERVES = (
    "s1_ventral_ramus",
    "s2_ventral_ramus",
    "sciatic_nerve",
    "superior_gluteal_nerve",
    "pudendal_nerve",
)


def tidy_nerves(built: Built, s: Surfaces, side: str, p: plexus.Plexus) -> None:
    """Where Z-Anatomy's nerves and BodyParts3D's vessels and muscles overlap (modelled
    separately): nerves on psoas ride over the vessels and ureter; the sacral nerves are laid
    out of piriformis and the bones (their roots stay in their foramina); the internal iliac
    vessels then ride over the sacral plexus and the trunk, as they lie in front of it."""
    v = built.vessels.lines
    n = built.nerves
    tubes = list(v.values())
    brim_z = float(built.measured.points[f"pelvic_brim_{side}"][2])
    for name in PSOAS_NERVES:
        nerve = n.items[f"{name}_{side}"]
        if name.startswith("genitofemoral"):
            # On the front of psoas from where it comes out down to the brim (moro_2003).
            nerve.line = rest_on(s, nerve.line, "psoas_major", side, 0.5, 85.0, brim_z)[0]
        nerve.line = ride_over(nerve.line, tubes, 0.3, (True, False))[0]
    for name in SACRAL_NERVES:
        nerve = n.items[f"{name}_{side}"]
        joined = name in ("sciatic_nerve", "superior_gluteal_nerve")
        keep = (True, name not in ("sciatic_nerve", "superior_gluteal_nerve", "pudendal_nerve"))
        nerve.line = settle(
            s,
            nerve.line,
            ("piriformis", "hip_bone"),
            side,
            0.3,
            fixed_ends=(joined or True, keep[1]),
        )[0]
    s2 = n.items[f"s2_ventral_ramus_{side}"]
    s2.line = end_on(s2.line, n.line(f"sciatic_nerve_{side}"))
    plexus_lines = [n.line(f"{name}_{side}") for name in SACRAL_NERVES] + [p.lst]
    for vid in (f"internal_iliac_artery_{side}", f"internal_iliac_vein_{side}"):
        v[vid] = ride_over(v[vid], plexus_lines, 0.3, (True, False))[0]
    ureter = f"ureter_{side}"
    v[ureter] = ride_over(
        v[ureter], [line for k, line in v.items() if k != ureter], 0.5, (False, False)
    )[0]


def end_on(root: Centerline, trunk: Centerline) -> Centerline:
    """A root ending where it first meets its trunk's surface (Z-Anatomy merges some roots
    into the trunk over centimetres; the atlas joins them where they touch)."""
    from atlas_build.centerlines import cut_at, dense

    d = dense(root, 1.0)
    t = dense(trunk, 1.0)
    dist = np.linalg.norm(d.points[:, None] - t.points[None], axis=2)
    gap = (dist - d.radii[:, None] - t.radii[None]).min(axis=1)
    touching = np.nonzero(gap < 0.0)[0]
    if not len(touching):
        return root
    return cut_at(root, float(d.arc()[touching[0]]), keep="start")


BRANCH_PARENTS = {
    "iliolumbar_artery": "internal_iliac_artery",
    "superior_gluteal_artery": "internal_iliac_artery",
    "lateral_sacral_artery": "internal_iliac_artery",
    "lateral_sacral_vein": "internal_iliac_vein",
}


def tidy_branches(built: Built, s: Surfaces, lines: dict[str, Centerline]) -> None:
    """The small authored branches threading between the vessels, nerves and bones: moved
    off every tube but the one they leave, then laid out of the bones (8 mm at most)."""
    v = built.vessels.lines
    nerves = [item.line for item in built.nerves.items.values()]
    for side in SIDES:
        for name, parent in BRANCH_PARENTS.items():
            sid = f"{name}_{side}"
            others = [line for k, line in v.items() if k != f"{parent}_{side}"]
            others += nerves + [line for k, line in lines.items() if k != sid and k.endswith(side)]
            line, _ = part(lines[sid], others, 0.3, (True, False))
            line, _ = settle(s, line, VESSEL_SETTLE[:8], side, 0.3, fixed_ends=(True, False))
            lines[sid] = line
        vid = f"ureter_{side}"
        v[vid] = settle(s, v[vid], VESSEL_SETTLE, side, 0.3)[0]


def centerline_geometry(entry: Entry, line: Centerline, **extra: Any) -> dict[str, Any]:
    """An authored centerline record: points, the prose's radius (or the line's), its
    citations with the rule as the first one's note."""
    cites: list[Any] = []
    for i, c in enumerate(entry.cite):
        c = {"ref": c} if isinstance(c, str) else dict(c)
        if i == 0 and "rule" in entry.build:
            c["note"] = "rule: " + " ".join(str(entry.build["rule"]).split())
        cites.append(c)
    geometry: dict[str, Any] = {"kind": "centerline", "points": [r1(p) for p in line.points]}
    radius = entry.build.get("radius")
    geometry["radius"] = float(radius) if radius is not None else r1(line.radii)
    if "aspect" in entry.build:
        geometry["aspect"] = float(entry.build["aspect"])
        normal = extra.get("flat_normal")
        geometry["flat_normal"] = r1([0.0, 1.0, 0.0] if normal is None else normal)
    geometry["source"] = cites
    return geometry


def parametric_geometry(entry: Entry, shape: dict[str, Any]) -> dict[str, Any]:
    out = dict(shape)
    out["source"] = centerline_geometry(entry, Centerline(np.zeros((2, 3)), np.ones(2)))["source"]
    return out


def build_all(source_dir: Path, log: Any = print) -> Built:
    started = time.perf_counter()
    src = Source(source_dir)
    promontory = measure_promontory(src.surface(SACRUM))
    rigid = RigidMap.to_promontory(promontory)
    log(f"promontory (source frame): {np.round(promontory.point, 2).tolist()}")
    solids = build_solids(src, rigid)
    log(f"solids: {len(solids.items)} ({time.perf_counter() - started:.0f} s)")
    measured = measure_bones(solids)
    vessels = fit_vessels(src, rigid, measured.bodies)
    s = Surfaces({sid: solid.detail for sid, solid in solids.items.items()})
    vessel_moves = settle_vessels(s, vessels)
    artery_moves = arteries_over_veins(s, vessels)
    measured.points["aortic_bifurcation"] = vessels.lines["aorta"].points[-1]
    measured.points["iliocaval_confluence"] = vessels.lines["ivc"].points[-1]
    nerves = fit_nerves(src, rigid, measured.points)
    log(f"vessels and nerves fitted ({time.perf_counter() - started:.0f} s)")
    built = Built(promontory, rigid, solids, measured, vessels, nerves)
    built.report["vessels_moved_out_of_solids_mm"] = vessel_moves
    built.report["arteries_moved_over_veins_mm"] = artery_moves
    author_all(built, s, src)
    log(f"authored ({time.perf_counter() - started:.0f} s)")
    return built


def author_all(built: Built, s: Surfaces, src: Source) -> None:
    """The plexus and everything else no source models; the variant groups."""
    m, v, n = built.measured, built.vessels.lines, built.nerves
    prose = load_prose("authored")
    lines: dict[str, Centerline] = {}
    normals: dict[str, Any] = {}
    plexuses: dict[str, dict[str, plexus.Plexus]] = {}
    symp = {side: authored.sympathetic_trunk(s, m, v, side) for side in SIDES}
    for side in SIDES:
        lines[f"sympathetic_trunk_{side}"] = symp[side]
    give_way(built.vessels, list(symp.values()), s)
    for side in SIDES:
        femoral = plexus.reroute_femoral(s, n.line(f"femoral_nerve_{side}"), side)
        obturator = plexus.reroute_obturator(s, n.line(f"obturator_nerve_{side}"), side)
        n.items[f"femoral_nerve_{side}"].line = femoral
        n.items[f"obturator_nerve_{side}"].line = obturator
        roots = plexus.za_roots(src, built.rigid, side)
        variants_here = ("above", "on", "below") if side == "right" else ("on",)
        plexuses[side] = {
            var: plexus.plexus_paths(s, m, n, roots, side, var, femoral, obturator)
            for var in variants_here
        }
        p = plexuses[side]["on"]
        lines[f"l4_ventral_ramus_{side}"] = p.l4
        lines[f"l5_ventral_ramus_{side}"] = p.l5
        lines[f"lumbosacral_trunk_{side}"] = p.lst
        normals[f"lumbosacral_trunk_{side}"] = p.flat_normal
        lines[f"l4_femoral_branch_{side}"] = p.l4_femoral
        lines[f"l4_obturator_branch_{side}"] = p.l4_obturator
        sgn = n.items[f"superior_gluteal_nerve_{side}"]
        sgn.line = plexus.join_start(sgn.line, p.lst)
        tidy_nerves(built, s, side, p)
        rami = [p.l4, p.l5, p.lst, symp[side]]
        ilv = authored.iliolumbar_vein(s, v, rami, side)
        lines[f"iliolumbar_vein_{side}"] = ride_over(ilv, rami, 0.3, (True, False))[0]
        ila = authored.iliolumbar_artery(s, v, rami, side)
        iliac = [
            v[f"{k}_{side}"]
            for k in (
                "external_iliac_artery",
                "external_iliac_vein",
                "common_iliac_vein",
                "internal_iliac_vein",
            )
        ]
        ila = ride_over(ila, iliac, 0.3, (True, False), under=True)[0]
        lines[f"iliolumbar_artery_{side}"] = ride_over(
            ila, [*rami, lines[f"iliolumbar_vein_{side}"]], 0.3, (True, False)
        )[0]
        sga = authored.superior_gluteal_artery(s, v, sgn.line, side)
        lines[f"superior_gluteal_artery_{side}"] = ride_over(
            sga,
            [v[f"external_iliac_vein_{side}"], v[f"internal_iliac_vein_{side}"]],
            0.3,
            (True, False),
            under=True,
        )[0]
        lsa, lsv = authored.lateral_sacral(s, m, v, side)
        lines[f"lateral_sacral_artery_{side}"] = lsa
        lines[f"lateral_sacral_vein_{side}"] = ride_over(lsv, [lsa], 0.3, (True, False))[0]
        built.landmarks.append(variants.formation_landmark(side, p.formation))
    nerve_lines = [item.line for item in n.items.values()] + [
        line
        for sid, line in lines.items()
        if sid.startswith(("l4_", "l5_", "lumbosacral", "sympathetic"))
    ]
    for side in SIDES:
        vid = f"ureter_{side}"
        others = [line for k, line in v.items() if k != vid] + nerve_lines
        v[vid] = ride_over(v[vid], others, 0.5, (False, False))[0]
    msa, msv = authored.median_sacral(s, m, v)
    lines["median_sacral_artery"] = msa
    lines["median_sacral_vein"] = msv
    shp = authored.superior_hypogastric(s, m, v)
    lines["superior_hypogastric_plexus"] = ride_over(
        shp, [msa, msv, v["common_iliac_vein_left"]], 0.5, (False, False)
    )[0]
    tidy_branches(built, s, lines)
    for side in SIDES:  # the internal iliac vein leaves the external at its own angle
        iiv, eiv = f"internal_iliac_vein_{side}", f"external_iliac_vein_{side}"
        line = part(v[iiv], [v[eiv]], 0.3, (True, False), max_mm=3.0)[0]
        line = settle(s, line, VESSEL_SETTLE, side, 0.3, fixed_ends=(True, False))[0]
        v[iiv] = ride_over(line, [lines[f"sympathetic_trunk_{side}"]], 0.3, (True, False))[0]
    for vid in v:  # kinks left by the moves above eased, joins held
        v[vid] = fair(v[vid])
    for sid in lines:
        if sid.endswith(("artery", "vein", "_right", "_left", "plexus")) and (
            "artery" in sid or "vein" in sid or sid == "superior_hypogastric_plexus"
        ):
            lines[sid] = fair(lines[sid])
    for sid, line in lines.items():
        entry = prose[sid]
        built.authored[sid] = entry.atlas_record(
            centerline_geometry(entry, line, flat_normal=normals.get(sid))
        )
    # The abdominal wall and the pathology, placed against what is built.
    meshes = [
        built.solids.full(f"{m_}_{side}") for m_ in ("psoas_major", "iliacus") for side in SIDES
    ]
    tubes = list(v.values())
    for side in SIDES:
        sid = f"rectus_abdominis_{side}"
        built.authored[sid] = prose[sid].atlas_record(
            parametric_geometry(prose[sid], scenery.rectus(meshes, tubes, side))
        )
    built.authored["parietal_peritoneum"] = prose["parietal_peritoneum"].atlas_record(
        parametric_geometry(prose["parietal_peritoneum"], scenery.peritoneum(meshes, tubes))
    )
    right = plexuses["right"]["on"]
    shapes = scenery.pathology(
        right.l5,
        right.lst,
        built.solids.detail("sacrum"),
        float(m.points["s2_anterior_foramen_right"][2]),
    )
    for sid, key in (
        ("sacral_fracture_right", "fracture"),
        ("sacroplasty_cement_right", "cement"),
        ("cement_leak_right", "leak"),
    ):
        built.authored[sid] = prose[sid].atlas_record(parametric_geometry(prose[sid], shapes[key]))
    built.groups = variants.variant_groups(built, s, plexuses["right"], lines)


def write_all(built: Built, out: Path, source: Source) -> None:
    """Every file the build owns under the atlas folder ``out``."""
    solid_records = write_solids(built.solids, out)
    dump_yaml(
        out / "structures" / "bones_muscles.yaml",
        {"schema_version": 1, "structures": solid_records},
        "BodyParts3D bones, discs and muscles",
    )
    dump_yaml(
        out / "structures" / "vessels_fitted.yaml",
        {"schema_version": 1, "structures": vessel_records(built.vessels)},
        "vessels fitted to BodyParts3D",
    )
    dump_yaml(
        out / "structures" / "nerves_fitted.yaml",
        {"schema_version": 1, "structures": nerve_records(built.nerves)},
        "nerves fitted to Z-Anatomy",
    )
    dump_yaml(
        out / "structures" / "authored.yaml",
        {"schema_version": 1, "structures": list(built.authored.values())},
        "authored against the adult body",
    )
    dump_yaml(
        out / "landmarks_measured.yaml",
        {"schema_version": 1, "landmarks": landmark_records(built.measured)},
        "landmarks measured on the adult body",
    )
    dump_yaml(
        out / "landmarks_authored.yaml",
        {"schema_version": 1, "landmarks": built.landmarks},
        "landmarks of the authored anatomy",
    )
    dump_yaml(
        out / "variants_authored.yaml",
        {"schema_version": 1, "variant_groups": built.groups},
        "variants of the authored anatomy",
    )
    dump_yaml(
        out / "sacroplasty" / "measured.yaml",
        sacroplasty_records(built.measured),
        "sacroplasty landmarks measured on the adult body",
    )
    write_registration(built, out / "meshes" / "registration.yaml")
    write_licences(source, out)


def build(source_dir: Path, out: Path, validate: bool = True, log: Any = print) -> Built:
    """Build, write and (by default) validate the atlas in ``out``."""
    built = build_all(source_dir, log)
    write_all(built, out, Source(source_dir))
    if validate:
        validate_or_raise(out)
        log(f"validated {out}")
    return built
