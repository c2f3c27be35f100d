""" "Add this view to a case": the view a page shows, kept as a slide of a case conference.

Drawn by one call under the 3D view of the Atlas and Approaches pages. Only faculty and
admins who are signed in see it (they build cases); guests and trainees see nothing. The
slide records what the page shows now (specimen, approach step, hidden layers and
structures, isolation, highlights, see-through muscles, the camera preset or the view down
the corridor), never a copy of the geometry.

The slide is added to the newest stored version of the case and saved over that version;
if someone saves in the instant between, the store refuses (``VersionConflict``) and the
message says so: nothing is retried behind the user's back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st
from pydantic import ValidationError

from atlas_app.cases.edits import add_slide
from atlas_app.cases.model import LIMITS, Case, CaseError, ViewSlide, new_slide_id
from atlas_app.ui import state
from atlas_app.ui.account import escape_markdown, page_account
from atlas_app.ui.errors import STORE_ERRORS, failure, message, report
from atlas_app.ui.state import CASE_OPEN, PRESENT_INDEX

NEW_CASE = 0
"""The case picker's option for a new case (stored cases have positive ids)."""
BUILDER_PAGE = "app_pages/cases.py"
NEW_CASE_TITLE = "New case"


def _problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else str(err["msg"])


def _add(engine: Any, actor_id: int, view: Mapping[str, Any], default_title: str, key: str) -> None:
    """The button's callback: build the slide, store it, leave the outcome for the page."""
    from atlas_app.storage import case_store as store

    ss = st.session_state
    title = str(ss.get(f"{key}.title") or "").strip() or default_title[: LIMITS["title"]]
    try:
        slide = ViewSlide.model_validate({**view, "id": new_slide_id(), "title": title})
    except ValidationError as exc:
        ss[state.CASE_ACTIONS_RESULT] = ("error", f"Not added: {escape_markdown(_problem(exc))}")
        return
    choice = ss.get(f"{key}.case", NEW_CASE)
    try:
        if choice == NEW_CASE:
            case_title = str(ss.get(f"{key}.new_title") or "").strip() or NEW_CASE_TITLE
            case = Case(
                title=case_title,
                specimen=slide.specimen or "default",
                approaches=(slide.approach,) if slide.approach else (),
                slides=(slide,),
            )
            saved = store.create_case(engine, actor_id, case)
        else:
            current = store.get_case(engine, actor_id, int(choice))
            saved = store.save_case(
                engine, actor_id, current.id, add_slide(current.case, slide), current.version
            )
    except store.VersionConflict as conflict:
        ss[state.CASE_ACTIONS_RESULT] = (
            "error",
            f"Not added: {escape_markdown(conflict.saved_by)} saved this case (version "
            f"{conflict.version}) just now. Nothing was changed; add the view again to add "
            "it to their version.",
        )
        return
    except store.CaseAccessError as exc:
        ss[state.CASE_ACTIONS_RESULT] = (
            "error",
            f"Not added: {escape_markdown(str(exc))}. Nothing was stored.",
        )
        return
    except (CaseError, ValidationError) as exc:
        reason = _problem(exc) if isinstance(exc, ValidationError) else str(exc)
        ss[state.CASE_ACTIONS_RESULT] = ("error", f"Not added: {escape_markdown(reason)}")
        return
    except STORE_ERRORS as exc:
        failure(exc, "added")
        return
    ss[f"{key}.case"] = saved.id
    if ss.get(CASE_OPEN) != saved.id:  # the case worked on: the builder and Present
        ss[CASE_OPEN] = saved.id  # open it, Present at its first slide
        ss[PRESENT_INDEX] = 0
    ss[f"{key}.title"] = ""
    ss[f"{key}.new_title"] = ""
    ss[state.CASE_ACTIONS_RESULT] = ("added", saved.id, saved.title, len(saved.case.slides))
    ss[state.CASE_ACTIONS_LAST] = (actor_id, saved.id, saved.title, len(saved.case.slides))


def add_view_to_case(view: Mapping[str, Any], *, default_title: str, key: str) -> None:
    """For signed-in faculty: pick a case (or a new one), give the slide a title and add
    ``view`` (the fields of a :class:`~atlas_app.cases.model.ViewSlide`, without title
    and id) to it. ``default_title`` names the slide when the title is left empty; ``key``
    keeps each page's widgets apart. Draws nothing for anyone else."""
    engine, user = page_account()  # a guest's page never touches the store
    if user is None or engine is None:
        return
    key = f"case_actions.{key}"
    from atlas_app.storage import case_store as store

    result = st.session_state.pop(state.CASE_ACTIONS_RESULT, None)
    if user.role not in store.BUILDER_ROLES:  # no longer faculty: only say what was refused
        if result is not None and result[0] == "error":
            st.error(result[1])
        return
    if result is not None and result[0] == "added":
        _, _, title, n = result
        st.toast(f"Slide {n} added to “{escape_markdown(title)}”", icon=":material/check:")
    with st.expander("Add this view to a case", icon=":material/add_to_photos:"):
        try:
            editable = [s for s in store.list_cases_for(engine, user.id) if s.access != "read-only"]
        except STORE_ERRORS as exc:  # the page itself still serves
            st.warning(message(report(exc, "listing cases"), "listed"))
            return
        titles = {s.id: f"{s.title} (#{s.id})" for s in editable}
        options = [*titles, NEW_CASE]
        case_key = f"{key}.case"
        if st.session_state.get(case_key) not in options:
            opened = st.session_state.get(CASE_OPEN)
            st.session_state[case_key] = opened if opened in titles else options[0]
        choice = st.selectbox(
            "Case",
            options,
            key=case_key,
            format_func=lambda i: titles.get(i, "New case…"),
        )
        if choice == NEW_CASE:
            st.text_input(
                "Title of the new case",
                key=f"{key}.new_title",
                max_chars=LIMITS["title"],
                placeholder=NEW_CASE_TITLE,
            )
        st.text_input(
            "Slide title",
            key=f"{key}.title",
            max_chars=LIMITS["title"],
            placeholder=default_title[: LIMITS["title"]],
            help="Left empty, the slide takes the view's title.",
        )
        st.button(
            "Add this view to the case",
            key=f"{key}.add",
            icon=":material/add:",
            on_click=_add,
            args=(engine, user.id, dict(view), default_title, key),
        )
        if result is not None and result[0] == "error":
            st.error(result[1])
        last = st.session_state.get(state.CASE_ACTIONS_LAST)
        if last is not None and last[0] == user.id:
            _, case_id, title, n = last
            st.caption(f"Added as slide {n} of “{escape_markdown(title)}”.")
            st.page_link(
                BUILDER_PAGE,
                label="Open the case in the builder",
                icon=":material/edit_note:",
                query_params={"case": str(case_id)},
            )
