"""The audit trail (issue 16), on SQLite and PostgreSQL: role, cohort and activity changes,
shares, unshares and deletions are recorded with who, when and what, in the same transaction
as the change; admins read it (a list, or CSV), nobody else does."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import Engine

from atlas_app.cases.model import Case
from atlas_app.storage import case_store
from atlas_app.storage.access import AccessDenied
from atlas_app.storage.accounts import User, create_user, get_user, set_active, set_cohort, set_role
from atlas_app.storage.audit import ACTIONS, audit_csv, audit_events, command_line

PASSWORD = "sacral ala 2026"


@pytest.fixture
def people(engine: Engine) -> dict[str, User]:
    return {
        "ada": create_user(engine, "ada", PASSWORD, role="admin"),
        "fay": create_user(engine, "fay", PASSWORD, role="faculty", cohort="2026"),
        "gus": create_user(engine, "gus", PASSWORD, role="faculty", cohort="2026"),
        "tina": create_user(engine, "tina", PASSWORD, cohort="2026"),
    }


def _trail(engine: Engine, admin: User) -> list[tuple[str, str, str, str]]:
    """(actor, action, target, detail), oldest first."""
    return [
        (e.actor, e.action, e.target, e.detail) for e in reversed(audit_events(engine, admin.id))
    ]


def test_account_changes_name_who_what_and_when(engine: Engine, people: dict[str, User]) -> None:
    ada = people["ada"]
    set_role(engine, "tina", "faculty", by=ada.id)
    set_cohort(engine, "tina", "2027", by=ada.id)
    set_active(engine, "tina", False)  # from the command line
    set_role(engine, "tina", "faculty", by=ada.id)  # no change: nothing to record
    assert _trail(engine, ada) == [
        ("ada", "role", "tina", "trainee → faculty"),
        ("ada", "cohort", "tina", "2026 → 2027"),
        (command_line(), "active", "tina", "active → deactivated"),
    ]
    events = audit_events(engine, ada.id)
    assert all(e.at.tzinfo is not None for e in events)
    assert {e.actor_id for e in events} == {ada.id, None}


def test_only_an_admin_changes_accounts_from_the_app(
    engine: Engine, people: dict[str, User]
) -> None:
    ada, fay = people["ada"], people["fay"]
    with pytest.raises(AccessDenied):
        set_role(engine, "tina", "admin", by=fay.id)
    assert get_user(engine, "tina").role == "trainee"  # type: ignore[union-attr]
    with pytest.raises(AccessDenied, match="own account"):
        set_role(engine, "ada", "trainee", by=ada.id)
    with pytest.raises(AccessDenied, match="own account"):
        set_active(engine, "ada", False, by=ada.id)
    assert _trail(engine, ada) == [], "refused changes are not recorded"
    set_role(engine, "fay", "admin", by=ada.id)
    set_role(engine, "ada", "faculty", by=people["fay"].id)  # another admin may
    assert get_user(engine, "ada").role == "faculty"  # type: ignore[union-attr]


def test_case_sharing_and_deletion_are_recorded(engine: Engine, people: dict[str, User]) -> None:
    ada, fay, gus, tina = people["ada"], people["fay"], people["gus"], people["tina"]
    stored = case_store.create_case(engine, fay.id, Case(title="Leak"))
    case_store.share_case(engine, fay.id, stored.id, tina.id)
    case_store.share_case(engine, fay.id, stored.id, tina.id)  # already: nothing new
    case_store.add_coeditor(engine, fay.id, stored.id, gus.id)
    case_store.set_cohort_sharing(engine, fay.id, stored.id, True)
    case_store.unshare_case(engine, fay.id, stored.id, tina.id)
    case_store.unshare_case(engine, fay.id, stored.id, tina.id)  # not on it: nothing
    with pytest.raises(case_store.CaseAccessError):
        case_store.delete_case(engine, gus.id, stored.id)  # a co-editor may not
    case_store.delete_case(engine, fay.id, stored.id)
    name = f"case {stored.id} “Leak”"
    assert _trail(engine, ada) == [
        ("fay", "share", name, "tina"),
        ("fay", "coeditor", name, "gus"),
        ("fay", "cohort_sharing", name, "shared with cohort 2026"),
        ("fay", "unshare", name, "tina (reader)"),
        ("fay", "delete_case", name, "version 1"),
    ]


def test_only_admins_read_the_trail(engine: Engine, people: dict[str, User]) -> None:
    set_role(engine, "tina", "faculty", by=people["ada"].id)
    for who in ("fay", "tina"):
        with pytest.raises(AccessDenied):
            audit_events(engine, people[who].id)
        with pytest.raises(AccessDenied):
            audit_csv(engine, people[who].id)
    set_role(engine, "ada", "faculty")  # demoted from the command line: reads no more
    with pytest.raises(AccessDenied):
        audit_events(engine, people["ada"].id)
    assert len(audit_events(engine, command_line())) == 2


def test_the_csv_has_every_event_and_no_formulas(engine: Engine, people: dict[str, User]) -> None:
    ada = people["ada"]
    empty = audit_csv(engine, ada.id)
    assert empty.splitlines() == ["id,at,actor,actor_id,action,target,detail,client"]
    create_user(engine, "=cmd|calc", PASSWORD)  # a username a spreadsheet would run
    set_role(engine, "=cmd|calc", "faculty", by=ada.id)
    for i in range(3):
        set_cohort(engine, "fay", f"c{i}", by=ada.id)
    rows = list(csv.DictReader(io.StringIO(audit_csv(engine, ada.id))))
    assert len(rows) == 4, "every event, not only a page of them"
    assert rows[-1]["target"] == "'=cmd|calc", "quoted as text"
    assert not any(v.startswith(("=", "+", "@")) for row in rows for v in row.values())
    assert rows[0]["at"].endswith("+00:00")
    only = list(csv.DictReader(io.StringIO(audit_csv(engine, ada.id, actions=("role",)))))
    assert [r["detail"] for r in only] == ["trainee → faculty"]


def test_every_action_is_explained() -> None:
    assert all(isinstance(text, str) and text for text in ACTIONS.values())
