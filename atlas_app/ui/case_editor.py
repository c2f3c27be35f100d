"""The case builder's editor: saving as you go, undo, conflicts, and the widget helpers the
builder's fields share.

The case's own fields are in :mod:`atlas_app.ui.case_fields`, the slide list in
:mod:`atlas_app.ui.slide_list`, one slide's fields in :mod:`atlas_app.ui.slide_editor`.

Every change is saved when it is committed (Enter or leaving a field, a choice, a click): the
widget's callback applies one edit (a function ``Case -> Case``) to the version this editor
shows and saves it over that version. When someone else saved in between, nothing is written:
the conflict is kept in the session and the page shows their changes and the change that was
not saved, until the user keeps their version or applies the change to it.

Widget values live under ``cases.w.<case id>.…`` and are filled from the stored case. A
field keeps what the user typed after their own save (no value is pushed back into the
browser's fields); every field is filled again from the store when someone else's save is
seen, or when the user settles a conflict.

User text is shown as text (``st.text``) or escaped Markdown, never as HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from atlas_app.cases.changes import describe_changes
from atlas_app.cases.model import LIMITS, Case, CaseError
from atlas_app.storage import case_store as store
from atlas_app.ui import state
from atlas_app.ui.account import escape_markdown
from atlas_app.ui.errors import STORE_ERRORS, failure

UNDO_DEPTH = 30

KIND_ICONS = {
    "view": ":material/view_in_ar:",
    "chart": ":material/bar_chart:",
    "text": ":material/notes:",
}
Edit = Callable[[Case], Case]


@dataclass(frozen=True)
class Editor:
    """Who edits which case (the arguments every callback needs). The editor is named by
    account id only: the store judges, at each save, what that account may do now."""

    engine: Any
    actor_id: int
    case_id: int


@dataclass(frozen=True)
class Conflict:
    """A save refused because ``saved_by`` saved ``version`` in between."""

    case_id: int
    saved_by: str
    version: int
    before: Case  # the version this editor showed
    mine: Case  # what it tried to save
    theirs: Case  # what is stored
    edit: Edit  # the change, to apply to their version if the user asks


# --- Saving ------------------------------------------------------------------------------


def reason(exc: Exception) -> str:
    """An edit's refusal as a person reads it (without pydantic's "Value error, ")."""
    return str(exc).replace("Value error, ", "")


def say(case_id: int | None, section: str, text: str, kind: str = "error") -> None:
    st.session_state[state.CASES_MESSAGE] = (case_id, section, kind, text)


def clear_message() -> None:
    """Forget the last message (every action starts with this)."""
    st.session_state.pop(state.CASES_MESSAGE, None)


def show_message(case_id: int | None, *sections: str) -> None:
    """The last message of these sections, if any: an error stays until the next action
    (the refused text is still in its field), a success is shown once. A page that no longer
    draws a section (the account lost the right to edit since the click) passes them all."""
    message = st.session_state.get(state.CASES_MESSAGE)
    if message is None or message[0] != case_id or message[1] not in sections:
        return
    _, _, kind, text = message
    if kind == "success":
        st.session_state.pop(state.CASES_MESSAGE, None)
    (st.success if kind == "success" else st.error)(escape_markdown(text))


def widget_key(case_id: int, *parts: object) -> str:
    return ".".join(["cases.w", str(case_id), *(str(p) for p in parts)])


def _reset_widgets(case_id: int) -> None:
    prefix = widget_key(case_id) + "."
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]


def sync(stored: Any) -> Case:
    """The case the editor shows: the stored one, its widgets filled again whenever the
    stored version moved (unless a conflict is waiting for the user)."""
    bases: dict[int, tuple[int, Case]] = st.session_state.setdefault(state.CASES_BASE, {})
    resets: set[int] = st.session_state.setdefault(state.CASES_RESET, set())
    base = bases.get(stored.id)
    if pending_conflict(stored.id) is None and (base is None or base[0] != stored.version):
        bases[stored.id] = (stored.version, stored.case)
        resets.add(stored.id)
        # Someone else's save (or a fresh start): an undo would now overwrite their work.
        st.session_state.setdefault(state.CASES_UNDO, {}).pop(stored.id, None)
    if stored.id in resets:
        resets.discard(stored.id)
        _reset_widgets(stored.id)
    return bases[stored.id][1]


def forget(case_id: int) -> None:
    """Start from the newest stored version next time the case is drawn."""
    st.session_state.get(state.CASES_BASE, {}).pop(case_id, None)
    conflict = st.session_state.get(state.CASES_CONFLICT)
    if conflict is not None and conflict.case_id == case_id:
        st.session_state.pop(state.CASES_CONFLICT, None)


def pending_conflict(case_id: int) -> Conflict | None:
    conflict = st.session_state.get(state.CASES_CONFLICT)
    return conflict if conflict is not None and conflict.case_id == case_id else None


def save(
    ed: Editor, edit: Edit, section: str, refresh: tuple[str, ...] = (), undoable: bool = True
) -> Case | None:
    """Apply ``edit`` to the version this editor shows and save it over that version (for
    widget callbacks). The saved case, or None (with a message, or a conflict) if nothing
    was saved.

    Fields keep what was typed: only the widgets in ``refresh`` (those the edit changed
    besides the one that made it) are filled again from the saved case, so no value is
    pushed back into a field the user may already be typing in. A refused edit leaves its
    text in the field, with the reason above it."""
    clear_message()
    base = st.session_state.get(state.CASES_BASE, {}).get(ed.case_id)
    if base is None:
        return None
    version, before = base
    try:
        after = edit(before)
    except (CaseError, ValueError) as exc:
        say(ed.case_id, section, f"Not saved: {reason(exc)}")
        return None
    if after == before:
        return before
    try:
        saved = store.save_case(ed.engine, ed.actor_id, ed.case_id, after, version)
    except store.VersionConflict as exc:
        st.session_state[state.CASES_CONFLICT] = Conflict(
            ed.case_id, exc.saved_by, exc.version, before, after, exc.case, edit
        )
        return None
    except store.CaseAccessError as exc:
        say(ed.case_id, section, f"Not saved: {exc}")
        return None
    except STORE_ERRORS as exc:  # the text stays in its field, to be saved again
        failure(exc, "saved")
        return None
    st.session_state[state.CASES_BASE][ed.case_id] = (saved.version, saved.case)
    if undoable:
        stack = st.session_state.setdefault(state.CASES_UNDO, {}).setdefault(ed.case_id, [])
        stack.append(before)
        del stack[:-UNDO_DEPTH]
    for key in refresh:
        st.session_state.pop(key, None)
    keep_selection(ed.case_id)
    return saved.case


def undo_stack(case_id: int) -> list[Case]:
    return list(st.session_state.get(state.CASES_UNDO, {}).get(case_id, []))


def _on_undo(ed: Editor) -> None:
    stack = st.session_state.get(state.CASES_UNDO, {}).get(ed.case_id)
    if not stack:
        return
    previous = stack[-1]
    if save(ed, lambda _: previous, "case", undoable=False) is not None:
        stack.pop()
        st.session_state.setdefault(state.CASES_RESET, set()).add(
            ed.case_id
        )  # fields show it again
        say(ed.case_id, "case", "Undone.", "success")


def undo_button(ed: Editor, case: Case) -> None:
    """*Undo* the last edit made here (again and again, up to :data:`UNDO_DEPTH` edits);
    what it would undo is in its help. An undo is a save like any other: it is refused if
    someone else saved in between."""
    stack = undo_stack(ed.case_id)
    what = describe_changes(case, stack[-1]) if stack else []
    st.button(
        "Undo",
        key=widget_key(ed.case_id, "undo"),
        icon=":material/undo:",
        on_click=_on_undo,
        args=(ed,),
        disabled=not stack,
        help=("Undo your last edit: " + "; ".join(what)) if what else "Nothing to undo yet",
    )


def _keep_theirs(case_id: int) -> None:
    forget(case_id)


def _apply_mine(ed: Editor) -> None:
    conflict = pending_conflict(ed.case_id)
    if conflict is None:
        return
    st.session_state.pop(state.CASES_CONFLICT, None)
    st.session_state[state.CASES_BASE][ed.case_id] = (conflict.version, conflict.theirs)
    st.session_state.setdefault(state.CASES_RESET, set()).add(ed.case_id)
    if save(ed, conflict.edit, "case") is not None:
        say(ed.case_id, "case", "Your change was applied to their version and saved.", "success")


def conflict_panel(ed: Editor, conflict: Conflict) -> None:
    """What the other editor changed, what was not saved, and the two ways on."""
    st.error(
        f"Not saved: {escape_markdown(conflict.saved_by)} saved this case (version "
        f"{conflict.version}) after you opened it. Nothing was overwritten.",
        icon=":material/sync_problem:",
    )
    st.markdown(f"**What {escape_markdown(conflict.saved_by)} changed**")
    st.text(_bullets(describe_changes(conflict.before, conflict.theirs)))
    st.markdown("**Your change, not saved**")
    st.text(_bullets(describe_changes(conflict.before, conflict.mine)))
    c1, c2 = st.columns(2)
    c1.button(
        "Keep their version",
        on_click=_keep_theirs,
        args=(ed.case_id,),
        icon=":material/undo:",
        help="Drop your change and go on editing their version",
        width="stretch",
    )
    c2.button(
        "Apply my change to their version",
        on_click=_apply_mine,
        args=(ed,),
        icon=":material/merge:",
        help="Make your change again, on top of theirs, and save",
        width="stretch",
    )


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"• {line}" for line in lines) if lines else "• (nothing visible)"


def init_widget(key: str, value: Any) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def text_field(
    key: str,
    value: str,
    field: str,
    label: str,
    help_text: str | None,
    on_change: Callable[..., None],
    args: tuple[Any, ...],
) -> None:
    """A one-line input for a title, a text area for anything longer, limited to the
    field's length and saved by ``on_change`` when left."""
    init_widget(key, value)
    widget = st.text_input if field == "title" else st.text_area
    widget(
        label,
        key=key,
        max_chars=LIMITS[field],
        help=help_text,
        on_change=on_change,
        args=args,
    )


# --- Which slide is selected ------------------------------------------------------------


def selected_key(case_id: int) -> str:
    return f"cases.selected.{case_id}"


def select(case_id: int, slide_id: str) -> None:
    st.session_state[selected_key(case_id)] = slide_id


def keep_selection(case_id: int) -> None:
    """Hold the slide list on the slide being edited across an edit that relabels it.

    The browser keeps a radio's choice as its label, and a label carries the slide's number
    and title: after a move or a new title the old label matches no option, and Streamlit
    fell back to the first slide. Setting the value again (from a callback, before the
    list is drawn) sends it to the browser with the new labels."""
    key = selected_key(case_id)
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]
