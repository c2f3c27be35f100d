"""Case builder: my cases and those shared with me; start a case (new, the example, a YAML
file); edit the case (its text, specimen and approaches) and its slides (view, chart and text
slides: add, reorder, duplicate, delete, every field), all saved as they are made, against
the version this page opened; share, delete, present and export.

Faculty build; co-editors edit; trainees open what is shared with them read-only; guests are
asked to sign in. The widgets live in ``atlas_app/ui/case_editor.py`` (saving, undo,
conflicts), ``case_fields.py`` (the case), ``slide_list.py``, ``slide_editor.py`` (one slide)
and ``case_library.py`` (the list, import, sharing). User text is shown as text or escaped
Markdown, never as HTML.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from atlas_app.cases.api import CaseError, case_to_yaml, export_case
from atlas_app.ui import state
from atlas_app.ui.account import account_unavailable, escape_markdown, page_account
from atlas_app.ui.errors import stop_unavailable
from atlas_app.ui.state import CASE_OPEN

engine, user = page_account()

st.title("Case conferences")
if account_unavailable():
    stop_unavailable()
if user is None or engine is None:
    st.info("Sign in from the sidebar to build or open case conferences.", icon=":material/login:")
    st.stop()

from atlas_app.storage import case_store as store  # noqa: E402
from atlas_app.ui import case_editor as editor  # noqa: E402
from atlas_app.ui import case_fields, slide_list  # noqa: E402
from atlas_app.ui import case_library as library  # noqa: E402
from atlas_app.ui import slide_editor as slides  # noqa: E402
from atlas_app.ui.resources import approach_set, loaded_atlas, specimen  # noqa: E402

atlas = loaded_atlas().atlas
approaches = approach_set()
builder = user.role in store.BUILDER_ROLES

requested = st.query_params.get("case")
if (
    requested is not None
    and requested.isdigit()
    and st.session_state.get(state.CASES_QUERY) != requested
):
    st.session_state[state.CASES_QUERY] = requested  # a link opens its case once
    library.open_case(int(requested))

st.subheader("My cases" if builder else "Shared with me")
library.case_list(store.list_cases_for(engine, user.id), builder)
if builder:
    library.start_controls(engine, user.id, atlas, approaches)
else:  # what a click refused, if the account lost the role since the page was drawn
    editor.show_message(None, "start", "import")

case_id = st.session_state.get(CASE_OPEN)
if case_id is None:
    st.stop()
try:  # read with the sharing as it is now: a case unshared since the last click closes
    stored = store.get_case(engine, user.id, int(case_id))
except store.CaseAccessError:
    st.error("This case does not exist or is not shared with you (any more). It was closed.")
    st.session_state.pop(CASE_OPEN, None)
    st.stop()

st.divider()
if not stored.can_edit:
    editor.show_message(stored.id, "case", "slides", "sharing", "delete")
    library.read_only_view(stored.case)
    library.present_button(stored.case, stored.id)
    st.stop()

ed = editor.Editor(engine, user.id, stored.id)
conflict = editor.pending_conflict(stored.id)
if conflict is not None:
    st.subheader(escape_markdown(stored.case.title))
    editor.conflict_panel(ed, conflict)
    st.stop()
case = editor.sync(stored)

head, present = st.columns([3, 1], vertical_alignment="bottom")
head.subheader(escape_markdown(case.title))
with present:
    library.present_button(case, stored.id)
owner_note = "You own this case." if stored.is_owner else "You co-edit this case."
note, undo = st.columns([4, 1], vertical_alignment="center")
note.caption(f"{owner_note} Version {stored.version}. Changes are saved as you make them.")
with undo:
    editor.undo_button(ed, case)
st.warning(
    "De-identified teaching cases only: never enter names, dates of birth, record numbers or "
    "anything else that identifies a patient.",
    icon=":material/shield:",
)
editor.show_message(stored.id, "case")

with st.expander(
    "The case: title, summary, presentation, imaging",
    expanded=not case.slides,
    key=f"cases.expander.text.{stored.id}",
):
    case_fields.case_fields(ed, case)
    st.caption("A text box is saved when you leave it (or press Ctrl+Enter).")
with st.expander("Specimen and approaches", key=f"cases.expander.specimen.{stored.id}"):
    st.caption(
        "Choose the variants that match the patient: view and chart slides show this "
        "specimen unless they name their own."
    )
    case_fields.specimen_picker(ed, case, atlas)

    chosen, problem = specimen(case.specimen)
    if problem:
        st.error(f"This combination cannot be built ({escape_markdown(problem)}).")
    else:
        from atlas_app.ui.panels import prevalence_note

        st.caption(prevalence_note(atlas, chosen))
    case_fields.approaches_picker(ed, case, approaches)

st.subheader("Slides")
editor.show_message(stored.id, "slides")
selected = slide_list.slide_list(case, stored.id)
slide_list.add_buttons(ed, selected)
if selected is not None:
    number = case.index_of(selected.id) + 1
    st.markdown(f"#### Slide {number}: {escape_markdown(selected.title or 'untitled')}")
    slide_list.slide_actions(ed, case, selected)
    slides.slide_editor(ed, case, selected, atlas, approaches)
    if st.toggle("Preview this slide", key=f"cases.preview.{stored.id}"):
        slides.slide_preview(case, selected, atlas, approaches)

if stored.is_owner:
    with st.expander("Sharing", icon=":material/share:", key=f"cases.expander.share.{stored.id}"):
        library.sharing_panel(engine, user.id, stored.id)

st.subheader("Export")

case_ref, reader = (user.id, stored.id), engine  # as narrowed above, for the click
st.download_button(  # the file is made at the click, if the case may still be read then
    "Export YAML",
    lambda: case_to_yaml(store.get_case(reader, *case_ref).case),
    file_name="case.yaml",
    mime="application/yaml",
)
e1, e2 = st.columns(2)
for column, label, kind in ((e1, "Build PowerPoint", "pptx"), (e2, "Build HTML", "html")):
    if column.button(label, key=f"export-{kind}", width="stretch"):
        bar = st.progress(0.0, text="Starting the export…")

        def _progress(fraction: float, message: str, bar: DeltaGenerator = bar) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=message)

        try:
            result = export_case(kind, case, atlas, approaches, progress=_progress)
        except CaseError as exc:
            st.error(f"Export failed: {escape_markdown(str(exc))}")
        else:
            bar.progress(1.0, text="Done")
            for warning in result.warnings:
                st.warning(escape_markdown(warning))
            st.download_button(
                f"Download {result.filename}",
                result.data,
                file_name=result.filename,
                mime=result.mime,
                key=f"download-{kind}",
            )

if stored.is_owner:
    st.divider()
    library.delete_control(engine, user.id, stored.id, case.title)
