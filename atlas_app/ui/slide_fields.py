"""Fields every slide editor shares: a saved text field, the annotations, a multiselect of
the case's structures."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from atlas_app.cases.edits import edit_slide
from atlas_app.cases.model import (
    LIMITS,
    MAX_ANNOTATIONS,
    MAX_IDS,
    AnySlide,
    Case,
    CaseError,
    ChartSlide,
    ViewSlide,
)
from atlas_app.ui.case_editor import Editor, init_widget, save, text_field, widget_key


def on_slide_field(ed: Editor, slide_id: str, field: str, key: str) -> None:
    value = st.session_state.get(key)
    if isinstance(value, list):
        value = tuple(value)
    save(ed, lambda c: edit_slide(c, slide_id, **{field: value}), "slides")


def slide_text_field(
    ed: Editor, slide: AnySlide, field: str, label: str, help_text: str | None = None
) -> None:
    key = widget_key(ed.case_id, slide.id, field)
    value = getattr(slide, field)
    text_field(key, value, field, label, help_text, on_slide_field, (ed, slide.id, field, key))


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


def annotations_field(ed: Editor, slide: ViewSlide | ChartSlide) -> None:
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


def structure_names(case: Case, slide: ViewSlide | ChartSlide) -> dict[str, str]:
    """Structure id -> name on the slide's specimen (the case's when it names none)."""
    from atlas_app.ui.resources import specimen

    chosen, _error = specimen(case.specimen_of(slide))
    names = {sid: s.name for sid, s in chosen.structures.items()}
    return dict(sorted(names.items(), key=lambda item: item[1].lower()))


def structure_multiselect(
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
        on_change=on_change or on_slide_field,
        args=(ed, slide.id, field, key),
    )
