"""The error boundary for the store: a failing database degrades the app, never explodes it.

When the store (SQLite or PostgreSQL) fails — a full disk, a lock held too long, a corrupted
file, a server stopped — whatever was asked of it is answered with one plain message and a
short reference, and the full traceback goes to the server's log under that reference. The
page never shows SQL, a username, a path or a traceback. Three ways in, one boundary:

- :func:`page_boundary` around the page the entry script runs;
- :func:`failure` in a widget callback that writes (callbacks run before the page, so the
  message is kept and shown at the top of the page that follows, by :func:`show_pending`);
- :func:`report` and :func:`message` where the page goes on and says it in place (a quiz
  answer that could not be saved).

After a failure the store *rests* for a few seconds (:func:`store_resting`): pages do not
wait on it again at every click, so the anatomy pages keep serving at full speed. What the
user typed into a form stays in the form (:func:`keep_unsaved_edits`).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
from collections.abc import Iterator

import streamlit as st
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from atlas_app.storage.db import StoreUnavailable
from atlas_app.ui import state

STORE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, StoreUnavailable)
REST_SECONDS = 10.0  # after a failure, how long pages treat the store as unavailable
FORM_PREFIXES = ("cases.w.", "account.sign_in.username")  # what the user typed, kept
LOG = logging.getLogger("atlas_app.store")

_rest_until = 0.0
_rest_lock = threading.Lock()


def message(reference: str, what: str = "done") -> str:
    """The one thing a person is told (no SQL, no names, no paths)."""
    return (
        "The store of accounts, answers and cases cannot be reached just now, so this could "
        f"not be {what}; nothing was changed. What you typed is still here: try again in a "
        f"minute. The atlas and its anatomy work as usual. (Reference {reference} for whoever "
        "runs the app.)"
    )


def unavailable_note() -> str:
    """For a page that needs the store when it is resting or cannot be opened."""
    return (
        "Accounts, answers and cases are unavailable just now: the store cannot be reached. "
        "The atlas, the approaches and quizzes (as a guest) work as usual; try again in a "
        "minute."
    )


def failure(exc: BaseException, what: str = "saved") -> None:
    """Report a store failure a callback caught; its message is shown at the top of the page
    that follows (:func:`show_pending`), which may well stop early for want of the store."""
    st.session_state[state.STORE_ERROR_PENDING] = message(report(exc, what), what)


def stop_unavailable() -> None:
    """End a page that cannot work without the store: say so, keep what was typed."""
    st.warning(unavailable_note(), icon=":material/cloud_off:")
    keep_unsaved_edits()
    st.stop()


def report(exc: BaseException, where: str) -> str:
    """Log the failure with its traceback under a new reference; rest the store if it is
    unreachable (not for a mere bug). The reference."""
    reference = secrets.token_hex(4)
    LOG.error("store failure %s in %s", reference, where, exc_info=exc)
    if _is_unreachable(exc):
        rest_store()
    return reference


def _is_unreachable(exc: BaseException) -> bool:
    """Whether the failure is the store's state (disk, lock, corruption, connection), not a
    mistake in a query."""
    if isinstance(exc, StoreUnavailable):
        return True
    if isinstance(exc, DBAPIError):
        from sqlalchemy.exc import InterfaceError, OperationalError

        return isinstance(exc, (OperationalError, InterfaceError)) or exc.connection_invalidated
    return False


def rest_store(seconds: float = REST_SECONDS) -> None:
    global _rest_until
    with _rest_lock:
        _rest_until = max(_rest_until, time.monotonic() + seconds)


def store_resting() -> bool:
    """Whether the store failed moments ago (then nothing waits on it again yet)."""
    return time.monotonic() < _rest_until


def wake_store() -> None:
    """Forget a rest (tests; an admin who knows the store is back)."""
    global _rest_until
    with _rest_lock:
        _rest_until = 0.0


def keep_unsaved_edits() -> None:
    """Keep what was typed into the forms although the page that holds them stopped early:
    a widget not drawn in a run loses its value, unless the value is set again by hand."""
    for key in list(st.session_state):
        if str(key).startswith(FORM_PREFIXES):
            # A widget drawn in this run cannot be set again; it keeps its value anyway.
            with contextlib.suppress(st.errors.StreamlitAPIException):
                st.session_state[key] = st.session_state[key]


@contextlib.contextmanager
def page_boundary(what: str = "shown") -> Iterator[None]:
    """Around a page: a store failure ends the page with the plain message."""
    try:
        yield
    except STORE_ERRORS as exc:
        reference = report(exc, "a page")
        keep_unsaved_edits()
        st.error(message(reference, what), icon=":material/cloud_off:")


def show_pending() -> None:
    """A callback's store failure, at the top of the page (once)."""
    pending = st.session_state.pop(state.STORE_ERROR_PENDING, None)
    if pending:
        st.error(pending, icon=":material/cloud_off:")
