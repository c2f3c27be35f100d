"""The fields of a chart slide: which chart, its structures, sample and seed, and what it
shows."""

from __future__ import annotations

from typing import Any

import streamlit as st

from atlas_app.cases.edits import edit_slide
from atlas_app.cases.model import (
    MAX_APPROACHES,
    MAX_CHART_STRUCTURES,
    Case,
    CaseError,
    ChartSlide,
    CorridorDistances,
    StepProfile,
    VariabilityChart,
)
from atlas_app.ui.case_editor import Editor, init_widget, save, widget_key
from atlas_app.ui.slide_fields import (
    on_slide_field,
    structure_names,
)

CHART_LABELS = {
    "corridor_distances": "Distance from each corridor to key structures",
    "corridor_summary": "Corridor depth, angle and target exposure",
    "step_profile": "One structure's distance, step by step",
    "variability": "Variability across sampled specimens",
}
DEFAULT_PROFILE_STRUCTURE = "l5_ventral_ramus_right"
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
    names = structure_names(case, slide)
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
        on_change=on_slide_field,
        args=(ed, slide.id, "approaches", key),
    )
