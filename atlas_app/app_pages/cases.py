"""Case builder (first increment): my cases and those shared with me, new case, edit the case's
text, text slides with reorder/duplicate/delete, autosave with version checks, YAML export.

Faculty build; trainees open what is shared with them read-only; guests are asked to sign in.
User text is always shown as text (``st.text`` / escaped markdown), never as HTML.
"""

from __future__ import annotations

import streamlit as st

from atlas_app.cases.model import (
    Case,
    CaseError,
    TextSlide,
    add_slide,
    delete_slide,
    duplicate_slide,
    edit_case,
    move_slide,
)
from atlas_app.ui.account import current_user, escape_markdown, store_engine

OPEN_KEY = "cases.open_id"
VERSION_KEY = "cases.version"
CONFLICT_KEY = "cases.conflict"

engine = store_engine()
user = current_user() if engine is not None else None

st.title("Case conferences")
if user is None or engine is None:
    st.info("Sign in from the sidebar to build or open case conferences.", icon=":material/login:")
    st.stop()

from atlas_app.storage import case_store as store  # noqa: E402

builder = user.role in store.BUILDER_ROLES
summaries = store.list_cases_for(engine, user)

with st.sidebar:
    if builder and st.button("New case", icon=":material/add:"):
        created = store.create_case(engine, user, Case(title="New case"))
        st.session_state[OPEN_KEY] = created.id
        st.session_state.pop(CONFLICT_KEY, None)
        st.rerun()

requested = st.query_params.get("case")
if requested is not None and requested.isdigit():
    st.session_state[OPEN_KEY] = int(requested)

st.subheader("My cases" if builder else "Shared with me")
if not summaries:
    st.caption("No cases yet." if builder else "No case has been shared with you yet.")
for summary in summaries:
    c1, c2 = st.columns([4, 1])
    c1.text(f"{summary.title}  ({summary.access}, version {summary.version})")
    if c2.button("Open", key=f"open-{summary.id}"):
        st.session_state[OPEN_KEY] = summary.id
        st.session_state.get(VERSION_KEY, {}).pop(summary.id, None)  # start from the newest
        st.session_state.pop(CONFLICT_KEY, None)

case_id = st.session_state.get(OPEN_KEY)
if case_id is None:
    st.stop()
try:
    stored = store.get_case(engine, user, int(case_id))
except store.CaseAccessError:
    st.error("This case does not exist or has not been shared with you.")
    st.session_state.pop(OPEN_KEY, None)
    st.stop()

st.divider()
case = stored.case
versions: dict[int, int] = st.session_state.setdefault(VERSION_KEY, {})
# The version this editor started from: a save over it fails if someone saved since.
base_version = versions.setdefault(stored.id, stored.version)


def save(new: Case) -> None:
    """Autosave over the version this page opened; on a conflict keep the other's version."""
    try:
        saved = store.save_case(engine, user, stored.id, new, base_version)
        versions[stored.id] = saved.version
        st.session_state.pop(CONFLICT_KEY, None)
    except store.VersionConflict as conflict:
        st.session_state[CONFLICT_KEY] = (conflict.saved_by, conflict.version, new)
    except CaseError as exc:
        st.error(f"Not saved: {exc}")
        return
    st.rerun()


conflict = st.session_state.get(CONFLICT_KEY)
if conflict is not None:
    saved_by, version, _mine = conflict
    st.error(
        f"Not saved: {escape_markdown(saved_by)} saved this case (version {version}) after you "
        "opened it. Their version is shown below; your last change was not written."
    )
    if st.button("Reload their version and continue"):
        st.session_state.pop(CONFLICT_KEY, None)
        versions[stored.id] = stored.version
        st.rerun()

if not stored.can_edit:
    st.subheader(escape_markdown(case.title))
    st.caption("Read-only: shared with you.")
    for label, value in (
        ("Summary", case.summary),
        ("Presentation", case.presentation),
        ("Imaging", case.imaging),
    ):
        if value:
            st.markdown(f"**{label}**")
            st.text(value)
    for i, slide in enumerate(case.slides, 1):
        st.text(f"{i}. {slide.title}")
    st.stop()

st.warning(
    "De-identified teaching cases only: never enter names, dates of birth, record numbers or "
    "anything else that identifies a patient.",
    icon=":material/shield:",
)
with st.form("case-text"):
    title = st.text_input("Title", case.title)
    summary_text = st.text_area("De-identified summary", case.summary)
    presentation = st.text_area("Presentation", case.presentation)
    imaging = st.text_area("Imaging findings", case.imaging)
    if st.form_submit_button("Save"):
        try:
            new = edit_case(
                case,
                title=title,
                summary=summary_text,
                presentation=presentation,
                imaging=imaging,
            )
        except (CaseError, ValueError) as exc:
            st.error(f"Not saved: {exc}")
        else:
            save(new)

st.subheader("Slides")
for i, slide in enumerate(case.slides):
    c1, c2, c3, c4, c5 = st.columns([5, 1, 1, 1, 1])
    c1.text(f"{i + 1}. {slide.title}")
    if c2.button("Up", key=f"up-{slide.id}", disabled=i == 0):
        save(move_slide(case, slide.id, i - 1))
    if c3.button("Down", key=f"down-{slide.id}", disabled=i == len(case.slides) - 1):
        save(move_slide(case, slide.id, i + 1))
    if c4.button("Duplicate", key=f"dup-{slide.id}"):
        save(duplicate_slide(case, slide.id))
    if c5.button("Delete", key=f"del-{slide.id}"):
        save(delete_slide(case, slide.id))

with st.form("new-text-slide", clear_on_submit=True):
    slide_title = st.text_input("New text slide title")
    if st.form_submit_button("Add text slide") and slide_title.strip():
        try:
            save(add_slide(case, TextSlide(title=slide_title)))
        except (CaseError, ValueError) as exc:
            st.error(f"Not added: {exc}")

from atlas_app.cases.yaml_io import case_to_yaml  # noqa: E402

st.subheader("Export")
st.download_button(
    "Export YAML",
    case_to_yaml(case),
    file_name="case.yaml",
    mime="application/yaml",
)
e1, e2 = st.columns(2)
for column, label, kind in ((e1, "Build PowerPoint", "pptx"), (e2, "Build HTML", "html")):
    if column.button(label, key=f"export-{kind}"):
        from atlas_app.ui.resources import approach_set, loaded_atlas

        bar = st.progress(0.0, text="Starting the export…")

        def _progress(fraction: float, message: str, bar=bar) -> None:  # type: ignore[no-untyped-def]
            bar.progress(min(max(fraction, 0.0), 1.0), text=message)

        try:
            if kind == "pptx":
                from atlas_app.cases.export_pptx import export_pptx as exporter
            else:
                from atlas_app.cases.export_html import export_html as exporter
            result = exporter(case, loaded_atlas().atlas, approach_set(), progress=_progress)
        except CaseError as exc:
            st.error(f"Export failed: {exc}")
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
