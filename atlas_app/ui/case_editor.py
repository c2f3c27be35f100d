"""The case builder's editor: saving as you go, the case's own fields, the slide list.

One slide's fields are in :mod:`atlas_app.ui.slide_editor`.

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

from atlas_app.cases.changes import describe_changes, slide_name
from atlas_app.cases.edits import add_slide, delete_slide, duplicate_slide, edit_case, move_slide
from atlas_app.cases.model import (
    LIMITS,
    MAX_APPROACHES,
    AnySlide,
    Case,
    CaseError,
    ChartSlide,
    CorridorDistances,
    TextSlide,
    ViewSlide,
)
from atlas_app.model.specimen import SpecError, default_choices, format_spec, parse_spec
from atlas_app.storage import case_store as store
from atlas_app.ui.account import escape_markdown
from atlas_app.ui.errors import STORE_ERRORS, failure
from atlas_app.ui.panels import option_labeller

BASE_KEY = "cases.base"  # case id -> (version, Case): what this editor shows and saves over
RESET_KEY = "cases.reset"  # case ids whose widgets are filled again from the store
CONFLICT_KEY = "cases.conflict"
MESSAGE_KEY = "cases.message"  # (case id or None, section, kind, text)
UNDO_KEY = "cases.undo"  # case id -> [Case]: what this editor's saves replaced, oldest first
DELETE_KEY = "cases.delete_slide"  # case id -> the slide id waiting for "Yes, delete"
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
    st.session_state[MESSAGE_KEY] = (case_id, section, kind, text)


def clear_message() -> None:
    """Forget the last message (every action starts with this)."""
    st.session_state.pop(MESSAGE_KEY, None)


def show_message(case_id: int | None, *sections: str) -> None:
    """The last message of these sections, if any: an error stays until the next action
    (the refused text is still in its field), a success is shown once. A page that no longer
    draws a section (the account lost the right to edit since the click) passes them all."""
    message = st.session_state.get(MESSAGE_KEY)
    if message is None or message[0] != case_id or message[1] not in sections:
        return
    _, _, kind, text = message
    if kind == "success":
        st.session_state.pop(MESSAGE_KEY, None)
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
    bases: dict[int, tuple[int, Case]] = st.session_state.setdefault(BASE_KEY, {})
    resets: set[int] = st.session_state.setdefault(RESET_KEY, set())
    base = bases.get(stored.id)
    if pending_conflict(stored.id) is None and (base is None or base[0] != stored.version):
        bases[stored.id] = (stored.version, stored.case)
        resets.add(stored.id)
        # Someone else's save (or a fresh start): an undo would now overwrite their work.
        st.session_state.setdefault(UNDO_KEY, {}).pop(stored.id, None)
    if stored.id in resets:
        resets.discard(stored.id)
        _reset_widgets(stored.id)
    return bases[stored.id][1]


def forget(case_id: int) -> None:
    """Start from the newest stored version next time the case is drawn."""
    st.session_state.get(BASE_KEY, {}).pop(case_id, None)
    conflict = st.session_state.get(CONFLICT_KEY)
    if conflict is not None and conflict.case_id == case_id:
        st.session_state.pop(CONFLICT_KEY, None)


def pending_conflict(case_id: int) -> Conflict | None:
    conflict = st.session_state.get(CONFLICT_KEY)
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
    base = st.session_state.get(BASE_KEY, {}).get(ed.case_id)
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
        st.session_state[CONFLICT_KEY] = Conflict(
            ed.case_id, exc.saved_by, exc.version, before, after, exc.case, edit
        )
        return None
    except store.CaseAccessError as exc:
        say(ed.case_id, section, f"Not saved: {exc}")
        return None
    except STORE_ERRORS as exc:  # the text stays in its field, to be saved again
        failure(exc, "saved")
        return None
    st.session_state[BASE_KEY][ed.case_id] = (saved.version, saved.case)
    if undoable:
        stack = st.session_state.setdefault(UNDO_KEY, {}).setdefault(ed.case_id, [])
        stack.append(before)
        del stack[:-UNDO_DEPTH]
    for key in refresh:
        st.session_state.pop(key, None)
    keep_selection(ed.case_id)
    return saved.case


def undo_stack(case_id: int) -> list[Case]:
    return list(st.session_state.get(UNDO_KEY, {}).get(case_id, []))


def _on_undo(ed: Editor) -> None:
    stack = st.session_state.get(UNDO_KEY, {}).get(ed.case_id)
    if not stack:
        return
    previous = stack[-1]
    if save(ed, lambda _: previous, "case", undoable=False) is not None:
        stack.pop()
        st.session_state.setdefault(RESET_KEY, set()).add(ed.case_id)  # fields show it again
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
    st.session_state.pop(CONFLICT_KEY, None)
    st.session_state[BASE_KEY][ed.case_id] = (conflict.version, conflict.theirs)
    st.session_state.setdefault(RESET_KEY, set()).add(ed.case_id)
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


# --- The case's own fields -----------------------------------------------------------------


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


# --- The slide list ------------------------------------------------------------------------


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


def slide_label(number: int, slide: AnySlide) -> str:
    """A slide's row: number, kind icon and title (Markdown, the title escaped)."""
    return f"{number}. {KIND_ICONS[slide.kind]} {escape_markdown(slide_name(slide))}"


def slide_list(case: Case, case_id: int) -> AnySlide | None:
    """The slides as a list to choose from; the chosen slide (None when there are none)."""
    if not case.slides:
        st.caption("No slides yet: add one below.")
        return None
    ids = [s.id for s in case.slides]
    key = selected_key(case_id)
    if st.session_state.get(key) not in ids:
        st.session_state[key] = ids[0]
    by_id = {s.id: (i, s) for i, s in enumerate(case.slides, 1)}
    box = st.container(height=330) if len(ids) > 8 else st.container()
    with box:
        st.radio(
            "Slide to edit",
            ids,
            key=key,
            format_func=lambda sid: slide_label(*by_id[sid]),
            label_visibility="collapsed",
        )
    return by_id[st.session_state[key]][1]


def _new_slide(kind: str) -> AnySlide:
    if kind == "view":
        return ViewSlide(title="New view", camera="anterior")
    if kind == "chart":
        return ChartSlide(title="", chart=CorridorDistances())
    return TextSlide(title="New text slide")


def _on_add(ed: Editor, kind: str, after_id: str | None) -> None:
    slide = _new_slide(kind)

    def edit(c: Case) -> Case:
        at = c.index_of(after_id) + 1 if after_id in {s.id for s in c.slides} else None
        return add_slide(c, slide, at)

    if save(ed, edit, "slides") is not None:
        select(ed.case_id, slide.id)


def add_buttons(ed: Editor, selected: AnySlide | None) -> None:
    after = selected.id if selected is not None else None
    columns = st.columns(3)
    for column, kind in zip(columns, ("view", "chart", "text"), strict=True):
        column.button(
            f"Add {kind} slide",
            key=widget_key(ed.case_id, "add", kind),
            icon=KIND_ICONS[kind],
            on_click=_on_add,
            args=(ed, kind, after),
            help="The new slide goes after the selected one",
            width="stretch",
        )


def _on_move(ed: Editor, slide_id: str, delta: int) -> None:
    save(ed, lambda c: move_slide(c, slide_id, c.index_of(slide_id) + delta), "slides")


def _on_duplicate(ed: Editor, slide_id: str) -> None:
    saved = save(ed, lambda c: duplicate_slide(c, slide_id), "slides")
    if saved is not None:
        select(ed.case_id, saved.slides[saved.index_of(slide_id) + 1].id)


def _ask_delete(case_id: int, slide_id: str | None) -> None:
    st.session_state.setdefault(DELETE_KEY, {})[case_id] = slide_id


def _on_delete(ed: Editor, slide_id: str, neighbour: str | None) -> None:
    _ask_delete(ed.case_id, None)
    if save(ed, lambda c: delete_slide(c, slide_id), "slides") is not None and neighbour:
        select(ed.case_id, neighbour)


def delete_confirmation(ed: Editor, case: Case, slide: AnySlide) -> None:
    """Delete asks first, naming the slide; *Undo* can bring it back afterwards."""
    if st.session_state.get(DELETE_KEY, {}).get(ed.case_id) != slide.id:
        return
    i = case.index_of(slide.id)
    n = len(case.slides)
    neighbour = case.slides[i + 1].id if i + 1 < n else case.slides[i - 1].id if i else None
    st.warning(
        f"Delete slide {i + 1}, “{escape_markdown(slide_name(slide))}”? *Undo* can bring it "
        "back while this page is open.",
        icon=":material/delete:",
    )
    yes, no = st.columns(2)
    yes.button(
        "Yes, delete the slide",
        key=widget_key(ed.case_id, "delete_yes"),
        type="primary",
        on_click=_on_delete,
        args=(ed, slide.id, neighbour),
        width="stretch",
    )
    no.button(
        "Keep it",
        key=widget_key(ed.case_id, "delete_no"),
        on_click=_ask_delete,
        args=(ed.case_id, None),
        width="stretch",
    )


def slide_actions(ed: Editor, case: Case, slide: AnySlide) -> None:
    i = case.index_of(slide.id)
    n = len(case.slides)
    c1, c2, c3, c4 = st.columns(4)
    c1.button(
        "Move up",
        key=widget_key(ed.case_id, "up"),
        icon=":material/arrow_upward:",
        disabled=i == 0,
        on_click=_on_move,
        args=(ed, slide.id, -1),
        width="stretch",
    )
    c2.button(
        "Move down",
        key=widget_key(ed.case_id, "down"),
        icon=":material/arrow_downward:",
        disabled=i == n - 1,
        on_click=_on_move,
        args=(ed, slide.id, 1),
        width="stretch",
    )
    c3.button(
        "Duplicate",
        key=widget_key(ed.case_id, "duplicate"),
        icon=":material/content_copy:",
        on_click=_on_duplicate,
        args=(ed, slide.id),
        width="stretch",
    )
    c4.button(
        "Delete…",
        key=widget_key(ed.case_id, "delete"),
        icon=":material/delete:",
        on_click=_ask_delete,
        args=(ed.case_id, slide.id),
        help="Delete this slide (asks first)",
        width="stretch",
    )
    delete_confirmation(ed, case, slide)
