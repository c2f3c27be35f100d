"""``python -m atlas_app users ...``: accounts from the command line.

``add``, ``set-role``, ``set-cohort``, ``set-password``, ``deactivate``, ``activate``,
``list``; ``failures``
and ``unlock`` for the sign-in throttle; ``audit`` for the audit trail (a table, or CSV).
Changes made here are events of the audit trail, by ``command line (<os user>)``.

The database is ``DATABASE_URL``, else the project's SQLite file. A password is read from
standard input (``--password-stdin``, one line) or asked for twice without echo; it is never
printed. Problems are one line on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

ROLE_CHOICES = ("trainee", "faculty", "admin")  # = accounts.ROLES (kept import-free here)


class _CliError(Exception):
    """A problem worth one line on stderr."""


def add_parser(subparsers: Any) -> None:
    """Register ``users`` and its subcommands on the main parser's subparsers."""
    users = subparsers.add_parser("users", help="create accounts, set roles, list accounts")
    sub = users.add_subparsers(dest="users_command", required=True, metavar="COMMAND")

    add = sub.add_parser("add", help="create an account with a password")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLE_CHOICES, default="trainee")
    add.add_argument("--cohort", help="the cohort (year group, course) of a trainee or faculty")
    add.add_argument("--display-name", help="name shown in the app (default: the username)")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (one line) instead of prompting",
    )
    add.set_defaults(func=_run(_cmd_add))

    role = sub.add_parser("set-role", help="change an account's role")
    role.add_argument("username")
    role.add_argument("role", choices=ROLE_CHOICES)
    role.set_defaults(func=_run(_cmd_set_role))

    cohort = sub.add_parser("set-cohort", help='put an account in a cohort ("": in none)')
    cohort.add_argument("username")
    cohort.add_argument("cohort")
    cohort.set_defaults(func=_run(_cmd_set_cohort))

    password = sub.add_parser(
        "set-password", help="a new password (every remembered sign-in of the account ends)"
    )
    password.add_argument("username")
    password.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (one line) instead of prompting",
    )
    password.set_defaults(func=_run(_cmd_set_password))

    for name, active, what in (
        ("deactivate", False, "end an account (it cannot sign in; its history stays)"),
        ("activate", True, "let a deactivated account sign in again"),
    ):
        command = sub.add_parser(name, help=what)
        command.add_argument("username")
        command.set_defaults(func=_run(_cmd_set_active), active=active)

    ls = sub.add_parser("list", help="list the accounts")
    ls.set_defaults(func=_run(_cmd_list))

    failures = sub.add_parser(
        "failures", help="sign-in keys held by the throttle now, and recent failed sign-ins"
    )
    failures.add_argument(
        "--hours", type=float, default=24.0, help="failed sign-ins of the last HOURS (24)"
    )
    failures.set_defaults(func=_run(_cmd_failures))

    unlock = sub.add_parser("unlock", help="lift the sign-in throttle of a username or client")
    unlock.add_argument("username", nargs="?", help="the username as typed at sign-in")
    unlock.add_argument("--client", help="a client address instead of a username")
    unlock.set_defaults(func=_run(_cmd_unlock))

    audit = sub.add_parser("audit", help="the audit trail, newest first")
    audit.add_argument("--csv", action="store_true", help="all of it as CSV on standard output")
    audit.add_argument("--action", action="append", default=[], help="only this action (repeat)")
    audit.add_argument("--days", type=float, help="only the last DAYS")
    audit.add_argument("--limit", type=int, default=50, help="rows of the table (50)")
    audit.set_defaults(func=_run(_cmd_audit))


def _run(command: Any) -> Any:
    """``command`` with its expected failures turned into a message and exit status 1."""

    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from atlas_app.storage.accounts import AccountError
        from atlas_app.storage.db import StoreUnavailable, database_url, safe_url

        try:
            return int(command(args))
        except (_CliError, AccountError) as exc:
            print(f"users {args.users_command}: {exc}", file=sys.stderr)
        except KeyboardInterrupt:
            print(f"users {args.users_command}: interrupted", file=sys.stderr)
        except (SQLAlchemyError, StoreUnavailable) as exc:
            cause = exc.__cause__ if isinstance(exc, StoreUnavailable) else exc
            problem = str(getattr(cause, "orig", None) or cause).splitlines()[0]
            print(
                f"users {args.users_command}: database {safe_url(database_url())}: {problem}",
                file=sys.stderr,
            )
        return 1

    return run


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        raise _CliError("no terminal to ask for the password; pipe it with --password-stdin")
    try:
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password again: ")
    except EOFError as exc:
        raise _CliError("no password given") from exc
    if first != second:
        raise _CliError("the two passwords differ")
    return first


def _shown(text: str) -> str:
    """``text`` for a terminal: control characters escaped (no escape sequences run)."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _cmd_add(args: argparse.Namespace) -> int:
    from atlas_app.storage.accounts import check_password, check_username, create_user, get_user
    from atlas_app.storage.db import get_engine

    username = check_username(args.username)
    engine = get_engine()
    if get_user(engine, username) is not None:  # say so before asking for a password
        raise _CliError(f"the username {username!r} is taken")
    password = _read_password(args.password_stdin)
    check_password(password)
    user = create_user(
        engine,
        username,
        password,
        role=args.role,
        display_name=args.display_name,
        cohort=args.cohort,
    )
    cohort = f", cohort {_shown(user.cohort)}" if user.cohort else ""
    print(f"created {_shown(user.username)} ({user.role}{cohort})")
    return 0


def _cmd_set_role(args: argparse.Namespace) -> int:
    from atlas_app.storage.accounts import set_role
    from atlas_app.storage.db import get_engine

    user = set_role(get_engine(), args.username, args.role)
    print(f"{_shown(user.username)} is now {user.role}")
    return 0


def _cmd_set_cohort(args: argparse.Namespace) -> int:
    from atlas_app.storage.accounts import set_cohort
    from atlas_app.storage.db import get_engine

    user = set_cohort(get_engine(), args.username, args.cohort)
    where = f"in cohort {_shown(user.cohort)}" if user.cohort else "in no cohort"
    print(f"{_shown(user.username)} is now {where}")
    return 0


def _cmd_set_password(args: argparse.Namespace) -> int:
    from atlas_app.storage.accounts import check_password, get_user, set_password
    from atlas_app.storage.db import get_engine

    engine = get_engine()
    if get_user(engine, args.username) is None:  # say so before asking for a password
        raise _CliError(f"no user named {args.username!r}")
    password = _read_password(args.password_stdin)
    check_password(password)
    user = set_password(engine, args.username, password)
    print(f"{_shown(user.username)} has a new password; its remembered sign-ins have ended")
    return 0


def _cmd_set_active(args: argparse.Namespace) -> int:
    from atlas_app.storage.accounts import set_active
    from atlas_app.storage.db import get_engine

    user = set_active(get_engine(), args.username, args.active)
    state = "active" if user.active else "deactivated: its open sessions end at their next click"
    print(f"{_shown(user.username)} is now {state}")
    return 0


def _table(rows: list[list[str]]) -> None:
    """Rows as aligned columns, the last one free (it may hold spaces)."""
    rows = [[_shown(c) for c in row] for row in rows]
    n = len(rows[0]) - 1
    widths = [max(len(row[i]) for row in rows) for i in range(n)]
    for row in rows:
        padded = [cell.ljust(width) for cell, width in zip(row[:n], widths, strict=True)]
        print("  ".join([*padded, row[n]]).rstrip())


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else "-"


def _cmd_failures(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from atlas_app.storage.audit import SIGN_IN_ACTIONS, audit_events, command_line
    from atlas_app.storage.db import get_engine
    from atlas_app.storage.models import utc_now
    from atlas_app.storage.signin import throttles

    engine, by = get_engine(), command_line()
    held = throttles(engine, by)
    print(f"Held now ({len(held)}):")
    if held:
        _table(
            [["scope", "attempts", "last attempt", "locked until", "may retry at", "key"]]
            + [
                [
                    t.scope,
                    str(t.attempts),
                    _when(t.last_attempt_at),
                    _when(t.locked_until),
                    _when(t.retry_at),
                    t.key,
                ]
                for t in held
            ]
        )
    since = utc_now() - timedelta(hours=args.hours)
    events = audit_events(engine, by, actions=SIGN_IN_ACTIONS, since=since, limit=None)
    print(f"\nFailed or refused sign-ins in the last {args.hours:g} h ({len(events)}):")
    if events:
        _table(
            [["when", "outcome", "client", "username typed"]]
            + [
                [
                    _when(e.at),
                    "refused" if e.action == "sign_in_refused" else "wrong",
                    e.client or "-",
                    e.target,
                ]
                for e in events
            ]
        )
    return 0


def _cmd_unlock(args: argparse.Namespace) -> int:
    from atlas_app.storage.audit import command_line
    from atlas_app.storage.db import get_engine
    from atlas_app.storage.signin import Scope, unlock

    if (args.username is None) == (args.client is None):
        raise _CliError("give a username, or --client ADDRESS")
    scope: Scope = "client" if args.client is not None else "account"
    key = args.client if args.client is not None else args.username
    if unlock(get_engine(), command_line(), scope, key):
        print(f"{scope} {_shown(key)} may sign in again")
    else:
        print(f"{scope} {_shown(key)} was not held")
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from atlas_app.storage.audit import ACTIONS, audit_csv, audit_events, command_line
    from atlas_app.storage.db import get_engine
    from atlas_app.storage.models import utc_now

    unknown = [a for a in args.action if a not in ACTIONS]
    if unknown:
        raise _CliError(f"unknown action {unknown[0]!r} (actions: {', '.join(ACTIONS)})")
    since = utc_now() - timedelta(days=args.days) if args.days is not None else None
    engine, by, actions = get_engine(), command_line(), tuple(args.action)
    if args.csv:
        sys.stdout.write(audit_csv(engine, by, actions=actions, since=since))
        return 0
    events = audit_events(engine, by, actions=actions, since=since, limit=args.limit)
    _table(
        [["when", "who", "action", "client", "target: detail"]]
        + [
            [
                _when(e.at),
                e.actor,
                e.action,
                e.client or "-",
                f"{e.target}: {e.detail}" if e.detail else e.target,
            ]
            for e in events
        ]
    )
    print(f"{len(events)} event(s)", file=sys.stderr)
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from atlas_app.storage.db import get_engine
    from atlas_app.storage.models import UserRecord

    with Session(get_engine()) as session:
        records = list(session.scalars(select(UserRecord).order_by(UserRecord.username)))
    _table(
        [["username", "role", "cohort", "sign-in", "status", "display name"]]
        + [
            [
                r.username,
                r.role,
                r.cohort or "-",
                r.auth_source,
                "active" if r.active else "deactivated",
                r.display_name,
            ]
            for r in records
        ]
    )
    print(f"{len(records)} account(s)", file=sys.stderr)
    return 0
