"""The 3D viewer on a page: a cached vtk.js page in an iframe.

The page is built once per scene (keyed by what it shows) and embedded as-is, so a rerun
that does not change the scene sends the same page and the browser keeps the user's
camera; stpyvista's own call re-exports on every rerun (about a second) and resets it.
"""

from __future__ import annotations

import streamlit as st

VIEWER_HEIGHT = 560


def show_viewer(page: str, height: int = VIEWER_HEIGHT) -> None:
    st.iframe(page, height=height)
