"""The route that turns a sign-in into a remembered one: ``/atlas/session``.

Streamlit talks to the browser over a websocket, which cannot set a cookie; an HttpOnly
cookie needs an HTTP response. So after a password sign-in, the page runs one line of script
that POSTs the login's one-time ticket here (header ``X-Atlas-Ticket``); the response sets
the signed, HttpOnly cookie. *Sign out* DELETEs here (header ``X-Atlas-Sign-Out``): the
login ends and the cookie is dropped. Both refuse a request from another origin, and the
custom headers cannot be sent cross-site without a CORS preflight, which is never granted.
A store that cannot be reached answers 503 and says nothing more.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from atlas_app.web.session_cookie import COOKIE_NAME, lifetime, signed, token_of

SESSION_PATH = "atlas/session"
TICKET_HEADER = "X-Atlas-Ticket"
SIGN_OUT_HEADER = "X-Atlas-Sign-Out"
_log = logging.getLogger(__name__)


def session_path(base_url_path: str | None) -> str:
    """The route's path under Streamlit's ``server.baseUrlPath``."""
    parts = [p for p in ((base_url_path or "").strip("/"), SESSION_PATH) if p]
    return "/" + "/".join(parts)


def session_routes(base_url_path: str | None = "") -> list[Route]:
    """The routes to give ``st.App``."""
    path = session_path(base_url_path)
    return [
        Route(path, hand_over_cookie, methods=["POST"]),
        Route(path, drop_cookie, methods=["DELETE"]),
    ]


def _same_origin(request: Request) -> bool:
    """Whether the request comes from a page of this app's own host (browsers always send
    ``Origin`` with a POST or DELETE made by script). Host names are compared, not ports: a
    reverse proxy often passes ``Host`` without the port the browser used (nginx's
    ``$host``). Another origin could not send the custom header anyway: it needs a CORS
    preflight, which this route never answers."""
    origin = request.headers.get("origin")
    if origin is None:
        return False
    wanted = urlsplit(origin).hostname
    hosts = (request.headers.get("host"), request.headers.get("x-forwarded-host"))
    return wanted is not None and any(
        host is not None and urlsplit(f"//{host.split(',')[0].strip()}").hostname == wanted
        for host in hosts
    )


def _cookie_path(request: Request) -> str:
    return request.url.path[: -len(SESSION_PATH)] or "/"


def hand_over_cookie(request: Request) -> Response:
    """Trade a login's ticket for the signed, HttpOnly cookie (403 for anything else)."""
    from atlas_app.storage.db import get_engine
    from atlas_app.storage.logins import take_cookie

    ticket = request.headers.get(TICKET_HEADER, "")
    if not _same_origin(request) or not ticket:
        return Response(status_code=403)
    try:
        token = take_cookie(get_engine(), ticket)
    except SQLAlchemyError:
        _log.exception("the store failed while handing over a sign-in cookie")
        return Response(status_code=503)
    if token is None:
        return Response(status_code=403)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        COOKIE_NAME,
        signed(token),
        max_age=int(lifetime().total_seconds()),
        path=_cookie_path(request),
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response


def drop_cookie(request: Request) -> Response:
    """End the login the cookie names and drop the cookie (the browser signed out)."""
    from atlas_app.storage.db import get_engine
    from atlas_app.storage.logins import end_login_of_token

    if not _same_origin(request) or SIGN_OUT_HEADER.lower() not in request.headers:
        return Response(status_code=403)
    token = token_of(request.cookies.get(COOKIE_NAME))
    if token is not None:
        try:
            end_login_of_token(get_engine(), token, "sign-out")
        except SQLAlchemyError:  # the page ended it already; the cookie goes anyway
            _log.exception("the store failed while ending a sign-in")
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.delete_cookie(
        COOKIE_NAME,
        path=_cookie_path(request),
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response
