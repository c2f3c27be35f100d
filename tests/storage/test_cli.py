"""``python -m atlas_app users add|set-role|list``, run as a user would (a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from atlas_app.storage.accounts import authenticate
from atlas_app.storage.db import make_engine

pytestmark = pytest.mark.slow  # each test runs the command line several times

PROJECT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough password"


@pytest.fixture
def users(db_url: str):
    """Run ``python -m atlas_app users ...`` on the test's database."""
    env = {**os.environ, "DATABASE_URL": db_url}

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "atlas_app", "users", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=PROJECT,
            timeout=120,
            check=False,
        )

    return run


def _clean_failure(done: subprocess.CompletedProcess[str], expected: str) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    assert expected in done.stderr


def test_add_set_role_list(users, db_url: str) -> None:
    done = users(
        "add", "ana", "--cohort", "PGY2", "--display-name", "Ana R.", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "created ana (trainee, cohort PGY2)" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    done = users("add", "prof", "--role", "faculty", "--password-stdin", stdin=PASSWORD)
    assert done.returncode == 0, done.stderr
    done = users("set-role", "ana", "admin")
    assert done.returncode == 0 and "ana is now admin" in done.stdout
    listing = users("list")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split()[:5] == ["username", "role", "cohort", "sign-in", "status"]
    assert lines[1].split() == ["ana", "admin", "PGY2", "password", "active", "Ana", "R."]
    assert lines[2].split()[:5] == ["prof", "faculty", "-", "password", "active"]
    assert "2 account(s)" in listing.stderr
    done = users("deactivate", "prof")
    assert done.returncode == 0 and "prof is now deactivated" in done.stdout
    assert users("list").stdout.splitlines()[2].split()[4] == "deactivated"

    engine = make_engine(db_url)
    try:
        user = authenticate(engine, "ana", PASSWORD)  # the newline is not part of it
        assert user is not None and user.role == "admin"
    finally:
        engine.dispose()


def test_failures_are_messages_not_tracebacks(users) -> None:
    assert users("add", "ana", "--password-stdin", stdin=PASSWORD).returncode == 0
    _clean_failure(users("add", "ana", "--password-stdin", stdin=PASSWORD), "is taken")
    _clean_failure(users("add", "ben", "--password-stdin", stdin="\n"), "password is empty")
    _clean_failure(users("add", "ben", "--password-stdin", stdin="short"), "shorter than 8")
    _clean_failure(users("add", "two words", "--password-stdin", stdin=PASSWORD), "spaces")
    _clean_failure(users("add", "ben", "--role", "root", "--password-stdin"), "invalid choice")
    _clean_failure(users("set-role", "nobody", "admin"), "no user named 'nobody'")
    _clean_failure(users("set-role", "ana", "root"), "invalid choice")
    _clean_failure(users("deactivate", "nobody"), "no user named 'nobody'")
    # no terminal and no --password-stdin: no prompt to hang on
    _clean_failure(users("add", "ben", stdin=""), "--password-stdin")
    listing = users("list")
    assert [line.split()[0] for line in listing.stdout.splitlines()[1:]] == ["ana"]


def test_unreachable_database_is_a_message() -> None:
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql+psycopg://nobody:secret@/nowhere?host=/nonexistent",
    }
    done = subprocess.run(
        [sys.executable, "-m", "atlas_app", "users", "list"],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT,
        timeout=120,
        check=False,
    )
    _clean_failure(done, "database postgresql+psycopg://nobody:***@/nowhere")
    assert "secret" not in done.stderr


def test_failures_unlock_and_audit(users, db_url: str) -> None:
    from atlas_app.storage.signin import TRY_LATER, sign_in

    assert users("add", "ana", "--password-stdin", stdin=PASSWORD).returncode == 0
    engine = make_engine(db_url)
    try:
        for _ in range(12):
            sign_in(engine, "ana", "not her password", "10.0.0.8")
        assert sign_in(engine, "ana", PASSWORD, "10.0.0.9").message == TRY_LATER
    finally:
        engine.dispose()
    shown = users("failures")
    assert shown.returncode == 0, shown.stderr
    assert "Held now (3):" in shown.stdout  # ana, and both addresses
    held = [line.split() for line in shown.stdout.splitlines() if line.startswith("account")]
    assert held and held[0][1] == "13" and held[0][-1] == "ana"
    assert "Failed or refused sign-ins in the last 24 h (13):" in shown.stdout
    assert "10.0.0.8" in shown.stdout and PASSWORD not in shown.stdout
    _clean_failure(users("unlock"), "give a username")
    done = users("unlock", "ana")
    assert done.returncode == 0 and "account ana may sign in again" in done.stdout
    assert "was not held" in users("unlock", "ana").stdout
    assert users("unlock", "--client", "10.0.0.8").returncode == 0
    engine = make_engine(db_url)
    try:
        assert sign_in(engine, "ana", PASSWORD, "10.0.0.8").user is not None
    finally:
        engine.dispose()
    assert users("set-role", "ana", "faculty").returncode == 0
    trail = users("audit", "--action", "role", "--action", "unlock")
    assert trail.returncode == 0, trail.stderr
    lines = trail.stdout.splitlines()
    assert lines[0].split()[:4] == ["when", "who", "action", "client"]
    assert "trainee → faculty" in lines[1] and "command line (" in lines[1]
    assert sum("unlock" in line for line in lines) == 2
    as_csv = users("audit", "--csv")
    assert as_csv.returncode == 0
    assert as_csv.stdout.startswith("id,at,actor,actor_id,action,target,detail,client\n")
    assert as_csv.stdout.count("sign_in_") == 13
    _clean_failure(users("audit", "--action", "nonsense"), "unknown action 'nonsense'")


def test_set_password(users, db_url: str) -> None:
    assert users("add", "ana", "--password-stdin", stdin=PASSWORD).returncode == 0
    new = "another long password"
    done = users("set-password", "ana", "--password-stdin", stdin=new + "\n")
    assert done.returncode == 0, done.stderr
    assert "ana has a new password" in done.stdout and new not in done.stdout + done.stderr
    _clean_failure(users("set-password", "nobody", "--password-stdin", stdin=new), "no user")
    _clean_failure(users("set-password", "ana", "--password-stdin", stdin="short"), "shorter")
    engine = make_engine(db_url)
    try:
        assert authenticate(engine, "ana", PASSWORD) is None
        assert authenticate(engine, "ana", new) is not None
    finally:
        engine.dispose()
    trail = users("audit", "--action", "password")
    assert "new password set" in trail.stdout and new not in trail.stdout
