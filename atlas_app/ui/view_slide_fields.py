"""The fields of a view slide: specimen, approach and step, camera, hidden layers,
highlighted and isolated structures, see-through muscles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from atlas_app.cases.edits import edit_slide
from atlas_app.cases.model import CORRIDOR_CAMERA, CameraModel, Case, ViewSlide
from atlas_app.model.camera import CAMERA_PRESETS
from atlas_app.model.prevalence import spec_names
from atlas_app.model.schema import SCENE_CATEGORIES
from atlas_app.ui.account import escape_markdown
from atlas_app.ui.case_editor import Editor, init_widget, save, widget_key
from atlas_app.ui.slide_fields import (
    on_slide_field,
    structure_multiselect,
    structure_names,
)

NO_APPROACH = ""
DEFAULT_CAMERA_CHOICE = ""
PLACED_CAMERA_CHOICE = "placed"


def _on_isolate(ed: Editor, slide_id: str, field: str, key: str) -> None:
    chosen = tuple(st.session_state.get(key) or ())
    save(ed, lambda c: edit_slide(c, slide_id, isolate=chosen or None), "slides")


def _on_approach(ed: Editor, slide_id: str, key: str) -> None:
    approach = st.session_state.get(key) or None

    def edit(c: Case) -> Case:
        slide = c.slide(slide_id)
        changes: dict[str, Any] = {"approach": approach, "step": 0 if approach else None}
        if approach is None and getattr(slide, "camera", None) == CORRIDOR_CAMERA:
            changes["camera"] = None
        return edit_slide(c, slide_id, **changes)

    dependent = ("step", "camera", "highlight_at_risk")
    save(ed, edit, "slides", refresh=tuple(widget_key(ed.case_id, slide_id, f) for f in dependent))


def _on_camera(ed: Editor, slide_id: str, key: str) -> None:
    choice = st.session_state.get(key)
    if choice == PLACED_CAMERA_CHOICE:
        return
    camera = None if choice == DEFAULT_CAMERA_CHOICE else choice
    save(ed, lambda c: edit_slide(c, slide_id, camera=camera), "slides")


def _camera_label(slide: ViewSlide) -> Callable[[str], str]:
    def label(choice: str) -> str:
        if choice == DEFAULT_CAMERA_CHOICE:
            return "The step's own view" if slide.approach else "Default (anterior)"
        if choice == CORRIDOR_CAMERA:
            return "Down the working corridor"
        if choice == PLACED_CAMERA_CHOICE and isinstance(slide.camera, CameraModel):
            return f"Placed by hand: {slide.camera.title}"
        return CAMERA_PRESETS[choice].title if choice in CAMERA_PRESETS else choice

    return label


def view_fields(ed: Editor, case: Case, slide: ViewSlide, atlas: Any, approaches: Any) -> None:
    """What a view slide shows: the approach step, camera, layers and structures."""
    if slide.specimen and slide.specimen != case.specimen:
        st.caption(
            "This slide shows its own specimen: "
            + escape_markdown(spec_names(atlas, slide.specimen))
            + "."
        )

        def _use_case_specimen() -> None:
            save(ed, lambda c: edit_slide(c, slide.id, specimen=None), "slides")

        st.button(
            "Use the case's specimen",
            key=widget_key(ed.case_id, slide.id, "case_specimen"),
            on_click=_use_case_specimen,
        )
    known = approaches.approaches
    key = widget_key(ed.case_id, slide.id, "approach")
    init_widget(key, slide.approach or NO_APPROACH)
    st.selectbox(
        "Approach",
        [
            NO_APPROACH,
            *known,
            *([slide.approach] if slide.approach and slide.approach not in known else []),
        ],
        key=key,
        format_func=lambda a: (
            "None: a view of the atlas" if not a else known[a].name if a in known else a
        ),
        on_change=_on_approach,
        args=(ed, slide.id, key),
    )
    if slide.approach in known:
        steps = known[slide.approach].steps
        step_key = widget_key(ed.case_id, slide.id, "step")
        init_widget(step_key, min(slide.step or 0, len(steps) - 1))
        st.selectbox(
            "Step",
            list(range(len(steps))),
            key=step_key,
            format_func=lambda i: f"{i + 1}. {steps[i].title}",
            on_change=on_slide_field,
            args=(ed, slide.id, "step", step_key),
        )
    cameras = [DEFAULT_CAMERA_CHOICE, *CAMERA_PRESETS]
    if slide.approach:
        cameras.append(CORRIDOR_CAMERA)
    if isinstance(slide.camera, CameraModel):
        cameras.append(PLACED_CAMERA_CHOICE)
    camera_key = widget_key(ed.case_id, slide.id, "camera")
    current = (
        PLACED_CAMERA_CHOICE
        if isinstance(slide.camera, CameraModel)
        else slide.camera or DEFAULT_CAMERA_CHOICE
    )
    init_widget(camera_key, current if current in cameras else DEFAULT_CAMERA_CHOICE)
    st.selectbox(
        "Camera",
        cameras,
        key=camera_key,
        format_func=_camera_label(slide),
        help="A preset view; with an approach step, also the view down its working corridor",
        on_change=_on_camera,
        args=(ed, slide.id, camera_key),
    )
    hidden_key = widget_key(ed.case_id, slide.id, "hidden_categories")
    init_widget(hidden_key, list(slide.hidden_categories))
    st.multiselect(
        "Hidden layers",
        list(SCENE_CATEGORIES),
        key=hidden_key,
        format_func=str.capitalize,
        on_change=on_slide_field,
        args=(ed, slide.id, "hidden_categories", hidden_key),
    )
    names = structure_names(case, slide)
    structure_multiselect(
        ed,
        slide,
        "highlight",
        "Highlighted structures",
        slide.highlight,
        names,
        "Drawn in the highlight colour (with a step, added to the structures at risk)",
    )
    structure_multiselect(
        ed,
        slide,
        "isolate",
        "Show only (isolate)",
        slide.isolate or (),
        names,
        "Leave empty to show everything that is not hidden",
        on_change=_on_isolate,
    )
    structure_multiselect(
        ed,
        slide,
        "hidden_structures",
        "Hidden structures",
        slide.hidden_structures,
        names,
        "Structures left out of the view",
    )
    c1, c2 = st.columns(2)
    if slide.approach:
        risk_key = widget_key(ed.case_id, slide.id, "highlight_at_risk")
        init_widget(risk_key, slide.highlight_at_risk)
        c1.checkbox(
            "Highlight the structures at risk",
            key=risk_key,
            on_change=on_slide_field,
            args=(ed, slide.id, "highlight_at_risk", risk_key),
        )
    muscle_key = widget_key(ed.case_id, slide.id, "translucent_muscles")
    init_widget(muscle_key, slide.translucent_muscles)
    c2.checkbox(
        "See-through muscles",
        key=muscle_key,
        on_change=on_slide_field,
        args=(ed, slide.id, "translucent_muscles", muscle_key),
    )
