"""Shared, cached objects for the pages: the atlas, specimens, scene pages, still images.

Everything cached here is the same for every user (the atlas and what is drawn from it);
nothing about a user is cached.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.checks import run_checks
from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import PatchError, SpecError, Specimen, build_specimen
from atlas_app.paths import DEFAULT_ATLAS_DIR
from atlas_app.scene.compose import describe_scene
from atlas_app.scene.render_html import cached_scene_html
from atlas_app.scene.render_worker import GLStatus, RenderError, gl_status, render_png
from atlas_app.scene.spec import SceneSpec


@dataclass(frozen=True)
class LoadedAtlas:
    """The atlas and every fault found in it. Broken records are left out; the rest serves."""

    atlas: Atlas
    faults: tuple[Fault, ...]


@st.cache_resource(show_spinner="Loading the atlas…")
def loaded_atlas() -> LoadedAtlas:
    atlas = load_atlas(DEFAULT_ATLAS_DIR)
    return LoadedAtlas(atlas, tuple(run_checks(atlas)))


@st.cache_resource(max_entries=256, show_spinner=False)
def _specimen(spec: str) -> Specimen:
    return build_specimen(loaded_atlas().atlas, spec)


def specimen(spec: str) -> tuple[Specimen, str | None]:
    """The specimen for a SPEC string, or the default one and why the SPEC failed."""
    try:
        return _specimen(spec), None
    except (SpecError, PatchError) as exc:
        try:
            return _specimen("default"), str(exc)
        except (SpecError, PatchError) as exc2:  # the base model itself is broken
            raise RuntimeError(f"the atlas cannot build any specimen: {exc2}") from exc2


def scene_page(spec: SceneSpec, specimen_: Specimen) -> tuple[str, str]:
    """The viewer page of a scene (cached by the scene's key) and its text alternative."""
    atlas = loaded_atlas().atlas
    text = describe_scene(spec, specimen_, atlas)
    return cached_scene_html(atlas, specimen_, spec, text), text


@st.cache_resource(show_spinner="Checking server-side rendering…")
def render_status() -> GLStatus:
    return gl_status()


@st.cache_data(max_entries=64, show_spinner=False)
def still_png(scene_json: str, spec_string: str, width: int, height: int) -> bytes:
    """A labelled still of a scene, rendered in the worker process (cached by scene)."""
    return render_png(
        DEFAULT_ATLAS_DIR,
        spec_string,
        SceneSpec.from_json(scene_json),
        size=(width, height),
        labels=True,
    )


__all__ = [
    "LoadedAtlas",
    "RenderError",
    "loaded_atlas",
    "render_status",
    "scene_page",
    "specimen",
    "still_png",
]
