"""Sign in and out in the sidebar; who is signed in; staying signed in across reloads.

The session remembers *which* account signed in (``st.session_state``, one browser session,
never a cache shared between users); what that account may do is read from the store again
at every run (:func:`current_user`), and again by the store itself at every action. An
account deactivated or removed since sign-in is signed out at its next click. Passwords are
checked by the store (argon2). When Streamlit's OpenID Connect is configured (an ``[auth]``
section in ``.streamlit/secrets.toml``, and Authlib installed), "Sign in with your
institution" is offered too and the identity provider's user is mapped to an account (a
trainee on first sign-in).

A password sign-in is remembered by the browser in a signed, HttpOnly cookie: the page hands
the login's one-time ticket to the app's ``/atlas/session`` route with one ``fetch``
(:func:`_cookie_script`), whose HTTP response sets the cookie (a websocket cannot); a reload
presents it and the entry script signs the session in again (:func:`resolve_user`), if the
login is still open in the store. *Sign out* ends the login and drops the cookie.

Whatever a user typed or an identity provider sent (usernames, display names) is shown with
``st.text``: never as Markdown or HTML.
"""

from __future__ import annotations

import importlib.util
import json
import re
from typing import Any

import streamlit as st

from atlas_app.ui import state

_MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-=.!|~$&"
_WORD_JOINER = "\u2060"  # invisible; breaks a pattern without changing what is seen
_AUTOLINK = re.compile(r"(?i)(www)(?=\.)|(:)(?=//)|(@)")


def escape_markdown(text: str) -> str:
    """Markdown that Streamlit shows as exactly ``text``: nothing in it becomes markup.

    Every character with a meaning is backslash-escaped; a colon becomes ``&#58;`` (Streamlit
    turns ``:material/icon:`` into an icon even with escaped colons, but not a character
    reference); and an invisible word joiner is put after ``www``, the colon of ``://`` and
    ``@``, since GitHub-flavoured Markdown links bare web and e-mail addresses whatever their
    escapes. Tested in a real browser: tests/e2e/test_quiz_browser.py.
    """
    text = _AUTOLINK.sub(lambda m: m.group(0) + _WORD_JOINER, str(text))
    out = []
    for c in text:
        if c in _MARKDOWN_SPECIAL:
            out.append("\\" + c)
        elif c == ":":
            out.append("&#58;")
        else:
            out.append(c)
    return "".join(out)


def store_engine() -> Any | None:
    """The store's engine, or None when it cannot be used now: it failed moments ago (then
    nothing waits on it again yet), or it cannot be opened (reported: logged under a
    reference). Without it the app serves as for guests."""
    from atlas_app.ui import errors

    if errors.store_resting():
        return None
    try:
        from atlas_app.storage.db import get_engine

        return get_engine()
    except Exception as exc:  # a locked or unreadable file, a refused connection, a bad URL
        errors.report(exc, "opening the store")
        return None


def page_account() -> tuple[Any | None, Any | None]:
    """For a page: the store and the signed-in user as stored now. A guest's page never
    touches the store: (None, None). When the session is signed in but the store cannot be
    used, also (None, None), and :func:`account_unavailable` says so."""
    if st.session_state.get(state.ACCOUNT_USER) is None:
        return None, None
    engine = store_engine()
    return engine, current_user(engine)


def account_unavailable() -> bool:
    """Whether this session is signed in but its account cannot be read now (the store is
    down): the page says so, rather than treating the person as a guest."""
    from atlas_app.ui import errors

    return st.session_state.get(state.ACCOUNT_USER) is not None and errors.store_resting()


def current_user(engine: Any | None) -> Any | None:
    """The signed-in user of this browser session as the store holds them *now*, or None.

    Read again at every call (one query by primary key): a role or a cohort changed since
    sign-in shows at once, and an account removed or deactivated since is signed out here,
    with a notice in the sidebar. Without a store (``engine`` None) nobody can be checked,
    so the run is a guest's, but the session stays signed in for when the store is back."""
    remembered = st.session_state.get(state.ACCOUNT_USER)
    if remembered is None or engine is None:
        return None
    from atlas_app.storage.accounts import current_account
    from atlas_app.storage.logins import keeps_session

    fresh = current_account(engine, remembered.id)
    if fresh is None:
        _forget_session("You were signed out: this account has been deactivated or removed.")
        return None
    login_id = st.session_state.get(state.ACCOUNT_LOGIN)
    if login_id is not None and not keeps_session(engine, login_id):
        _forget_session("You were signed out: this browser signed out, or the password changed.")
        return None
    if fresh != remembered:
        st.session_state[state.ACCOUNT_USER] = fresh
    return fresh


def oidc_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` has an ``[auth]`` section (OpenID Connect)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def oidc_available() -> bool:
    """Whether ``st.login`` can run: configured, and Authlib (Streamlit's ``auth`` extra)
    installed."""
    return oidc_configured() and importlib.util.find_spec("authlib") is not None


def _oidc_user(engine: Any) -> Any | None:
    """The account for the identity Streamlit's OpenID Connect sign-in holds, if any."""
    try:
        if not st.user.is_logged_in:
            return None
    except Exception:
        return None
    from atlas_app.storage.accounts import AccountError, get_or_create_oidc_user

    email = st.user.get("email")
    name = st.user.get("name")
    try:
        return get_or_create_oidc_user(engine, str(email or ""), str(name) if name else None)
    except AccountError as exc:
        st.session_state[state.ACCOUNT_ERROR] = str(exc)
        return None


def client_address() -> str | None:
    """The browser's network address as the server sees it (None on the server's own
    machine). Behind a reverse proxy, uvicorn takes it from ``X-Forwarded-For`` when the
    proxy's address is in ``FORWARDED_ALLOW_IPS`` (127.0.0.1 by default)."""
    try:
        address = st.context.ip_address
    except Exception:  # no browser behind this run
        return None
    return address if isinstance(address, str) else None  # AppTest hands a stand-in


UNAVAILABLE = (
    "Signing in is unavailable just now: the store of accounts cannot be reached. You can "
    "still use the atlas and take quizzes as a guest; try again in a minute."
)


def _sign_in() -> None:
    """*Sign in*: the throttled password check, then a login for the browser to remember
    (its ticket is handed over on the next draw); a store that cannot be reached is said."""
    from atlas_app.storage.logins import open_login
    from atlas_app.storage.signin import sign_in
    from atlas_app.ui import errors
    from atlas_app.web.session_cookie import lifetime

    username = st.session_state.get(f"{state.ACCOUNT_SIGN_IN}.username", "")
    password = st.session_state.get(f"{state.ACCOUNT_SIGN_IN}.password", "")
    st.session_state[f"{state.ACCOUNT_SIGN_IN}.password"] = ""
    try:
        if errors.store_resting():  # failed moments ago: say so without waiting on it again
            raise errors.StoreUnavailable("the store failed moments ago")
        from atlas_app.storage.db import get_engine

        engine = get_engine()
        result = sign_in(engine, str(username), str(password), client_address())
        user = result.user
        if user is None:
            st.session_state[state.ACCOUNT_ERROR] = result.message
            return
        login = open_login(engine, user.id, lifetime())
    except errors.STORE_ERRORS as exc:
        reference = errors.report(exc, "signing in")
        st.session_state[state.ACCOUNT_ERROR] = f"{UNAVAILABLE} (Reference {reference}.)"
        return
    st.session_state.pop(state.ACCOUNT_ERROR, None)
    st.session_state.pop(state.ACCOUNT_SIGNED_OUT_NOTICE, None)
    st.session_state.pop(state.ACCOUNT_FORGET_COOKIE, None)
    st.session_state[state.ACCOUNT_USER] = user
    st.session_state[state.ACCOUNT_LOGIN] = login.id
    st.session_state[state.ACCOUNT_HANDOVER] = login.ticket


def _sign_out(engine: Any = None) -> None:
    """*Sign out*: end this browser's login in the store (its cookie then signs nobody in),
    drop the cookie on the next draw, forget the account in this session."""
    login_id = st.session_state.get(state.ACCOUNT_LOGIN)
    if engine is not None and login_id is not None:
        from atlas_app.storage.logins import end_login
        from atlas_app.ui import errors

        try:
            end_login(engine, login_id, "sign-out")
        except errors.STORE_ERRORS as exc:  # the cookie is dropped all the same
            errors.report(exc, "signing out")
    if login_id is not None:
        st.session_state[state.ACCOUNT_FORGET_COOKIE] = True
    _forget_session()
    if oidc_configured():  # the identity provider's sign-in ends too (see resolve_user)
        st.session_state[state.ACCOUNT_SIGNING_OUT] = True


def _forget_session(notice: str | None = None) -> None:
    """Forget the signed-in account (and the quiz under way) in this browser session."""
    for key in [k for k in st.session_state if str(k).startswith(state.ACCOUNT_SIGNED_OUT_CLEARS)]:
        del st.session_state[key]
    if notice is not None:
        st.session_state[state.ACCOUNT_SIGNED_OUT_NOTICE] = notice


def _cookie_value() -> str | None:
    """Our cookie as the browser sent it when this session began (None without one)."""
    from atlas_app.web.session_cookie import COOKIE_NAME

    try:
        value = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # no browser behind this run
        return None
    return value if isinstance(value, str) else None


def _remembered_user(engine: Any) -> Any | None:
    """The account a valid cookie remembers, signed in again for this session (tried once
    per session and cookie: a refused one costs nothing at the next click)."""
    value = _cookie_value()
    if value is None or st.session_state.get(state.ACCOUNT_COOKIE_TRIED) == value:
        return None
    st.session_state[state.ACCOUNT_COOKIE_TRIED] = value
    from atlas_app.storage.accounts import current_account
    from atlas_app.storage.logins import login_of
    from atlas_app.web.session_cookie import token_of

    token = token_of(value)
    found = login_of(engine, token) if token is not None else None
    if found is None:
        return None
    user = current_account(engine, found[0])
    if user is not None:
        st.session_state[state.ACCOUNT_USER] = user
        st.session_state[state.ACCOUNT_LOGIN] = found[1]
    return user


def _cookie_script(method: str, header: str, value: str) -> str:
    """One ``fetch`` to the session route (the page's only script; no user text in it).
    ``keepalive``: the request completes, and its cookie is kept, even when the person
    leaves or reloads the page at once."""
    from atlas_app.web.routes import session_path

    path = session_path(st.get_option("server.baseUrlPath"))
    request = {
        "method": method,
        "credentials": "same-origin",
        "keepalive": True,
        "headers": {header: value},
    }
    return f"<script>fetch({json.dumps(path)}, {json.dumps(request)}).catch(() => {{}});</script>"


def _cookie_handover() -> None:
    """Hand a new login's ticket to the browser (it comes back as the HttpOnly cookie), or
    have the browser drop the cookie after *Sign out*; drawn once."""
    from atlas_app.web.routes import SIGN_OUT_HEADER, TICKET_HEADER

    ticket = st.session_state.pop(state.ACCOUNT_HANDOVER, None)
    if ticket:
        st.html(_cookie_script("POST", TICKET_HEADER, ticket), unsafe_allow_javascript=True)
    if st.session_state.pop(state.ACCOUNT_FORGET_COOKIE, False):
        st.html(_cookie_script("DELETE", SIGN_OUT_HEADER, "1"), unsafe_allow_javascript=True)


def resolve_user(engine: Any | None) -> Any | None:
    """The user of this session, as stored now: the one signed in, else the one a valid
    cookie remembers, else an OpenID Connect identity mapped to its account; draws nothing
    (the entry script calls it before the page runs). After *Sign out* an OpenID Connect
    identity is ended (``st.logout``) before it could be mapped again."""
    if st.session_state.pop(state.ACCOUNT_SIGNING_OUT, False):
        st.logout()
        return None
    user = current_user(engine)
    if user is None and engine is not None:
        user = _remembered_user(engine)
    if user is None and engine is not None and oidc_configured():
        user = _oidc_user(engine)
        if user is not None:
            st.session_state[state.ACCOUNT_USER] = user
    return user


def _needs_store() -> bool:
    """Whether this run has anyone to look up: a signed-in session, a cookie not tried yet,
    an OpenID Connect identity, a sign-out to finish. A guest's run never opens the store."""
    if st.session_state.get(state.ACCOUNT_USER) is not None or st.session_state.get(
        state.ACCOUNT_SIGNING_OUT
    ):
        return True
    cookie = _cookie_value()
    if cookie is not None and st.session_state.get(state.ACCOUNT_COOKIE_TRIED) != cookie:
        return True
    try:
        return oidc_configured() and bool(st.user.is_logged_in)
    except Exception:
        return False


def open_account() -> tuple[Any | None, Any | None]:
    """The store and the signed-in user for this run, for the entry script; draws nothing
    and never raises for the store: a failure is reported (logged with a reference) and the
    run goes on as a guest's, the session still signed in for when the store is back."""
    if not _needs_store():
        return None, None
    from atlas_app.ui import errors

    engine = store_engine()
    if engine is None:
        return None, None
    try:
        return engine, resolve_user(engine)
    except errors.STORE_ERRORS as exc:
        errors.report(exc, "reading who is signed in")
        return None, None


def account_sidebar(engine: Any | None, user: Any | None) -> None:
    """Sign in (or who is signed in, and *Sign out*) at the top of the sidebar.

    The entry script draws it *before* the page runs: a page that calls ``st.stop()`` (a
    guest on *Progress* or *Cases*) ends the script run, and nothing drawn after that is
    sent, so a form drawn after the page would be missing exactly where it is asked for.
    When the store cannot be used, it says so instead of offering a form that cannot work.
    """
    from atlas_app.ui import errors

    with st.sidebar.container(border=True, key="account.box"):
        _cookie_handover()
        if user is not None:
            st.text(f"Signed in as {user.display_name}")
            st.caption(f"Role: {user.role}")
            st.button("Sign out", key="account.sign_out", on_click=_sign_out, args=(engine,))
            return
        if errors.store_resting():
            error = str(st.session_state.get(state.ACCOUNT_ERROR) or "")
            if not error.startswith(UNAVAILABLE):
                error = UNAVAILABLE
            st.session_state.pop(state.ACCOUNT_ERROR, None)
            st.warning(escape_markdown(error), icon=":material/cloud_off:")
            if st.session_state.get(state.ACCOUNT_USER) is not None:
                st.caption("You stay signed in: your account is back when the store is.")
            return
        st.markdown("**Sign in**")
        with st.form(state.ACCOUNT_SIGN_IN, border=False, enter_to_submit=True):
            st.text_input(
                "Username",
                key=f"{state.ACCOUNT_SIGN_IN}.username",
                autocomplete="username",
                placeholder="Username",
                label_visibility="collapsed",
            )
            st.text_input(
                "Password",
                type="password",
                key=f"{state.ACCOUNT_SIGN_IN}.password",
                autocomplete="current-password",
                placeholder="Password",
                label_visibility="collapsed",
            )
            st.form_submit_button("Sign in", on_click=_sign_in)
        refused = st.session_state.get(state.ACCOUNT_ERROR)
        if refused:
            st.error(escape_markdown(refused))
        notice = st.session_state.get(state.ACCOUNT_SIGNED_OUT_NOTICE)
        if notice:
            st.warning(escape_markdown(notice))
        if oidc_available():
            st.button("Sign in with your institution", key="account.oidc", on_click=st.login)
        elif oidc_configured():
            st.caption("Single sign-on is configured but Authlib is not installed.")
        st.caption("Guests can take quizzes; sign in to keep your answers and progress.")
