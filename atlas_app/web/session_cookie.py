"""The remembered sign-in's cookie: its name, lifetime, secret and signature.

The cookie holds a login's random token (:mod:`atlas_app.storage.logins`), signed with a
timestamp by itsdangerous so that a forged or stale value is refused before the database is
asked. It is HttpOnly (no script in the page can read it), SameSite=Lax, Secure over HTTPS,
and lasts ``ATLAS_SESSION_DAYS`` days (14 by default); the login row in the database lasts as
long and can be ended sooner (sign-out, a password or role change, a deactivation).

The signing secret is configuration: ``ATLAS_SESSION_SECRET`` (at least 32 characters; the
same on every app server behind one address). Without it, a secret is generated once per
install and kept in ``var/session_secret`` (mode 0600, written atomically), which suits one
server; a server with another secret refuses the cookie and the person signs in again.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from atlas_app.paths import PROJECT_DIR

COOKIE_NAME = "atlas_session"
SECRET_ENV = "ATLAS_SESSION_SECRET"
DAYS_ENV = "ATLAS_SESSION_DAYS"
DEFAULT_DAYS = 14.0
MIN_SECRET_LENGTH = 32
SECRET_FILE = PROJECT_DIR / "var" / "session_secret"
_SALT = "atlas-remembered-sign-in"


class CookieConfigError(ValueError):
    """The cookie's configuration cannot be used; the message says which setting and why."""


def lifetime() -> timedelta:
    """How long a remembered sign-in lasts (``ATLAS_SESSION_DAYS``, default 14 days)."""
    raw = os.environ.get(DAYS_ENV, "").strip()
    if not raw:
        return timedelta(days=DEFAULT_DAYS)
    try:
        days = float(raw)
    except ValueError:
        raise CookieConfigError(f"{DAYS_ENV} must be a number of days, not {raw!r}") from None
    if not 0 < days <= 366:
        raise CookieConfigError(f"{DAYS_ENV} must be between 0 and 366 days, not {days:g}")
    return timedelta(days=days)


def session_secret(path: Path = SECRET_FILE) -> str:
    """``ATLAS_SESSION_SECRET``, else the install's generated secret (made on first use)."""
    configured = os.environ.get(SECRET_ENV, "").strip()
    if configured:
        if len(configured) < MIN_SECRET_LENGTH:
            raise CookieConfigError(
                f"{SECRET_ENV} has {len(configured)} characters; give at least "
                f"{MIN_SECRET_LENGTH} (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        return configured
    return _generated_secret(path)


def _generated_secret(path: Path) -> str:
    """The secret kept in ``path``, made once: written whole to a private temporary file,
    then linked into place, so that two servers starting together agree on one secret and
    nobody ever reads half of one."""
    try:
        kept = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        kept = ""
    if len(kept) >= MIN_SECRET_LENGTH:
        return kept
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(draft, path)  # fails if another process made it first: theirs is kept
        except FileExistsError:
            if len(path.read_text(encoding="ascii").strip()) < MIN_SECRET_LENGTH:
                os.replace(draft, path)  # an empty or short file left behind: replace it
                draft = path
    finally:
        if draft != path:
            draft.unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(session_secret(), salt=_SALT)


def signed(token: str) -> str:
    """The cookie value for a login's token."""
    return str(_serializer().dumps(token))


def token_of(value: object) -> str | None:
    """The token in a cookie value, if it is signed with our secret and younger than the
    lifetime; None for anything else (missing, forged, tampered, expired)."""
    if not isinstance(value, str) or not value or len(value) > 4096:
        return None
    try:
        token = _serializer().loads(value, max_age=int(lifetime().total_seconds()))
    except BadSignature:  # also SignatureExpired
        return None
    return token if isinstance(token, str) else None
