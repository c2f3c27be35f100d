"""The case builder's slide editor: every field of one view, chart or text slide, saved as it
is committed (through :func:`atlas_app.ui.case_editor.save`), and a preview of the slide.

User text is shown as text (``st.text``) or escaped Markdown, never as HTML.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from atlas_app.cases.model import (
    AnySlide,
    Case,
    CaseError,
    ChartSlide,
    TextSlide,
    ViewSlide,
)
from atlas_app.ui.account import escape_markdown
from atlas_app.ui.case_editor import Editor
from atlas_app.ui.chart_slide_fields import chart_fields
from atlas_app.ui.slide_fields import (
    annotations_field,
    slide_text_field,
)
from atlas_app.ui.view_slide_fields import view_fields


def slide_editor(ed: Editor, case: Case, slide: AnySlide, atlas: Any, approaches: Any) -> None:
    """Every field of one slide, saved as it is committed, and what the slide lacks."""
    from atlas_app.cases.checks import slide_problems

    for problem in slide_problems(case, case.index_of(slide.id), atlas, approaches):
        st.warning(escape_markdown(f"This slide cannot be shown as it is: {problem}"))
    slide_text_field(ed, slide, "title", "Slide title")
    if isinstance(slide, TextSlide):
        slide_text_field(
            ed, slide, "body", "Text", "Plain text; lines starting with “- ” are bullets"
        )
    elif isinstance(slide, ViewSlide):
        view_fields(ed, case, slide, atlas, approaches)
        annotations_field(ed, slide)
    elif isinstance(slide, ChartSlide):
        chart_fields(ed, case, slide, approaches)
        annotations_field(ed, slide)
    slide_text_field(
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
