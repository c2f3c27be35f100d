"""The material and light of every view: the still drawn on the server and the live view in
the browser (which gets these numbers with each scene), so both look alike.

One head light (at the camera), two-sided lighting: a surface seen from inside (a cut
through a bone) is lit rather than black.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyvista as pv

AMBIENT = 0.15
DIFFUSE = 0.85
SPECULAR = 0.2
SPECULAR_POWER = 20.0
HEADLIGHT_INTENSITY = 1.0
FEATURE_ANGLE = 60.0
"""Edges sharper than this keep split normals (tube caps stay crisp)."""


def shading() -> dict[str, Any]:
    """The material and light as the browser viewer reads them."""
    return {
        "ambient": AMBIENT,
        "diffuse": DIFFUSE,
        "specular": SPECULAR,
        "specularPower": SPECULAR_POWER,
        "headlight": HEADLIGHT_INTENSITY,
    }


def split_normals(mesh: pv.PolyData) -> pv.PolyData:
    """``mesh`` with smooth point normals, its vertices doubled along edges sharper than
    :data:`FEATURE_ANGLE` (so a tube's cap is not smoothed into its side)."""
    return mesh.compute_normals(
        cell_normals=False,
        point_normals=True,
        split_vertices=True,
        feature_angle=FEATURE_ANGLE,
        consistent_normals=False,
        auto_orient_normals=False,
    )
