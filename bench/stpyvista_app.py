"""The reference of the browser benchmark: the atlas's first view through stpyvista.

The same scene as the Atlas page opens with (the default specimen, the abdominal wall
hidden, the anterior camera), the same browser surfaces, colours and opacities, shown by
stpyvista 0.2's own trame backend (``stpyvista(plotter)``): what a PyVista-in-Streamlit
app of this field does. The surfaces are built once per server (cached), as our page does;
the export stpyvista makes on every run is its own cost.
"""

from __future__ import annotations

import pyvista as pv
import streamlit as st
from stpyvista import stpyvista

from atlas_app.approaches.field_view import WALL_GROUP
from atlas_app.model.camera import CameraSpec
from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import build_specimen
from atlas_app.paths import DEFAULT_ATLAS_DIR
from atlas_app.scene.browser_mesh import browser_surface
from atlas_app.scene.compose import compose_scene


@st.cache_resource
def scene() -> tuple[list[tuple[pv.PolyData, str, float]], CameraSpec]:
    atlas = load_atlas(DEFAULT_ATLAS_DIR)
    specimen = build_specimen(atlas)
    wall = [s for s, v in specimen.structures.items() if v.parent == WALL_GROUP]
    spec = compose_scene(atlas, specimen, hidden_structures=wall)
    return [
        (browser_surface(specimen.structures[a.structure_id], atlas.root), a.color, a.opacity)
        for a in spec.visible_actors
    ], spec.camera


surfaces, camera = scene()
plotter = pv.Plotter(window_size=[820, 560], off_screen=True)
for surface, color, opacity in surfaces:
    plotter.add_mesh(surface, color=color, opacity=opacity, smooth_shading=True)
plotter.camera.position = camera.position
plotter.camera.focal_point = camera.focal_point
plotter.camera.up = camera.view_up
plotter.background_color = pv.Color("white")
st.write("The atlas's first view through stpyvista.")
stpyvista(plotter, key="reference")
