"""Variant groups whose options are authored geometry: where L4 joins L5, doubled and
plexiform roots (strands that follow the chosen formation), iliolumbar veins, the
genitofemoral nerve's division and an accessory obturator nerve."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from atlas_build.authoring import Anchor, Surfaces, first_of, fixed, in_muscle, path, place
from atlas_build.centerlines import Centerline, cut_at, dense
from atlas_build.prose import load_section
from atlas_build.steps import authored
from atlas_build.steps.plexus import Plexus
from atlas_build.writers import r1

if TYPE_CHECKING:
    from atlas_build.build import Built

STRAND_OFFSETS = {"l4": (3.6, 1.6, 0.0), "l5": (-3.6, 1.6, 0.0)}
"""A doubled L4 runs beside L4 on its lateral side, a doubled L5 beside L5 on its medial side
(so neither crosses the other), both lifted 1.6 mm off the bone."""
STRAND_SPAN = (0.15, 0.95)
RADII = {"l4": 2.6, "l5": 2.65}


def _cite(c: Any) -> dict[str, Any]:
    return {"ref": c} if isinstance(c, str) else dict(c)


def formation_landmark(side: str, point: np.ndarray) -> dict[str, Any]:
    raw = load_section("variants", "landmarks")[0]
    return {
        "id": raw["id"].replace("{side}", side),
        "name": raw["name"].replace("{side}", side),
        "point": r1(point),
        "description": " ".join(raw["description"].split()),
        "source": [_cite(c) for c in raw["cite"]],
    }


def _points(line: Centerline) -> list[list[float]]:
    return [r1(p) for p in line.points]


def formation_group(raw: dict[str, Any], plexuses: dict[str, Plexus]) -> dict[str, Any]:
    group = {k: raw[k] for k in ("id", "name", "description", "default")}
    group["description"] = " ".join(group["description"].split())
    options = []
    for opt in raw["options"]:
        variant = opt["id"].split("_")[1]
        option = {k: opt[k] for k in ("id", "name", "prevalence")}
        option["description"] = " ".join(opt["description"].split())
        option["cite"] = [_cite(c) for c in opt["cite"]]
        if variant != "on":
            p = plexuses[variant]
            option["patch"] = {
                "modify": {
                    "l4_ventral_ramus_right": {"geometry": {"points": _points(p.l4)}},
                    "l5_ventral_ramus_right": {"geometry": {"points": _points(p.l5)}},
                    "lumbosacral_trunk_right": {
                        "geometry": {"points": _points(p.lst), "flat_normal": r1(p.flat_normal)}
                    },
                },
                "landmarks": {"lst_formation_right": r1(p.formation)},
            }
        options.append(option)
    group["options"] = options
    return group


def strand(
    sid: str,
    name: str,
    of: str,
    by: tuple[float, float, float],
    radius: float,
    cite: list[Any],
    description: str,
    span: tuple[float, float] = STRAND_SPAN,
) -> dict[str, Any]:
    return {
        "id": sid,
        "name": name,
        "category": "nerve",
        "side": "right",
        "parent": "lumbosacral_plexus_right",
        "groups": ["nerves"],
        "color": "#f2c12e",
        "description": description,
        "schematic": True,
        "geometry": {
            "kind": "offset",
            "of": of,
            "by": list(by),
            "radius": round(radius, 2),
            "span": list(span),
            "source": cite,
        },
    }


def root_pattern_group(raw: dict[str, Any]) -> dict[str, Any]:
    words = load_section("variants", "strands")
    root = raw["root"]
    label = root.upper()
    main = f"{root}_ventral_ramus_right"
    cite = [_cite(c) for c in raw["cite"]]
    r = RADII[root]
    dx, dy, dz = STRAND_OFFSETS[root]
    desc = " ".join(words["description"].split())
    second = strand(
        f"{root}_ventral_ramus_accessory_right",
        words["second"]["name"].replace("{root}", label),
        main,
        (dx, dy, dz),
        r * words["second"]["share"],
        cite,
        desc,
    )
    third = strand(
        f"{root}_ventral_ramus_strand_right",
        words["third"]["name"].replace("{root}", label),
        main,
        (-0.8 * dx, dy, dz),
        r * words["third"]["share"],
        cite,
        desc,
        span=(0.25, STRAND_SPAN[1]),
    )
    twig = strand(
        f"{root}_ventral_ramus_twig_right",
        words["twig"]["name"].replace("{root}", label),
        main,
        (0.5 * dx, dy + 1.0, dz),
        words["twig"]["radius"],
        cite,
        " ".join(words["twig_description"].split()),
        span=(0.4, 0.55),
    )
    shares = raw["shares"]
    return {
        "id": raw["id"],
        "name": raw["name"],
        "description": " ".join(raw["description"].split()),
        "default": raw["default"],
        "options": [
            {
                "id": f"{root}_single_right",
                "name": "Single",
                "description": f"One {label} trunk.",
                "prevalence": round(1.0 - shares[1] - shares[2], 3),
                "cite": cite,
            },
            {
                "id": f"{root}_double_right",
                "name": "Doubled",
                "description": f"The {label} root runs as two strands.",
                "prevalence": shares[1],
                "cite": cite,
                "patch": {
                    "modify": {main: {"geometry": {"radius": round(r * 0.8, 2)}}},
                    "add": [second],
                },
            },
            {
                "id": f"{root}_plexiform_right",
                "name": "Plexiform",
                "description": f"The {label} root splits into a network of strands.",
                "prevalence": shares[2],
                "cite": cite,
                "patch": {
                    "modify": {main: {"geometry": {"radius": round(r * 0.7, 2)}}},
                    "add": [second, third, twig],
                },
            },
        ],
    }


def simple_group(raw: dict[str, Any], patches: dict[str, dict[str, Any]]) -> dict[str, Any]:
    group = {k: raw[k] for k in ("id", "name", "default")}
    group["description"] = " ".join(raw["description"].split())
    group["options"] = []
    for opt in raw["options"]:
        option = {k: opt[k] for k in ("id", "name", "prevalence")}
        option["description"] = " ".join(opt["description"].split())
        option["cite"] = [_cite(c) for c in opt["cite"]]
        if opt["id"] in patches:
            option["patch"] = patches[opt["id"]]
        group["options"].append(option)
    return group


def genital_divided(built: Built, s: Surfaces) -> list[list[float]]:
    """The genital branch's own exit from psoas, 4 mm medial to the trunk's, joining its
    course 15 mm below its usual origin."""
    trunk = built.nerves.line("genitofemoral_nerve_right")
    genital = built.nerves.line("genitofemoral_genital_branch_right")
    d = dense(trunk, 1.0)
    inside = s.distance("psoas_major", "right", d.points) < 0.0
    comes_out = np.nonzero(inside[:-1] & ~inside[1:])[0] + 1
    exit_k = int(comes_out[-1]) if len(comes_out) else len(d.points) // 3
    exit_point = d.points[exit_k]
    inside = d.points[max(exit_k - 8, 0)] + np.array([-4.0, 0.0, 0.0])
    out = exit_point + np.array([-4.0, 0.0, -2.0])
    rest = cut_at(genital, 15.0, keep="end")
    return [r1(p) for p in [inside, out, *rest.points]]


def accessory_obturator(built: Built, s: Surfaces) -> Centerline:
    obturator = built.nerves.line("obturator_nerve_right")
    anchors = []
    for z in (62.0, 40.0, 20.0, 4.0):
        lo, _ = s.section_x("psoas_major", "right", z)
        anchors.append(Anchor(lo + 1.5, z, first_of(in_muscle("psoas_major", 0.5), fixed(0.0))))
    canal = built.measured.points["obturator_canal_right"]
    d = dense(obturator, 1.0)
    for z in (-20.0, -45.0, -70.0):
        k = int(np.argmin(np.abs(d.points[:, 2] - z)))
        p = d.points[k] + np.array([-2.0, 6.0, 0.0])
        anchors.append(Anchor.point(p))
    anchors.append(Anchor.point(np.asarray(canal) + np.array([-3.0, 8.0, 12.0])))
    line = path(place(s, anchors, "right"), 1.0)
    return authored.settle_tube(s, line, "right", (False, False))


def variant_groups(
    built: Built, s: Surfaces, plexuses: dict[str, Plexus], lines: dict[str, Centerline]
) -> list[dict[str, Any]]:
    raws = {g["id"]: g for g in load_section("variants", "groups")}
    groups = [formation_group(raws["lst_formation_right"], plexuses)]
    groups.append(root_pattern_group(raws["l4_root_pattern_right"]))
    groups.append(root_pattern_group(raws["l5_root_pattern_right"]))
    from atlas_build.build import centerline_geometry
    from atlas_build.prose import load_prose

    prose = load_prose("authored")
    p = plexuses["on"]
    second = authored.iliolumbar_vein(
        s, built.vessels.lines, [p.l4, p.l5, p.lst], "right", accessory=True
    )
    entry = prose["iliolumbar_vein_right"]
    accessory_vein = entry.atlas_record(centerline_geometry(entry, second))
    accessory_vein["id"] = "iliolumbar_vein_accessory_right"
    accessory_vein["name"] = "Iliolumbar vein, second stem (right)"
    accessory_vein["geometry"]["radius"] = 3.2
    accessory_vein.pop("figures", None)
    groups.append(
        simple_group(
            raws["iliolumbar_veins_right"],
            {
                "ilv_multiple_right": {"add": [accessory_vein]},
                "ilv_absent_right": {"remove": ["iliolumbar_vein_right"]},
            },
        )
    )
    words = load_section("variants", "genital_divided")
    groups.append(
        simple_group(
            raws["genitofemoral_division_right"],
            {
                "gfn_divided_right": {
                    "modify": {
                        "genitofemoral_genital_branch_right": {
                            "geometry": {
                                "points": genital_divided(built, s),
                                "radius": round(
                                    float(
                                        np.median(
                                            built.nerves.line(
                                                "genitofemoral_genital_branch_right"
                                            ).radii
                                        )
                                    ),
                                    2,
                                ),
                                "source": [
                                    {"ref": "zanatomy_2023"},
                                    {
                                        "ref": "benes_plexus",
                                        "note": "rule: " + " ".join(words["rule"].split()),
                                    },
                                ],
                            }
                        }
                    }
                }
            },
        )
    )
    acc = load_section("variants", "accessory_obturator")
    line = accessory_obturator(built, s)
    cites = [_cite(c) for c in acc["cite"]]
    cites[0]["note"] = "rule: " + " ".join(acc["rule"].split())
    nerve = {
        "id": "accessory_obturator_nerve_right",
        "name": acc["name"],
        "category": "nerve",
        "side": "right",
        "parent": "lumbosacral_plexus_right",
        "groups": ["nerves"],
        "color": "#f2c12e",
        "description": " ".join(acc["description"].split()),
        "schematic": True,
        "geometry": {
            "kind": "centerline",
            "points": [r1(p) for p in line.points],
            "radius": 1.0,
            "source": cites,
        },
    }
    groups.append(
        simple_group(
            raws["accessory_obturator_right"],
            {"accessory_obturator_present_right": {"add": [nerve]}},
        )
    )
    return groups
