"""The case builder's slide editor: every field of one view, chart or text slide, saved as it
is committed (through :func:`atlas_app.ui.case_editor.save`), and a preview of the slide.

User text is shown as text (``st.text``) or escaped Markdown, never as HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from atlas_app.cases.edits import edit_slide
from atlas_app.cases.model import (
    CORRIDOR_CAMERA,
    LIMITS,
    MAX_ANNOTATIONS,
    MAX_APPROACHES,
    MAX_CHART_STRUCTURES,
    MAX_IDS,
    AnySlide,
    CameraModel,
    Case,
    CaseError,
    ChartSlide,
    CorridorDistances,
    StepProfile,
    TextSlide,
    VariabilityChart,
    ViewSlide,
)
from atlas_app.model.camera import CAMERA_PRESETS
from atlas_app.model.prevalence import spec_names
from atlas_app.model.schema import SCENE_CATEGORIES
from atlas_app.ui.account import escape_markdown
from atlas_app.ui.case_editor import Editor, init_widget, save, text_field, widget_key

CHART_LABELS = {
    "corridor_distances": "Distance from each corridor to key structures",
    "corridor_summary": "Corridor depth, angle and target exposure",
    "step_profile": "One structure's distance, step by step",
    "variability": "Variability across sampled specimens",
}
DEFAULT_PROFILE_STRUCTURE = "l5_ventral_ramus_right"
NO_APPROACH = ""
DEFAULT_CAMERA_CHOICE = ""
PLACED_CAMERA_CHOICE = "placed"


def _on_slide_field(ed: Editor, slide_id: str, field: str, key: str) -> None:
    value = st.session_state.get(key)
    if isinstance(value, list):
        value = tuple(value)
    save(ed, lambda c: edit_slide(c, slide_id, **{field: value}), "slides")


def _slide_text(
    ed: Editor, slide: AnySlide, field: str, label: str, help_text: str | None = None
) -> None:
    key = widget_key(ed.case_id, slide.id, field)
    value = getattr(slide, field)
    text_field(key, value, field, label, help_text, _on_slide_field, (ed, slide.id, field, key))


def annotation_lines(text: str) -> tuple[str, ...]:
    """The annotations typed one per line (blank lines dropped). Raises CaseError when
    there are too many or one is too long."""
    lines = tuple(line.strip() for line in text.splitlines() if line.strip())
    if len(lines) > MAX_ANNOTATIONS:
        raise CaseError(
            f"a slide has at most {MAX_ANNOTATIONS} annotations, one per line "
            f"(you wrote {len(lines)})"
        )
    for i, line in enumerate(lines, 1):
        if len(line) > LIMITS["annotation"]:
            raise CaseError(
                f"annotation {i} has {len(line)} characters; at most {LIMITS['annotation']}"
            )
    return lines


def _on_annotations(ed: Editor, slide_id: str, key: str) -> None:
    text = str(st.session_state.get(key) or "")

    def edit(c: Case) -> Case:
        return edit_slide(c, slide_id, annotations=annotation_lines(text))

    save(ed, edit, "slides")


def _annotations(ed: Editor, slide: ViewSlide | ChartSlide) -> None:
    key = widget_key(ed.case_id, slide.id, "annotations")
    init_widget(key, "\n".join(slide.annotations))
    st.text_area(
        f"Annotations (one per line, at most {MAX_ANNOTATIONS})",
        key=key,
        max_chars=MAX_ANNOTATIONS * (LIMITS["annotation"] + 1),
        help="Shown beside the slide when presenting, and on the exported slide",
        on_change=_on_annotations,
        args=(ed, slide.id, key),
    )


def _structure_names(case: Case, slide: ViewSlide | ChartSlide) -> dict[str, str]:
    """Structure id -> name on the slide's specimen (the case's when it names none)."""
    from atlas_app.ui.resources import specimen

    chosen, _error = specimen(case.specimen_of(slide))
    names = {sid: s.name for sid, s in chosen.structures.items()}
    return dict(sorted(names.items(), key=lambda item: item[1].lower()))


def _structure_multiselect(
    ed: Editor,
    slide: AnySlide,
    field: str,
    label: str,
    current: tuple[str, ...],
    names: dict[str, str],
    help_text: str,
    on_change: Callable[..., None] | None = None,
    limit: int = MAX_IDS,
) -> None:
    key = widget_key(ed.case_id, slide.id, field)
    init_widget(key, list(current))
    st.multiselect(
        label,
        [*names, *(s for s in current if s not in names)],
        key=key,
        format_func=lambda sid: names.get(sid, sid),
        max_selections=limit,
        help=help_text,
        on_change=on_change or _on_slide_field,
        args=(ed, slide.id, field, key),
    )


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
            on_change=_on_slide_field,
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
        on_change=_on_slide_field,
        args=(ed, slide.id, "hidden_categories", hidden_key),
    )
    names = _structure_names(case, slide)
    _structure_multiselect(
        ed,
        slide,
        "highlight",
        "Highlighted structures",
        slide.highlight,
        names,
        "Drawn in the highlight colour (with a step, added to the structures at risk)",
    )
    _structure_multiselect(
        ed,
        slide,
        "isolate",
        "Show only (isolate)",
        slide.isolate or (),
        names,
        "Leave empty to show everything that is not hidden",
        on_change=_on_isolate,
    )
    _structure_multiselect(
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
            on_change=_on_slide_field,
            args=(ed, slide.id, "highlight_at_risk", risk_key),
        )
    muscle_key = widget_key(ed.case_id, slide.id, "translucent_muscles")
    init_widget(muscle_key, slide.translucent_muscles)
    c2.checkbox(
        "See-through muscles",
        key=muscle_key,
        on_change=_on_slide_field,
        args=(ed, slide.id, "translucent_muscles", muscle_key),
    )


CHART_PARAMS = ("chart_structures", "chart_structure", "chart_n", "chart_seed", "chart_show")


def _on_chart_type(ed: Editor, slide_id: str, key: str, default_structure: str) -> None:
    kind = st.session_state.get(key)
    chart: dict[str, Any] = {"type": kind}
    if kind == "step_profile":
        chart["structure"] = default_structure
    params = tuple(widget_key(ed.case_id, slide_id, p) for p in CHART_PARAMS)
    save(ed, lambda c: edit_slide(c, slide_id, chart=chart), "slides", refresh=params)


def _on_chart_param(ed: Editor, slide_id: str, param: str, key: str) -> None:
    value = st.session_state.get(key)
    if isinstance(value, list):
        value = tuple(value)

    def edit(c: Case) -> Case:
        slide = c.slide(slide_id)
        if not isinstance(slide, ChartSlide):
            raise CaseError("this slide is no longer a chart")
        chart = {**slide.chart.model_dump(), param: value}
        return edit_slide(c, slide_id, chart=chart)

    save(ed, edit, "slides")


def chart_fields(ed: Editor, case: Case, slide: ChartSlide, approaches: Any) -> None:
    """Which chart, its parameters and the approaches it compares."""
    names = _structure_names(case, slide)
    default_structure = (
        DEFAULT_PROFILE_STRUCTURE if DEFAULT_PROFILE_STRUCTURE in names else next(iter(names))
    )
    chart = slide.chart
    type_key = widget_key(ed.case_id, slide.id, "chart_type")
    init_widget(type_key, chart.type)
    st.selectbox(
        "Chart",
        list(CHART_LABELS),
        key=type_key,
        format_func=CHART_LABELS.__getitem__,
        on_change=_on_chart_type,
        args=(ed, slide.id, type_key, default_structure),
    )
    if isinstance(chart, CorridorDistances):
        key = widget_key(ed.case_id, slide.id, "chart_structures")
        init_widget(key, list(chart.structures))
        st.multiselect(
            "Structures (empty: the key nerves and vessels)",
            [*names, *(s for s in chart.structures if s not in names)],
            key=key,
            format_func=lambda sid: names.get(sid, sid),
            max_selections=MAX_CHART_STRUCTURES,
            on_change=_on_chart_param,
            args=(ed, slide.id, "structures", key),
        )
    elif isinstance(chart, StepProfile):
        key = widget_key(ed.case_id, slide.id, "chart_structure")
        options = [*names, *([chart.structure] if chart.structure not in names else [])]
        init_widget(key, chart.structure)
        st.selectbox(
            "Structure",
            options,
            key=key,
            format_func=lambda sid: names.get(sid, sid),
            on_change=_on_chart_param,
            args=(ed, slide.id, "structure", key),
        )
    elif isinstance(chart, VariabilityChart):
        c1, c2 = st.columns(2)
        n_key = widget_key(ed.case_id, slide.id, "chart_n")
        init_widget(n_key, chart.n)
        c1.number_input(
            "Specimens sampled",
            min_value=100,
            max_value=5000,
            step=100,
            key=n_key,
            on_change=_on_chart_param,
            args=(ed, slide.id, "n", n_key),
        )
        seed_key = widget_key(ed.case_id, slide.id, "chart_seed")
        init_widget(seed_key, chart.seed)
        c2.number_input(
            "Seed (the same seed draws the same specimens)",
            min_value=0,
            max_value=2**31 - 1,
            step=1,
            key=seed_key,
            on_change=_on_chart_param,
            args=(ed, slide.id, "seed", seed_key),
        )
        show_key = widget_key(ed.case_id, slide.id, "chart_show")
        init_widget(show_key, chart.show)
        st.radio(
            "Show",
            ["distributions", "within_5mm"],
            key=show_key,
            format_func={
                "distributions": "The distribution of each gap",
                "within_5mm": "How often each comes within 5 mm",
            }.__getitem__,
            horizontal=True,
            on_change=_on_chart_param,
            args=(ed, slide.id, "show", show_key),
        )
    known = approaches.approaches
    key = widget_key(ed.case_id, slide.id, "approaches")
    init_widget(key, list(slide.approaches))
    st.multiselect(
        "Approaches (empty: the case's)",
        [*known, *(a for a in slide.approaches if a not in known)],
        key=key,
        format_func=lambda a: known[a].name if a in known else a,
        max_selections=MAX_APPROACHES,
        on_change=_on_slide_field,
        args=(ed, slide.id, "approaches", key),
    )


def slide_editor(ed: Editor, case: Case, slide: AnySlide, atlas: Any, approaches: Any) -> None:
    """Every field of one slide, saved as it is committed, and what the slide lacks."""
    from atlas_app.cases.checks import slide_problems

    for problem in slide_problems(case, case.index_of(slide.id), atlas, approaches):
        st.warning(escape_markdown(f"This slide cannot be shown as it is: {problem}"))
    _slide_text(ed, slide, "title", "Slide title")
    if isinstance(slide, TextSlide):
        _slide_text(ed, slide, "body", "Text", "Plain text; lines starting with “- ” are bullets")
    elif isinstance(slide, ViewSlide):
        view_fields(ed, case, slide, atlas, approaches)
        _annotations(ed, slide)
    elif isinstance(slide, ChartSlide):
        chart_fields(ed, case, slide, approaches)
        _annotations(ed, slide)
    _slide_text(
        ed,
        slide,
        "notes",
        "Speaker notes",
        "Shown to the presenter, and in the notes pane of the PowerPoint",
    )


def slide_preview(case: Case, slide: AnySlide, atlas: Any, approaches: Any) -> None:
    """The slide as the Present page shows it (the 3D view, the chart, or the text)."""
    try:
        if isinstance(slide, ViewSlide):
            from atlas_app.cases.scenes import scene_for_slide
            from atlas_app.ui.resources import live_scene
            from atlas_app.ui.viewer import show_viewer, slide_token

            specimen_, scene = scene_for_slide(
                atlas, approaches, slide, case_specimen=case.specimen
            )
            live, text_alternative = live_scene(scene, specimen_, labels=slide.labels)
            show_viewer(live, key="cases.preview", height=420, camera_token=slide_token(slide))
            with st.expander("Text description of the view"):
                st.text(text_alternative)
        elif isinstance(slide, ChartSlide):
            from atlas_app.cases.charts import chart_data, chart_figure

            with st.spinner("Measuring…"):
                data = chart_data(
                    atlas,
                    approaches,
                    slide,
                    case_specimen=case.specimen,
                    case_approaches=case.approaches,
                )
            st.plotly_chart(chart_figure(data), width="stretch")
        else:
            st.text(getattr(slide, "body", "") or "")
    except CaseError as exc:
        st.error(f"This slide cannot be shown: {escape_markdown(str(exc))}")
