"""The case builder's fields of the case itself: title, summary, presentation and imaging,
the specimen (its variants) and the approaches the case follows. Each is saved as it is
committed, through :func:`atlas_app.ui.case_editor.save`."""

from __future__ import annotations

from typing import Any

import streamlit as st

from atlas_app.cases.edits import edit_case
from atlas_app.cases.model import MAX_APPROACHES, Case
from atlas_app.model.specimen import SpecError, default_choices, format_spec, parse_spec
from atlas_app.ui.account import escape_markdown
from atlas_app.ui.case_editor import (
    Editor,
    init_widget,
    save,
    text_field,
    widget_key,
)
from atlas_app.ui.panels import option_labeller


def _on_case_field(ed: Editor, field: str, key: str) -> None:
    value = st.session_state.get(key)
    if isinstance(value, list):
        value = tuple(value)
    save(ed, lambda c: edit_case(c, **{field: value}), "case")


def case_fields(ed: Editor, case: Case) -> None:
    """Title, de-identified summary, presentation and imaging findings."""
    fields = (
        ("title", "Title", None),
        (
            "summary",
            "De-identified summary",
            "Age range, sex and history only: no names, dates or numbers",
        ),
        ("presentation", "Presentation", None),
        ("imaging", "Imaging findings", None),
    )
    for field, label, help_text in fields:
        key = widget_key(ed.case_id, "case", field)
        value = getattr(case, field)
        text_field(key, value, field, label, help_text, _on_case_field, (ed, field, key))


def _on_specimen(ed: Editor, atlas: Any) -> None:
    choices = {
        g.id: st.session_state.get(widget_key(ed.case_id, "variant", g.id), g.default)
        for g in atlas.variant_groups.values()
    }
    spec = format_spec(atlas, choices)
    save(ed, lambda c: edit_case(c, specimen=spec), "case")


def _usual_anatomy(ed: Editor, atlas: Any) -> None:
    keys = tuple(widget_key(ed.case_id, "variant", g) for g in atlas.variant_groups)
    save(ed, lambda c: edit_case(c, specimen="default"), "case", refresh=keys)


def specimen_picker(ed: Editor, case: Case, atlas: Any) -> None:
    """One choice per variant group of the atlas, saved to the case (the Atlas page's own
    pickers are not touched)."""
    try:
        chosen = parse_spec(atlas, case.specimen)
    except SpecError as exc:
        st.error(f"This case's specimen does not fit this atlas: {escape_markdown(str(exc))}")
        chosen = default_choices(atlas)
    for g in atlas.variant_groups.values():
        key = widget_key(ed.case_id, "variant", g.id)
        init_widget(key, chosen.get(g.id, g.default))
        st.selectbox(
            g.name,
            [o.id for o in g.options],
            key=key,
            format_func=option_labeller(atlas, g.id),
            help=g.description,
            on_change=_on_specimen,
            args=(ed, atlas),
        )
    st.button(
        "Usual anatomy",
        key=widget_key(ed.case_id, "usual"),
        on_click=_usual_anatomy,
        args=(ed, atlas),
        disabled=case.specimen == "default",
        help="Every variant at its default (most common or textbook) option",
    )


def approaches_picker(ed: Editor, case: Case, approaches: Any) -> None:
    key = widget_key(ed.case_id, "case", "approaches")
    known = list(approaches.approaches)
    init_widget(key, list(case.approaches))
    st.multiselect(
        "Approaches to compare",
        [*known, *(a for a in case.approaches if a not in known)],
        key=key,
        format_func=lambda a: approaches.approaches[a].name if a in approaches.approaches else a,
        max_selections=MAX_APPROACHES,
        help="What the chart slides compare when they name no approach themselves",
        on_change=_on_case_field,
        args=(ed, "approaches", key),
    )
