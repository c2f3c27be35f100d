"""Risk across anatomical variation: each approach's corridor against many specimens.

Specimens are sampled from the published prevalences; each distinct combination of
variants is walked once, and each distinct (corridor, structure geometry) pair is
measured once, so thousands of specimens cost what a few hundred combinations do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from atlas_app.approaches.engine import StepState, field_at
from atlas_app.approaches.loader import ApproachSet
from atlas_app.approaches.metrics import NEAR_MM
from atlas_app.geometry.corridor import Cone
from atlas_app.geometry.shapes import centerline_curve
from atlas_app.model.atlas import Atlas
from atlas_app.model.schema import CenterlineGeometry, Structure
from atlas_app.model.specimen import build_specimen, sample_choices

# The structures the issue asks about, each a family (strands and branches count too).
WATCHED: dict[str, tuple[str, tuple[str, ...]]] = {
    "l5_lst": (
        "L5 root / lumbosacral trunk",
        (
            "l5_ventral_ramus_right",
            "lumbosacral_trunk_right",
            "l5_ventral_ramus_accessory_right",
            "l5_ventral_ramus_strand_right",
            "l5_ventral_ramus_twig_right",
        ),
    ),
    "obturator": ("Obturator nerve", ("obturator_nerve_right", "accessory_obturator_nerve_right")),
    "genitofemoral": (
        "Genitofemoral nerve",
        ("genitofemoral_nerve_right", "genitofemoral_genital_branch_right"),
    ),
    "iliac_veins": (
        "Iliac veins",
        (
            "common_iliac_vein_right",
            "external_iliac_vein_right",
            "internal_iliac_vein_right",
            "iliolumbar_vein_right",
            "iliolumbar_vein_accessory_right",
        ),
    ),
}


@dataclass(frozen=True)
class Variability:
    """Distances (mm) from each approach's corridor to each watched family, one value per
    sampled specimen (NaN when the family is absent), with the samples' variant choices."""

    approach_ids: tuple[str, ...]
    n: int
    seed: int
    step_ids: Mapping[str, str]
    distances: Mapping[str, Mapping[str, np.ndarray]]  # approach → family → (n,)
    unique_specimens: int

    def within(self, approach_id: str, family: str, mm: float = NEAR_MM) -> float:
        d = self.distances[approach_id][family]
        ok = ~np.isnan(d)
        return float((d[ok] <= mm).mean()) if ok.any() else 0.0


def working_step(approach_steps: Sequence[object]) -> int:
    """The step measured: the last one of the 'target' phase (else the last step)."""
    idx = [i for i, s in enumerate(approach_steps) if getattr(s, "phase", "") == "target"]
    return idx[-1] if idx else len(approach_steps) - 1


@lru_cache(maxsize=20_000)
def _curve_clearance(cone_key: tuple[float, ...], geometry_json: str) -> float:
    cone = Cone(np.asarray(cone_key[0:3]), np.asarray(cone_key[3:6]), cone_key[6], cone_key[7])
    g = CenterlineGeometry.model_validate_json(geometry_json)
    c = centerline_curve(g)
    return float(cone.clearance(c.points, c.radii).min())


def _cone_key(cone: Cone) -> tuple[float, ...]:
    return (
        *map(float, cone.entry),
        *map(float, cone.target),
        cone.entry_radius,
        cone.target_radius,
    )


SHAFT_STOP_MM = 10.0
"""At the target every approach works on the L5 root and what lies on it; variation matters
on the way there, so distances are measured to the corridor ending this far short of it."""


def family_gap(state: StepState, members: Sequence[str]) -> float:
    """Smallest gap between the family's members in the field and the corridor's path
    (NaN if none is present)."""
    if state.cone is None:
        return float("nan")
    key = _cone_key(state.cone.shaft(SHAFT_STOP_MM))
    gaps = []
    for sid in members:
        s: Structure | None = state.anatomy.get(sid)
        if s is not None and isinstance(s.geometry, CenterlineGeometry):
            gaps.append(_curve_clearance(key, s.geometry.model_dump_json()))
    return min(gaps) if gaps else float("nan")


def run_variability(
    atlas: Atlas,
    approaches: ApproachSet,
    approach_ids: Sequence[str],
    mesh_points: Mapping[str, np.ndarray],
    n: int = 2000,
    seed: int = 1,
    progress: Callable[[float], None] | None = None,
) -> Variability:
    """Sample ``n`` specimens and measure every approach's working step on each."""
    choices = sample_choices(atlas, n, seed)
    keys = [tuple(sorted(c.items())) for c in choices]
    unique = sorted(set(keys))
    index = {k: i for i, k in enumerate(unique)}
    per_unique = {a: {f: np.full(len(unique), np.nan) for f in WATCHED} for a in approach_ids}
    steps = {a: working_step(approaches.approaches[a].steps) for a in approach_ids}
    centers = {k: v.mean(axis=0) for k, v in mesh_points.items()}
    for u, key in enumerate(unique):
        specimen = build_specimen(atlas, dict(key))
        for a in approach_ids:
            approach = approaches.approaches[a]
            state = field_at(
                specimen,
                approach,
                steps[a],
                approaches.instruments,
                mesh_points,
                draw_instruments=False,
                centers=centers,
            )
            for family, (_, members) in WATCHED.items():
                per_unique[a][family][u] = family_gap(state, members)
        if progress is not None and (u % 10 == 0 or u == len(unique) - 1):
            progress((u + 1) / len(unique))
    rows = np.array([index[k] for k in keys])
    distances = {a: {f: v[rows] for f, v in fam.items()} for a, fam in per_unique.items()}
    return Variability(
        tuple(approach_ids),
        n,
        seed,
        {a: approaches.approaches[a].steps[steps[a]].id for a in approach_ids},
        distances,
        len(unique),
    )
