"""Shared, cached objects for the pages: the atlas, specimens, scene pages, still images.

Everything cached here is the same for every user (the atlas and what is drawn from it);
nothing about a user is cached.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from atlas_app.approaches.api import measure_approach, measure_step, mesh_vertices
from atlas_app.approaches.engine import StepState, field_at
from atlas_app.approaches.loader import ApproachSet, load_approaches
from atlas_app.approaches.metric_types import ApproachMetrics, StepMetrics
from atlas_app.caching import MiB, ObjectMemo
from atlas_app.geometry.mesh_files import check_mesh_data, unusable_meshes
from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.checks import run_checks
from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import PatchError, SpecError, Specimen, build_specimen
from atlas_app.paths import DEFAULT_ATLAS_DIR
from atlas_app.scene.compose import describe_scene
from atlas_app.scene.render_pool import gl_status, render_png
from atlas_app.scene.render_worker import GLStatus, RenderError
from atlas_app.scene.spec import SceneSpec
from atlas_app.scene.viewer_payload import ViewerScene, encode_all, viewer_scene

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedAtlas:
    """The atlas and every fault found in it. Broken records are left out; the rest serves."""

    atlas: Atlas
    faults: tuple[Fault, ...]


@st.cache_resource(show_spinner="Loading the atlas…")
def loaded_atlas() -> LoadedAtlas:
    atlas = load_atlas(DEFAULT_ATLAS_DIR)
    # Which records are broken is what the app needs; the geometric checks are validate's.
    faults = [*run_checks(atlas), *check_mesh_data(atlas)]
    # A structure whose mesh cannot be read is left out, like a record that failed its
    # schema: its fault is shown, the rest of the atlas serves.
    atlas = atlas.without_structures(set(unusable_meshes(atlas)))
    return LoadedAtlas(atlas, tuple(sorted(set(faults))))


# Specimens and step fields take about 0.5 MB each: kept by bytes, for the atlas loaded
# now (one loaded anew, as tests do by clearing Streamlit's caches, starts afresh).
_specimens: ObjectMemo[Specimen] = ObjectMemo(max_bytes=128 * MiB)
_step_fields: ObjectMemo[StepState] = ObjectMemo(max_bytes=128 * MiB)


def _specimen(spec: str) -> Specimen:
    atlas = loaded_atlas().atlas
    return _specimens.get_or_make((atlas,), lambda: build_specimen(atlas, spec), spec)


def specimen(spec: str) -> tuple[Specimen, str | None]:
    """The specimen for a SPEC string, or the default one and why the SPEC failed."""
    try:
        return _specimen(spec), None
    except (SpecError, PatchError) as exc:
        try:
            return _specimen("default"), str(exc)
        except (SpecError, PatchError) as exc2:  # the base model itself is broken
            raise RuntimeError(f"the atlas cannot build any specimen: {exc2}") from exc2


def live_scene(
    spec: SceneSpec,
    specimen_: Specimen,
    *,
    base: Specimen | None = None,
    labels: Sequence[str] | None = None,
) -> tuple[ViewerScene, str]:
    """The live viewer's description of a scene and its text alternative. ``base`` is the
    specimen an approach step's field was made from (retracted tissue then morphs)."""
    atlas = loaded_atlas().atlas
    text = describe_scene(spec, specimen_, atlas)
    return viewer_scene(atlas, specimen_, spec, base=base, description=text, labels=labels), text


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
    "live_scene",
    "loaded_atlas",
    "render_status",
    "specimen",
    "still_png",
]


# --- Approaches ------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def approach_set() -> ApproachSet:
    return load_approaches(loaded_atlas().atlas)


def step_field(approach_id: str, spec: str, index: int) -> StepState:
    """The field of one step on one specimen (geometry shared by every user)."""
    atlas = loaded_atlas().atlas
    sp, _ = specimen(spec)
    approaches = approach_set()

    def make() -> StepState:
        return field_at(
            sp,
            approaches.approaches[approach_id],
            index,
            approaches.instruments,
            mesh_vertices(atlas, sp),
        )

    return _step_fields.get_or_make((atlas, approaches), make, approach_id, spec, index)


@st.cache_data(max_entries=512, show_spinner=False)
def step_metrics(approach_id: str, spec: str, index: int) -> StepMetrics:
    return measure_step(loaded_atlas().atlas, step_field(approach_id, spec, index))


_prefetching = threading.Semaphore(1)


def prefetch_step(approach_id: str, spec: str, index: int) -> None:
    """Work out a step in the background (the one after the step shown: where *Next*
    goes): its field, its measures and its moved surfaces are then cached when the click
    comes, and the step change waits only for its own scene. One prefetch at a time; none
    while one runs (a click meanwhile computes what it needs itself)."""
    if not _prefetching.acquire(blocking=False):
        return

    def work() -> None:
        try:
            field = step_field(approach_id, spec, index)
            step_metrics(approach_id, spec, index)
            encode_all(loaded_atlas().atlas.root, field.specimen, base=specimen(spec)[0])
        except Exception:  # costs nothing but time: the click computes it again
            _log.exception("prefetching step %s of %s failed", index, approach_id)
        finally:
            _prefetching.release()

    thread = threading.Thread(target=work, name="atlas-step-prefetch", daemon=True)
    add_script_run_ctx(thread, get_script_run_ctx())  # the caches are Streamlit's
    thread.start()


@st.cache_data(max_entries=64, show_spinner=False)
def approach_metrics(approach_id: str, spec: str) -> ApproachMetrics:
    sp, _ = specimen(spec)
    return measure_approach(loaded_atlas().atlas, approach_set(), sp, approach_id)


def endangered_by(structure_id: str, spec: str) -> dict[str, list[str]]:
    """Approach name → the steps in which the structure is at risk: named so by the
    approach, or within 5 mm of its working corridor on this specimen."""
    out: dict[str, list[str]] = {}
    approaches = approach_set()
    for aid, approach in approaches.approaches.items():
        metrics = approach_metrics(aid, spec)
        steps = []
        for step, m in zip(approach.steps, metrics["steps"], strict=True):
            named = structure_id in step.at_risk
            found = m["structures"].get(structure_id)
            near = found is not None and found["within_5mm"]
            if named or near:
                how = (
                    "named"
                    if named and not near
                    else "within 5 mm"
                    if near and not named
                    else "named, within 5 mm"
                )
                steps.append(f"{step.title} ({how})")
        if steps:
            out[approach.short_name] = steps
    return out
