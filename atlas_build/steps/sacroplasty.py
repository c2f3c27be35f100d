"""The sacroplasty data measured on the sacrum: the foramina as canals from their anterior to
their dorsal mouths, and the two landmarks of the long-axis entry point.

Written to ``sacroplasty/measured.yaml`` (the sacroplasty loader reads every file of that
folder); the techniques themselves are authored in ``sacroplasty/techniques.yaml``. The
sacroplasty data is written once for the right side and mirrored on the left, so a canal's
direction and radius are the mean of the right side and the mirrored left.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from atlas_build.steps.measure import Measured
from atlas_build.writers import r1

LEVELS = (1, 2, 3, 4)
ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth"}
MIRROR = np.array([-1.0, 1.0, 1.0])
MEASURED = {"ref": "bodyparts3d_2009", "note": "measured on the sacrum of the adult body"}


def mouth_radius(measured: Measured, lid: str) -> float:
    """Radius of a circle with the pit's area (the mouth as seen head-on)."""
    return float(np.sqrt(measured.foramen_areas[lid] / np.pi))


def canal(measured: Measured, level: int) -> dict[str, Any]:
    """The foramen of one level as a straight canal from its anterior mouth to its dorsal one."""
    dirs, lengths, radii = [], [], []
    for side, flip in (("right", np.ones(3)), ("left", MIRROR)):
        front = measured.points[f"s{level}_anterior_foramen_{side}"]
        back = measured.points[f"s{level}_posterior_foramen_{side}"]
        d = (back - front) * flip
        lengths.append(float(np.linalg.norm(d)))
        dirs.append(d / lengths[-1])
        radii.append(mouth_radius(measured, f"s{level}_anterior_foramen_{side}"))
    direction = np.mean(dirs, axis=0)
    direction /= np.linalg.norm(direction)
    cite: list[dict[str, Any]] = [MEASURED]
    if level == 1:
        cite.append(
            {"ref": "saluja_2018", "note": "published size 12.97 x 12.23 mm, for comparison"}
        )
    return {
        "id": f"s{level}",
        "name": f"{ORDINAL[level].capitalize()} sacral foramen",
        "opening": {"landmark": f"s{level}_anterior_foramen_{{side}}"},
        "direction": [round(float(v), 3) for v in direction],
        "length_mm": r1(float(np.mean(lengths))),
        "radius_mm": r1(float(np.mean(radii))),
        "derivation": (
            f"From the anterior mouth of the {ORDINAL[level]} foramen (a measured landmark) "
            f"straight to its dorsal mouth, the dorsal pit it reaches without crossing bone: "
            f"{np.mean(lengths):.0f} mm long. The radius is that of a circle with the area of "
            f"the anterior mouth seen head-on ({radii[0]:.1f} mm right, {radii[1]:.1f} mm "
            f"left). Direction, length and radius are the mean of the right side and the "
            f"mirrored left."
        ),
        "cite": cite,
    }


def points(measured: Measured) -> list[dict[str, Any]]:
    """The two landmarks the long-axis technique names for its entry point."""
    r3 = float(
        np.mean([mouth_radius(measured, f"s3_posterior_foramen_{s}") for s in ("right", "left")])
    )
    return [
        {
            "id": "si_joint_inferior_margin",
            "name": "Inferior margin of the sacroiliac joint",
            "where": {"landmark": "si_joint_inferior_{side}"},
            "derivation": (
                "The lowest point of the joint's sacral side, measured (the landmark "
                "si_joint_inferior_{side}): the end of the joint's long inferior limb."
            ),
            "schematic": False,
            "cite": [MEASURED, {"ref": "smith_gilula_2006", "note": "landmark of the technique"}],
        },
        {
            "id": "s3_foramen_lateral_margin",
            "name": "Lateral margin of the third dorsal sacral foramen",
            "where": {"landmark": "s3_posterior_foramen_{side}", "offset": [r1(r3), 0.0, 0.0]},
            "derivation": (
                f"The measured dorsal mouth of the third foramen moved out by its radius "
                f"({r3:.1f} mm, from the mouth's area seen from behind; mean of both sides)."
            ),
            "schematic": False,
            "cite": [MEASURED, {"ref": "smith_gilula_2006", "note": "landmark of the technique"}],
        },
    ]


def sacroplasty_records(measured: Measured) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "points": points(measured),
        "foramina": [canal(measured, lv) for lv in LEVELS],
    }
