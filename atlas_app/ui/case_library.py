"""The case builder's library: the case list, starting a case (new, the example, a YAML
file), sharing and deleting a case, and the read-only view a trainee gets.

Usernames, display names and case text are shown as text or escaped Markdown, never as HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from atlas_app.cases.changes import slide_name
from atlas_app.cases.model import Case
from atlas_app.cases.yaml_io import MAX_IMPORT_BYTES, CaseImportError, case_from_yaml
from atlas_app.storage import case_store as store
from atlas_app.ui.account import escape_markdown
from atlas_app.ui.case_editor import (
    KIND_ICONS,
    clear_message,
    forget,
    say,
    show_message,
)
from atlas_app.ui.errors import STORE_ERRORS, failure
from atlas_app.ui.state import CASE_OPEN, PRESENT_INDEX

IMPORT_COUNT_KEY = "cases.import_count"  # bumped after an import, to empty the uploader
CONFIRM_DELETE_KEY = "cases.confirm_delete"
UPLOAD_LIMIT_MB = 1  # the uploader's own cap; the case file's is MAX_IMPORT_BYTES


def open_case(case_id: int) -> None:
    st.session_state[CASE_OPEN] = case_id
    forget(case_id)  # start from the newest stored version


# --- Starting a case -----------------------------------------------------------------------


def _create(engine: Any, actor_id: int, case: Case, done: str) -> None:
    clear_message()
    try:
        created = store.create_case(engine, actor_id, case)
    except store.CaseAccessError as exc:
        say(None, "start", str(exc))
        return
    except STORE_ERRORS as exc:
        failure(exc, "created")
        return
    open_case(created.id)
    say(None, "start", done, "success")


def _new_case(engine: Any, actor_id: int) -> None:
    _create(engine, actor_id, Case(title="New case"), "A new case was created and opened below.")


def _example_case(engine: Any, actor_id: int, atlas: Any, approaches: Any) -> None:
    from atlas_app.cases.yaml_io import example_case

    _create(
        engine,
        actor_id,
        example_case(atlas, approaches),
        "The example case was copied into a new case of yours, opened below.",
    )


def import_case_file(
    engine: Any, actor_id: int, size: int, read: Callable[[], bytes], atlas: Any, approaches: Any
) -> store.StoredCase:
    """Store the case in an uploaded YAML file as a new case of the account ``actor_id``.
    The size is checked before the file is read; a refused file raises CaseImportError (or
    CaseAccessError) and stores nothing."""
    if size > MAX_IMPORT_BYTES:
        raise CaseImportError(
            f"the file is {size // 1024} kB; a case file may be at most "
            f"{MAX_IMPORT_BYTES // 1024} kB"
        )
    case = case_from_yaml(read(), atlas, approaches)
    return store.create_case(engine, actor_id, case)


def _on_upload(engine: Any, actor_id: int, key: str, atlas: Any, approaches: Any) -> None:
    clear_message()
    uploaded = st.session_state.get(key)
    if uploaded is None:
        return
    try:
        created = import_case_file(
            engine, actor_id, int(uploaded.size), uploaded.getvalue, atlas, approaches
        )
    except (CaseImportError, store.CaseAccessError) as exc:
        say(None, "import", f"“{uploaded.name}” was not imported: {exc}. Nothing was stored.")
        return
    except STORE_ERRORS as exc:
        failure(exc, "imported")
        return
    st.session_state[IMPORT_COUNT_KEY] = st.session_state.get(IMPORT_COUNT_KEY, 0) + 1
    open_case(created.id)
    say(None, "import", f"Imported “{created.title}” as a new case, opened below.", "success")


def start_controls(engine: Any, actor_id: int, atlas: Any, approaches: Any) -> None:
    """New case, the example case, and import from YAML (faculty and admins)."""
    c1, c2 = st.columns(2)
    c1.button(
        "New case",
        icon=":material/add:",
        on_click=_new_case,
        args=(engine, actor_id),
        width="stretch",
    )
    c2.button(
        "Start from the example case",
        icon=":material/content_copy:",
        on_click=_example_case,
        args=(engine, actor_id, atlas, approaches),
        help="A de-identified cement leak onto the right L5 root after sacroplasty",
        width="stretch",
    )
    show_message(None, "start")
    with st.expander("Import a case from a YAML file", icon=":material/upload_file:"):
        key = f"cases.import.{st.session_state.get(IMPORT_COUNT_KEY, 0)}"
        st.file_uploader(
            "Case file (.yaml)",
            type=["yaml", "yml"],
            key=key,
            max_upload_size=UPLOAD_LIMIT_MB,
            help=(
                f"A file exported from this app, at most {MAX_IMPORT_BYTES // 1024} kB. "
                "It is checked against this atlas before anything is stored."
            ),
            on_change=_on_upload,
            args=(engine, actor_id, key, atlas, approaches),
        )
        show_message(None, "import")


# --- The list ------------------------------------------------------------------------------


def case_list(summaries: list[Any], builder: bool) -> None:
    if not summaries:
        st.caption("No cases yet." if builder else "No case has been shared with you yet.")
    for summary in summaries:
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        c1.text(f"{summary.title}  ({summary.access}, version {summary.version})")
        c2.button(
            "Open",
            key=f"open-{summary.id}",
            on_click=open_case,
            args=(summary.id,),
            width="stretch",
        )


# --- Sharing and deleting (the owner) ------------------------------------------------------


def _sharing_call(action: Callable[..., None], *args: Any, done: str = "") -> None:
    clear_message()
    case_id = args[2]
    try:
        action(*args)
    except store.CaseAccessError as exc:
        say(case_id, "sharing", str(exc))
        return
    except STORE_ERRORS as exc:
        failure(exc, "changed")
        return
    if done:
        say(case_id, "sharing", done, "success")


def _on_cohort(engine: Any, actor_id: int, case_id: int, key: str) -> None:
    shared = bool(st.session_state.get(key))
    _sharing_call(store.set_cohort_sharing, engine, actor_id, case_id, shared)


def _on_person(engine: Any, actor_id: int, case_id: int, key: str, can_edit: bool) -> None:
    person = st.session_state.get(key)
    if person is None:
        say(case_id, "sharing", "Choose a person first.")
        return
    action = store.add_coeditor if can_edit else store.share_case
    how = "may now edit" if can_edit else "may now read"
    st.session_state.pop(key, None)
    done = f"{person.display_name} {how} it."
    _sharing_call(action, engine, actor_id, case_id, person.id, done=done)


def sharing_panel(engine: Any, actor_id: int, case_id: int) -> None:
    """Share read-only with the cohort or named people, name co-editors, unshare."""
    from atlas_app.storage.accounts import list_users

    sharing = store.case_sharing(engine, actor_id, case_id)
    cohort_key = f"cases.share.cohort.{case_id}.{int(sharing.with_cohort)}"
    st.toggle(
        f"Read-only for my cohort ({sharing.cohort})"
        if sharing.cohort
        else "Read-only for my cohort",
        value=sharing.with_cohort,
        key=cohort_key,
        disabled=sharing.cohort is None,
        help=None if sharing.cohort else "Your account is in no cohort",
        on_change=_on_cohort,
        args=(engine, actor_id, case_id, cohort_key),
    )
    who = []
    if sharing.with_cohort:
        who.append(f"everyone in cohort {sharing.cohort} (read-only)")
    st.markdown("**Shared with**")
    if not sharing.members and not who:
        st.caption("Nobody yet: only you can open this case.")
    for line in who:
        st.text(line)
    for person, can_edit in sharing.members:
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        role = "co-editor" if can_edit else "read-only"
        c1.text(f"{person.display_name} ({person.username}) — {role}")
        c2.button(
            "Remove",
            key=f"cases.unshare.{case_id}.{person.id}",
            on_click=_sharing_call,
            args=(store.unshare_case, engine, actor_id, case_id, person.id),
            kwargs={"done": f"{person.display_name} was removed from the case."},
            width="stretch",
        )
    on_case = {person.id for person, _ in sharing.members} | {actor_id}
    people = [p for p in list_users(engine) if p.id not in on_case and p.active]
    key = f"cases.share.person.{case_id}"
    st.selectbox(
        "Person",
        people,
        index=None,
        key=key,
        placeholder="Choose a person to share with",
        format_func=lambda p: f"{p.display_name} ({p.username}, {p.role})",
    )
    chosen = st.session_state.get(key)
    c1, c2 = st.columns(2)
    c1.button(
        "Share read-only",
        key=f"cases.share.read.{case_id}",
        on_click=_on_person,
        args=(engine, actor_id, case_id, key, False),
        width="stretch",
    )
    c2.button(
        "Make co-editor",
        key=f"cases.share.edit.{case_id}",
        on_click=_on_person,
        args=(engine, actor_id, case_id, key, True),
        disabled=chosen is not None and chosen.role not in store.BUILDER_ROLES,
        help="Faculty only: a co-editor can change everything but the sharing",
        width="stretch",
    )
    show_message(case_id, "sharing")


def _delete(engine: Any, actor_id: int, case_id: int, title: str) -> None:
    clear_message()
    st.session_state.pop(CONFIRM_DELETE_KEY, None)
    try:
        store.delete_case(engine, actor_id, case_id)
    except store.CaseAccessError as exc:
        say(case_id, "delete", str(exc))
        return
    except STORE_ERRORS as exc:
        failure(exc, "deleted")
        return
    st.session_state.pop(CASE_OPEN, None)
    forget(case_id)
    say(None, "start", f"The case “{title}” was deleted.", "success")


def delete_control(engine: Any, actor_id: int, case_id: int, title: str) -> None:
    """Delete the case, after a confirmation."""
    if st.session_state.get(CONFIRM_DELETE_KEY) == case_id:
        st.warning(
            f"Delete “{escape_markdown(title)}” and its sharing for good? This cannot be undone.",
            icon=":material/warning:",
        )
        c1, c2 = st.columns(2)
        c1.button(
            "Yes, delete the case",
            type="primary",
            on_click=_delete,
            args=(engine, actor_id, case_id, title),
            width="stretch",
        )
        c2.button(
            "Cancel",
            key="cases.delete.cancel",
            on_click=st.session_state.pop,
            args=(CONFIRM_DELETE_KEY, None),
            width="stretch",
        )
    else:
        st.button(
            "Delete this case…",
            icon=":material/delete_forever:",
            on_click=st.session_state.__setitem__,
            args=(CONFIRM_DELETE_KEY, case_id),
        )
    show_message(case_id, "delete")


# --- Presenting and reading ----------------------------------------------------------------


def present_button(case: Case, case_id: int) -> None:
    """Go to the Present page, at its first slide (the case's title)."""
    if st.button(
        "Present",
        icon=":material/slideshow:",
        disabled=not case.slides,
        key=f"cases.present.{case_id}",
    ):
        st.session_state[CASE_OPEN] = case_id
        st.session_state[PRESENT_INDEX] = 0
        try:
            st.switch_page("app_pages/present.py")
        except st.errors.StreamlitAPIException:  # the page run on its own, outside the app
            st.markdown(f"[Present this case](/present?case={case_id})")


def read_only_view(case: Case) -> None:
    """The case as a trainee (or any reader) sees it."""
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
    st.markdown("**Slides**")
    st.markdown(
        "\n".join(
            f"{i}. {KIND_ICONS[slide.kind]} {escape_markdown(slide_name(slide))}"
            for i, slide in enumerate(case.slides, 1)
        )
        or "No slides yet."
    )
