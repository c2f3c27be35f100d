"""A needle (a straight cannula), the cement (a union of spheres), and the needles and
cement of a technique on one side of a specimen."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atlas_app.geometry.centerline import Array
from atlas_app.model.specimen import Specimen
from atlas_app.sacroplasty.loader import SacroplastySet
from atlas_app.sacroplasty.points import resolve
from atlas_app.sacroplasty.schema import Technique

SAMPLE_MM = 0.5


@dataclass(frozen=True)
class NeedlePath:
    """A straight cannula from ``entry`` to ``tip`` (mm, atlas frame)."""

    label: str
    side: str
    entry: Array
    tip: Array
    radius_mm: float = 1.5
    technique: str | None = None
    needle: str | None = None

    @property
    def length(self) -> float:
        return float(np.linalg.norm(self.tip - self.entry))

    @property
    def direction(self) -> Array:
        d = self.tip - self.entry
        n = float(np.linalg.norm(d))
        return d / n if n > 0 else np.array([0.0, 0.0, 1.0])

    def samples(self, step: float = SAMPLE_MM) -> Array:
        n = max(int(np.ceil(self.length / step)), 1) + 1
        t = np.linspace(0.0, 1.0, n)[:, None]
        return self.entry[None, :] + t * (self.tip - self.entry)[None, :]


@dataclass(frozen=True)
class Spheres:
    """Cement drawn as a union of spheres."""

    centres: Array  # (n, 3)
    radii: Array  # (n,)

    def __len__(self) -> int:
        return len(self.radii)

    def volume_ml(self, step: float = 0.5) -> float:
        """Volume of the union (grid count), in millilitres."""
        if not len(self):
            return 0.0
        lo = (self.centres - self.radii[:, None]).min(0)
        hi = (self.centres + self.radii[:, None]).max(0)
        axes = [np.arange(a, b + step, step) for a, b in zip(lo, hi, strict=True)]
        grid = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 3)
        inside = np.zeros(len(grid), bool)
        for c, r in zip(self.centres, self.radii, strict=True):
            inside |= ((grid - c) ** 2).sum(1) <= r * r
        return float(inside.sum() * step**3 / 1000.0)

    @staticmethod
    def join(parts: list[Spheres]) -> Spheres:
        if not parts:
            return Spheres(np.zeros((0, 3)), np.zeros(0))
        return Spheres(
            np.vstack([p.centres for p in parts]), np.concatenate([p.radii for p in parts])
        )


def technique_paths(
    data: SacroplastySet, specimen: Specimen, technique_id: str, side: str
) -> tuple[NeedlePath, ...]:
    """The needles of a technique on one side of a specimen."""
    tech = data.techniques[technique_id]
    return tuple(
        NeedlePath(
            label=n.label,
            side=side,
            entry=resolve(n.entry, specimen, side, data),
            tip=resolve(n.aim, specimen, side, data),
            radius_mm=n.gauge_mm / 2.0,
            technique=technique_id,
            needle=n.id,
        )
        for n in tech.needles
    )


def cement_for(tech: Technique, paths: tuple[NeedlePath, ...]) -> Spheres:
    """Where the technique leaves cement: a mass at each tip, or a column laid from the
    tip back along the track as the cannula is withdrawn."""
    plan = tech.cement
    parts = []
    for p in paths:
        if plan.pattern == "at_tip":
            parts.append(Spheres(p.tip[None, :], np.array([plan.radius_mm])))
            continue
        back = np.arange(0.0, plan.length_mm + 1e-9, plan.spacing_mm)
        back = back[back <= p.length]
        # The cement leaves the cannula's mouth: the first sphere sits just behind the tip.
        centres = p.tip[None, :] - (back[:, None] + 0.5 * plan.radius_mm) * p.direction[None, :]
        parts.append(Spheres(centres, np.full(len(back), plan.radius_mm)))
    return Spheres.join(parts)


def technique_cement(
    data: SacroplastySet, specimen: Specimen, technique_id: str, side: str
) -> Spheres:
    return cement_for(
        data.techniques[technique_id], technique_paths(data, specimen, technique_id, side)
    )
