"""Point specifications → coordinates on one specimen and side."""

from __future__ import annotations

import numpy as np

from atlas_app.geometry.centerline import Array
from atlas_app.geometry.shapes import centerline_curve
from atlas_app.model.geometry_schema import CenterlineGeometry, ParametricGeometry
from atlas_app.model.schema import SIDE_SIGN
from atlas_app.model.specimen import Specimen
from atlas_app.sacroplasty.loader import SacroplastySet
from atlas_app.sacroplasty.schema import AlongStructure, PointSpec, sided


class PointError(ValueError):
    """A point that cannot be built on this specimen (a structure a variant removed)."""


def mirrored(v: tuple[float, float, float] | Array, side: str) -> Array:
    """A vector written for the right side, for ``side`` (x flips on the left)."""
    out = np.asarray(v, float).copy()
    out[0] *= SIDE_SIGN[side]
    return out


def along_structure(ref: AlongStructure, specimen: Specimen, side: str) -> Array:
    sid = sided(ref.structure, side)
    s = specimen.structures.get(sid)
    if s is None:
        raise PointError(f"this specimen has no structure '{sid}'")
    g = s.geometry
    if isinstance(g, CenterlineGeometry):
        curve = centerline_curve(g)
        seg = np.linalg.norm(np.diff(curve.points, axis=0), axis=1)
        arc = np.concatenate([[0.0], np.cumsum(seg)])
        at = ref.fraction * arc[-1]
        return np.array([np.interp(at, arc, curve.points[:, k]) for k in range(3)])
    if isinstance(g, ParametricGeometry):
        if g.center is not None:
            return np.asarray(g.center, float)
        if g.points:
            return np.asarray(g.points, float).mean(axis=0)
    raise PointError(f"'{sid}' has no centerline or centre to place a point on")


def resolve(
    spec: PointSpec,
    specimen: Specimen,
    side: str,
    data: SacroplastySet,
    _trail: tuple[str, ...] = (),
) -> Array:
    """The coordinates of a point spec on this specimen, for ``side``."""
    if spec.at is not None:
        base = mirrored(spec.at, side)
    elif spec.landmark is not None:
        base = _landmark(spec.landmark, specimen, side)
    elif spec.point is not None:
        base = _named(spec.point, specimen, side, data, _trail)
    elif spec.midway is not None:
        a, b = (
            _named(r, specimen, side, data, _trail)
            if r in data.points
            else _landmark(r, specimen, side)
            for r in spec.midway
        )
        base = (a + b) / 2.0
    else:
        assert spec.along is not None
        base = along_structure(spec.along, specimen, side)
    return base + mirrored(spec.offset, side)


def _landmark(template: str, specimen: Specimen, side: str) -> Array:
    lid = sided(template, side)
    if lid not in specimen.landmarks:
        raise PointError(f"this specimen has no landmark '{lid}'")
    return np.asarray(specimen.landmarks[lid], float)


def _named(
    pid: str, specimen: Specimen, side: str, data: SacroplastySet, trail: tuple[str, ...]
) -> Array:
    if pid in trail:
        raise PointError("points refer to each other in a loop: " + " → ".join((*trail, pid)))
    point = data.points.get(pid)
    if point is None:
        raise PointError(f"unknown point '{pid}'")
    return resolve(point.where, specimen, side, data, (*trail, pid))
