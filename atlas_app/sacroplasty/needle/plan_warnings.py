"""What the planner says about a measured needle, with its thresholds."""

from __future__ import annotations

from dataclasses import replace

from atlas_app.sacroplasty.needle.anatomy import Anatomy
from atlas_app.sacroplasty.needle.measures import NeedleMeasures, PlanWarning, Severity
from atlas_app.sacroplasty.needle.path import NeedlePath
from atlas_app.sacroplasty.schema import sided

L5_NERVES = ("l5_ventral_ramus_{side}", "lumbosacral_trunk_{side}")
NEAR_NERVE_MM = 5.0
SAFE_TARGET_MM = 11.0  # AJNR safe-target study: 11.2–12.8 mm behind the anterior cortex
MIN_LENGTH_MM = 5.0  # shorter than this is no needle to plan


def _lower(name: str) -> str:
    """'Lumbosacral trunk (right)' → 'lumbosacral trunk (right)'; 'L5 …' stays."""
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def with_warnings(m: NeedleMeasures, path: NeedlePath, anatomy: Anatomy) -> NeedleMeasures:
    """The measures with what the planner says about them: every breach, a short or
    missing path, a tip outside the bone or near the anterior cortex, the foramina and
    nerves passed close by, an entry in front of the tip."""
    out: list[PlanWarning] = []
    l5 = {sided(n, anatomy.side) for n in L5_NERVES}
    for b in m.breaches:
        where = f"at ({b.point[0]:.0f}, {b.point[1]:.0f}, {b.point[2]:.0f}) mm"
        if b.kind in ("anterior_cortex", "cephalad_cortex"):
            text = (
                f"The needle breaches the {b.label} {where}. Cement injected here can leak in "
                "front of the ala, onto the L5 root and the lumbosacral trunk."
            )
        elif b.kind == "s1_endplate":
            text = f"The needle breaches the {b.label} {where}: cement can enter the disc space."
        elif b.kind == "foramen":
            text = (
                f"The needle crosses the {b.detail.lower()}: cement can follow it to the "
                "sacral root."
            )
        elif b.kind == "lateral_cortex":
            text = f"The needle leaves the ala through its {b.label} {where}."
        elif b.kind == "medial_cortex":
            text = f"The needle breaches the {b.label} {where}."
        else:
            text = f"The needle leaves the sacrum through the {b.label} {where}."
        out.append(PlanWarning(f"breach_{b.kind}", "error", text))
    if path.length < MIN_LENGTH_MM:
        out.append(
            PlanWarning(
                "no_length",
                "error",
                "The entry and the aim are (almost) the same point: move one of them.",
            )
        )
    elif not m.enters_bone:
        out.append(PlanWarning("misses_bone", "error", "The needle never enters the sacrum."))
    elif not m.tip_in_bone:
        out.append(
            PlanWarning(
                "tip_outside",
                "error",
                f"The tip lies outside the bone, {m.tip_depth_mm * -1:.1f} mm beyond its surface.",
            )
        )
    if m.tip_zone in (2, 3) and m.tip_in_bone:
        out.append(PlanWarning("tip_zone", "warning", f"The tip lies in the {m.tip_region}."))
    front = m.tip_to_anterior_cortex_mm
    if front is not None and front < SAFE_TARGET_MM:
        # Teaching thresholds (not published): < 3 mm is as good as through, < 6 mm close.
        level: Severity = "error" if front < 3.0 else "warning" if front < 6.0 else "info"
        out.append(
            PlanWarning(
                "near_anterior_cortex",
                level,
                f"The tip is {front:.1f} mm behind the anterior cortex; the published "
                "middle-of-S1 targets lay 11–13 mm behind it on average.",
            )
        )
    if 0 <= m.foramen_gap_mm < NEAR_NERVE_MM:
        out.append(
            PlanWarning(
                "near_foramen",
                "warning",
                f"The shaft passes {m.foramen_gap_mm:.1f} mm from the {m.nearest_foramen.lower()}.",
            )
        )
    for g in m.nerve_gaps:
        if g.gap_mm < NEAR_NERVE_MM:
            important = g.id in l5 or g.gap_mm <= 0
            out.append(
                PlanWarning(
                    f"near_{g.id}",
                    "error" if g.gap_mm <= 0 or (important and g.gap_mm < 2.0) else "warning",
                    f"The needle touches the {_lower(g.name)}."
                    if g.gap_mm <= 0
                    else f"The needle is {g.gap_mm:.1f} mm from the {_lower(g.name)}.",
                )
            )
    if path.entry[1] > path.tip[1] + 5.0:
        out.append(
            PlanWarning(
                "anterior_entry",
                "warning",
                "The entry lies in front of the tip: sacroplasty needles come from the back.",
            )
        )
    return replace(m, warnings=tuple(out))
