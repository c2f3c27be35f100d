"""Admin: accounts (role, cohort, active), the sign-in throttle (what it holds now, recent
failures, unlock) and the audit trail (a table, and all of it as CSV).

Only admins: anyone else who opens the page (it is not in their menu; by its URL) is refused
before anything is read, and every read and change below is judged again by the store on the
admin's account as stored at that moment. Every change made here is an event of the audit
trail. Usernames and other typed text are shown as text.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import streamlit as st

from atlas_app.storage.access import AccessDenied
from atlas_app.storage.accounts import ROLES, AccountError
from atlas_app.ui import state
from atlas_app.ui.account import account_unavailable, page_account
from atlas_app.ui.errors import STORE_ERRORS, failure, stop_unavailable

FAILURE_HOURS = 24


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment is not None else ""


def _say(kind: str, text: str) -> None:
    st.session_state[state.ADMIN_MESSAGE] = (kind, text)


def _show_message() -> None:
    message = st.session_state.pop(state.ADMIN_MESSAGE, None)
    if message is not None:
        kind, text = message
        (st.success if kind == "success" else st.error)(text)


def _unlock(engine: Any, admin_id: int, scope: str, key: str) -> None:
    from atlas_app.storage.signin import unlock

    try:
        done = unlock(engine, admin_id, scope, key)  # type: ignore[arg-type]
    except AccessDenied as exc:
        _say("error", f"Not unlocked: {exc}.")
        return
    except STORE_ERRORS as exc:
        failure(exc, "unlocked")
        return
    _say("success", "Unlocked: it may sign in at once." if done else "It was no longer held.")


def _save_account(engine: Any, admin_id: int, username: str, prefix: str) -> None:
    from atlas_app.storage.accounts import get_user, set_active, set_cohort, set_role

    ss = st.session_state
    try:
        before = get_user(engine, username)
        if before is None:
            _say("error", "That account no longer exists.")
            return
        role, cohort = ss[f"{prefix}.role"], str(ss[f"{prefix}.cohort"]).strip() or None
        active = bool(ss[f"{prefix}.active"])
        if role != before.role:
            set_role(engine, username, role, by=admin_id)
        if cohort != before.cohort:
            set_cohort(engine, username, cohort, by=admin_id)
        if active != before.active:
            set_active(engine, username, active, by=admin_id)
    except (AccessDenied, AccountError) as exc:
        _say("error", f"Not saved: {exc}.")
        return
    except STORE_ERRORS as exc:
        failure(exc, "saved")
        return
    _say("success", "Saved. Open sessions of that account follow at their next click.")


def accounts_tab(engine: Any, admin_id: int) -> None:
    from atlas_app.storage.accounts import list_users

    people = list_users(engine)
    st.dataframe(
        [
            {
                "Username": p.username,
                "Name": p.display_name,
                "Role": p.role,
                "Cohort": p.cohort or "",
                "Status": "active" if p.active else "deactivated",
            }
            for p in people
        ],
        hide_index=True,
        width="stretch",
    )
    by_name = {p.username: p for p in people}
    chosen = st.selectbox("Change an account", list(by_name), index=None, key="admin.account")
    if chosen is None:
        return
    person = by_name[chosen]
    prefix = f"admin.edit.{person.id}"
    with st.form(prefix, border=True):
        st.selectbox("Role", ROLES, index=ROLES.index(person.role), key=f"{prefix}.role")
        st.text_input("Cohort (empty: none)", value=person.cohort or "", key=f"{prefix}.cohort")
        st.toggle("Active (may sign in)", value=person.active, key=f"{prefix}.active")
        st.form_submit_button(
            "Save changes", on_click=_save_account, args=(engine, admin_id, chosen, prefix)
        )


def sign_in_tab(engine: Any, admin_id: int) -> None:
    from atlas_app.storage.audit import SIGN_IN_ACTIONS, audit_events
    from atlas_app.storage.models import utc_now
    from atlas_app.storage.signin import POLICIES, throttles

    account, client = POLICIES["account"], POLICIES["client"]
    st.caption(
        f"After {account.free} failed attempts a username waits before the next one, longer "
        f"each time; {account.lock_after} within {account.window.seconds // 60} minutes "
        f"lock it for {account.lock_for.seconds // 60} minutes (a client address: "
        f"{client.free} and {client.lock_after}). Unknown usernames count the same way."
    )
    held = throttles(engine, admin_id)
    st.markdown(f"**Held now** ({len(held)})")
    if not held:
        st.caption("Nothing is held.")
    for t in held:
        c1, c2 = st.columns([5, 1], vertical_alignment="center")
        state = f"locked until {_when(t.locked_until)}" if t.locked_until else "waiting"
        c1.text(
            f"{t.scope}: {t.key} — {t.attempts} attempt(s), last {_when(t.last_attempt_at)}, "
            f"{state}; may retry at {_when(t.retry_at)} (UTC)"
        )
        c2.button(
            "Unlock",
            key=f"admin.unlock.{t.scope}.{t.key}",
            on_click=_unlock,
            args=(engine, admin_id, t.scope, t.key),
            width="stretch",
        )
    since = utc_now() - timedelta(hours=FAILURE_HOURS)
    events = audit_events(engine, admin_id, actions=SIGN_IN_ACTIONS, since=since, limit=500)
    st.markdown(f"**Failed sign-ins, last {FAILURE_HOURS} hours** ({len(events)})")
    st.dataframe(
        [
            {
                "When (UTC)": _when(e.at),
                "Outcome": "refused (throttled)" if e.action == "sign_in_refused" else "wrong",
                "Username typed": e.target,
                "Client": e.client or "",
            }
            for e in events
        ],
        hide_index=True,
        width="stretch",
    )


def audit_tab(engine: Any, admin_id: int) -> None:
    from atlas_app.storage.audit import ACTIONS, audit_csv, audit_events

    actions = st.multiselect(
        "Actions", list(ACTIONS), format_func=ACTIONS.__getitem__, key="admin.actions"
    )
    chosen = tuple(actions)
    events = audit_events(engine, admin_id, actions=chosen, limit=500)
    st.dataframe(
        [
            {
                "When (UTC)": _when(e.at),
                "Who": e.actor,
                "What": ACTIONS.get(e.action, e.action),
                "Target": e.target,
                "Detail": e.detail,
                "Client": e.client or "",
            }
            for e in events
        ],
        hide_index=True,
        width="stretch",
    )
    st.caption("The newest 500 events are shown; the CSV has every one (of the chosen actions).")
    st.download_button(  # made at the click, if the account is still an admin then
        "Download the audit trail (CSV)",
        lambda: audit_csv(engine, admin_id, actions=chosen),
        file_name="audit_trail.csv",
        mime="text/csv",
        key="admin.audit_csv",
    )


engine, user = page_account()

st.title("Admin")
if account_unavailable():
    stop_unavailable()
if engine is None or user is None or user.role != "admin":
    st.error(
        "This page is for admins: it manages accounts and shows the audit trail.",
        icon=":material/lock:",
    )
    st.stop()

_show_message()
tab_accounts, tab_sign_in, tab_audit = st.tabs(["Accounts", "Sign-in", "Audit trail"])
try:
    with tab_accounts:
        accounts_tab(engine, user.id)
    with tab_sign_in:
        sign_in_tab(engine, user.id)
    with tab_audit:
        audit_tab(engine, user.id)
except AccessDenied:  # no longer an admin since this run began
    st.error("Your account is no longer an admin.")
