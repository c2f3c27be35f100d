"""Simulated fluoroscopy: X-ray-like projections of the bones, the needles and the cement.

How it works (pure numpy/scipy and Pillow: no GL, safe in the app process), one module a step:

1. **Voxelise once.** Each bone mesh of the specimen (vertebrae, sacrum, hip bones; not the
   discs) is filled on a 1 mm grid by ray parity along y. Its outer 2 mm shell gets the
   attenuation of cortical bone, the inside that of (osteoporotic) marrow bone, both as an
   excess over soft tissue. The sacrum's foramina are open in the adult body's bone, so they
   show as they do on a radiograph. Cached per atlas geometry.
2. **Project along parallel rays** (shear-warp): the volume is cut into slices across the
   beam's main axis; each slice is shifted by where the beam carries it and added, with
   bilinear weights, onto one plane, scaled by the path length per slice. Cached per beam.
3. **Add what is not bone analytically:** the soft tissue of the body (an elliptic
   cylinder), each needle (a steel cylinder: exact chord length per ray) and the cement (a
   union of spheres: exact union of chords per ray).
4. **Display** as on a fluoroscopy monitor: the log-attenuation image is windowed on the
   bones, inverted so that bone is dark and metal and cement black (``style="radiograph"``
   gives white bone), with a little fixed noise, inside the round field of an image
   intensifier.
"""

from __future__ import annotations

from atlas_app.sacroplasty.fluoro.image import Fluoro, clear_caches, simulate
from atlas_app.sacroplasty.fluoro.settings import FOV_MM, PIXEL_MM, U8, VOXEL_MM, Style
from atlas_app.sacroplasty.fluoro.tissue import needle_chords, sphere_chords
from atlas_app.sacroplasty.fluoro.views import (
    ViewGeometry,
    disc_normal,
    view_from_data,
    view_geometry,
)
from atlas_app.sacroplasty.fluoro.volume import Volume, bone_volume

__all__ = [
    "FOV_MM",
    "PIXEL_MM",
    "U8",
    "VOXEL_MM",
    "Fluoro",
    "Style",
    "ViewGeometry",
    "Volume",
    "bone_volume",
    "clear_caches",
    "disc_normal",
    "needle_chords",
    "simulate",
    "sphere_chords",
    "view_from_data",
    "view_geometry",
]
