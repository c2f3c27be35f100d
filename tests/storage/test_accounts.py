"""Accounts: argon2 passwords, roles, OpenID Connect accounts (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atlas_app.storage import accounts
from atlas_app.storage.accounts import (
    AccountError,
    DuplicateUserError,
    UnknownUserError,
    User,
    WeakPasswordError,
    authenticate,
    can_view_cohort,
    create_user,
    get_or_create_oidc_user,
    get_user,
    get_user_by_id,
    list_users,
    set_cohort,
    set_role,
)
from atlas_app.storage.models import UserRecord

PASSWORD = "sacral ala 2026"


def _stored_hash(engine: Engine, username: str) -> str | None:
    with Session(engine) as session:
        return session.scalar(
            select(UserRecord.password_hash).where(UserRecord.username == username)
        )


def test_create_and_authenticate(engine: Engine) -> None:
    user = create_user(engine, "ana", PASSWORD, display_name="Ana R.", cohort="PGY2")
    assert user == User(id=user.id, username="ana", display_name="Ana R.", role="trainee",
                        cohort="PGY2")  # fmt: skip
    assert authenticate(engine, "ana", PASSWORD) == user
    assert authenticate(engine, "ana", PASSWORD + "x") is None
    assert authenticate(engine, "ana", "") is None
    assert authenticate(engine, "nobody", PASSWORD) is None
    assert authenticate(engine, "ANA", PASSWORD) is None  # usernames are exact


def test_password_is_stored_as_an_argon2_hash(engine: Engine) -> None:
    create_user(engine, "ben", PASSWORD)
    stored = _stored_hash(engine, "ben")
    assert stored is not None and stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)


def test_default_hasher_is_argon2id_with_rfc9106_parameters(
    monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher())  # undo the fast test hasher
    create_user(engine, "cy", PASSWORD)
    assert _stored_hash(engine, "cy").startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # type: ignore[union-attr]


def test_old_hash_parameters_are_upgraded_at_sign_in(
    monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    create_user(engine, "dee", PASSWORD)  # the cheap test parameters
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=2, memory_cost=2048))
    assert authenticate(engine, "dee", PASSWORD) is not None
    assert "$m=2048,t=2," in _stored_hash(engine, "dee")  # type: ignore[operator]
    assert authenticate(engine, "dee", PASSWORD) is not None


def test_duplicate_username_is_refused(engine: Engine) -> None:
    create_user(engine, "eve", PASSWORD)
    with pytest.raises(DuplicateUserError, match="taken"):
        create_user(engine, "eve", "another password")
    assert [u.username for u in list_users(engine)] == ["eve"]


@pytest.mark.parametrize("password", ["", "   ", "short", "x" * 1025])
def test_weak_passwords_are_refused(engine: Engine, password: str) -> None:
    with pytest.raises(WeakPasswordError):
        create_user(engine, "fay", password)
    assert get_user(engine, "fay") is None


@pytest.mark.parametrize("username", ["", "  ", "two words", "tab\there", "nul\x00", "x" * 255])
def test_bad_usernames_are_refused(engine: Engine, username: str) -> None:
    with pytest.raises(AccountError):
        create_user(engine, username, PASSWORD)


def test_roles_and_set_role(engine: Engine) -> None:
    trainee = create_user(engine, "gus", PASSWORD)
    faculty = create_user(engine, "hal", PASSWORD, role="faculty")
    admin = create_user(engine, "ida", PASSWORD, role="admin")
    assert (trainee.role, faculty.role, admin.role) == ("trainee", "faculty", "admin")
    assert [can_view_cohort(u) for u in (None, trainee, faculty, admin)] == [
        False,
        False,
        True,
        True,
    ]
    promoted = set_role(engine, "gus", "faculty")
    assert promoted.role == "faculty" and promoted.id == trainee.id
    assert get_user_by_id(engine, trainee.id) == promoted
    assert authenticate(engine, "gus", PASSWORD) == promoted


def test_set_role_refuses_bad_roles_and_unknown_users(engine: Engine) -> None:
    create_user(engine, "jo", PASSWORD)
    with pytest.raises(AccountError, match="unknown role"):
        set_role(engine, "jo", "superuser")  # type: ignore[arg-type]
    with pytest.raises(AccountError, match="unknown role"):
        create_user(engine, "kai", PASSWORD, role="root")  # type: ignore[arg-type]
    with pytest.raises(UnknownUserError):
        set_role(engine, "nobody", "admin")
    assert get_user(engine, "jo").role == "trainee"  # type: ignore[union-attr]


def test_oidc_user_is_created_once_as_a_trainee(engine: Engine) -> None:
    first = get_or_create_oidc_user(engine, "Lee.Chan@Hospital.example", "Lee Chan")
    assert (first.username, first.display_name, first.role) == (
        "lee.chan@hospital.example",
        "Lee Chan",
        "trainee",
    )
    assert _stored_hash(engine, first.username) is None
    again = get_or_create_oidc_user(engine, "lee.chan@hospital.example", "Dr Lee Chan")
    assert again.id == first.id and again.display_name == "Dr Lee Chan"
    set_role(engine, first.username, "faculty")  # an admin promotes them
    assert get_or_create_oidc_user(engine, "lee.chan@hospital.example", None).role == "faculty"
    # no password: password sign-in never reaches an OIDC account
    assert authenticate(engine, first.username, "") is None
    assert authenticate(engine, first.username, PASSWORD) is None


def test_oidc_does_not_take_over_a_password_account(engine: Engine) -> None:
    create_user(engine, "mo@hospital.example", PASSWORD, role="admin")
    with pytest.raises(AccountError, match="password account"):
        get_or_create_oidc_user(engine, "mo@hospital.example", "Mo")
    with pytest.raises(AccountError):
        get_or_create_oidc_user(engine, "not-an-email", "X")


def test_an_oidc_trainee_is_put_in_a_cohort_and_faculty_then_see_them(engine: Engine) -> None:
    from atlas_app.storage.quiz_store import cohort_answers, record_answer, start_session

    fay = create_user(engine, "fay", PASSWORD, role="faculty", cohort="2026")
    lee = get_or_create_oidc_user(engine, "lee@hospital.example", "Lee")
    assert lee.cohort is None
    sid = start_session(engine, lee.id, ["nerves"], 1, 1)
    record_answer(
        engine, session_id=sid, user_id=lee.id, item_id="q1", topic="nerves", seed=1,
        response="o1", correct=True, score=1.0,
    )  # fmt: skip
    assert cohort_answers(engine, fay.id) == [], "not in fay's cohort yet"
    assert set_cohort(engine, "lee@hospital.example", " 2026 ").cohort == "2026"
    assert [a.username for a in cohort_answers(engine, fay.id)] == ["lee@hospital.example"]
    assert get_or_create_oidc_user(engine, "lee@hospital.example", "Lee").cohort == "2026"
    assert set_cohort(engine, "lee@hospital.example", "").cohort is None
    assert set_cohort(engine, "lee@hospital.example", None).cohort is None
    with pytest.raises(UnknownUserError):
        set_cohort(engine, "nobody", "2026")
    with pytest.raises(AccountError):
        set_cohort(engine, "fay", "x" * 10_000)
    assert get_user(engine, "fay").cohort == "2026"  # type: ignore[union-attr]


def test_set_cohort_from_the_command_line(db_url: str) -> None:
    """``users set-cohort`` run as an admin would (a subprocess), and its failures."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from atlas_app.storage.db import make_engine

    engine = make_engine(db_url)
    try:
        get_or_create_oidc_user(engine, "lee@hospital.example", "Lee")

        def users(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "atlas_app", "users", *args],
                capture_output=True, text=True, env={**os.environ, "DATABASE_URL": db_url},
                cwd=Path(__file__).resolve().parents[2], timeout=120, check=False,
            )  # fmt: skip

        done = users("set-cohort", "lee@hospital.example", "PGY2")
        assert done.returncode == 0, done.stderr
        assert "lee@hospital.example is now in cohort PGY2" in done.stdout
        assert get_user(engine, "lee@hospital.example").cohort == "PGY2"  # type: ignore[union-attr]
        done = users("set-cohort", "lee@hospital.example", "")
        assert done.returncode == 0 and "in no cohort" in done.stdout
        assert get_user(engine, "lee@hospital.example").cohort is None  # type: ignore[union-attr]
        done = users("set-cohort", "nobody", "PGY2")
        assert done.returncode != 0 and "Traceback" not in done.stderr
        assert "no user named 'nobody'" in done.stderr
    finally:
        engine.dispose()
