"""Authorisation follows the store at the moment of each action (issue 16), on SQLite and
PostgreSQL: the store functions take the acting account's id and re-read its role, cohort and
activity, and the case's sharing, inside their own transaction. A change made since sign-in
(by ``users set-role`` / ``set-cohort``, an unshare, a deactivation) counts at the next call,
and a refused write stores nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from atlas_app.cases.model import Case
from atlas_app.storage import case_store as store
from atlas_app.storage import quiz_store
from atlas_app.storage.access import SignedOutError
from atlas_app.storage.accounts import (
    User,
    authenticate,
    create_user,
    current_account,
    may_export_decks,
    set_active,
    set_cohort,
    set_role,
)
from atlas_app.storage.models import CaseRecord, UserRecord

PASSWORD = "sacral ala 2026"


@pytest.fixture
def people(engine: Engine) -> dict[str, User]:
    return {
        "fay": create_user(engine, "fay", PASSWORD, role="faculty", cohort="2026"),
        "gus": create_user(engine, "gus", PASSWORD, role="faculty", cohort="2026"),
        "tina": create_user(engine, "tina", PASSWORD, cohort="2026"),
    }


def _case_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(CaseRecord)) or 0)


def test_demoted_faculty_cannot_create_and_nothing_is_stored(
    engine: Engine, people: dict[str, User]
) -> None:
    fay = people["fay"]
    store.create_case(engine, fay.id, Case(title="Before"))
    set_role(engine, "fay", "trainee")  # the page still holds fay as faculty
    with pytest.raises(store.CaseAccessError, match="trainee"):
        store.create_case(engine, fay.id, Case(title="After"))
    assert _case_count(engine) == 1
    assert [c.title for c in store.list_cases_for(engine, fay.id)] == ["Before"]


def test_demoted_owner_keeps_reading_but_cannot_save_share_or_delete(
    engine: Engine, people: dict[str, User]
) -> None:
    fay, tina = people["fay"], people["tina"]
    stored = store.create_case(engine, fay.id, Case(title="Leak"))
    set_role(engine, "fay", "trainee")
    seen = store.get_case(engine, fay.id, stored.id)
    assert not seen.can_edit and not seen.is_owner
    with pytest.raises(store.CaseAccessError):
        store.save_case(engine, fay.id, stored.id, Case(title="Changed"), stored.version)
    with pytest.raises(store.CaseAccessError):
        store.share_case(engine, fay.id, stored.id, tina.id)
    with pytest.raises(store.CaseAccessError):
        store.delete_case(engine, fay.id, stored.id)
    set_role(engine, "fay", "faculty")  # promoted again: all of it comes back
    saved = store.save_case(engine, fay.id, stored.id, Case(title="Changed"), stored.version)
    assert saved.version == stored.version + 1


def test_demoted_coeditor_cannot_save_and_the_version_stays(
    engine: Engine, people: dict[str, User]
) -> None:
    fay, gus = people["fay"], people["gus"]
    stored = store.create_case(engine, fay.id, Case(title="Joint"))
    store.add_coeditor(engine, fay.id, stored.id, gus.id)
    saved = store.save_case(engine, gus.id, stored.id, Case(title="Joint, v2"), 1)
    set_role(engine, "gus", "trainee")
    with pytest.raises(store.CaseAccessError):
        store.save_case(engine, gus.id, stored.id, Case(title="Joint, by a trainee"), 2)
    kept = store.get_case(engine, fay.id, stored.id)
    assert (kept.version, kept.case.title, kept.updated_by) == (saved.version, "Joint, v2", gus.id)
    assert [c.access for c in store.list_cases_for(engine, gus.id)] == ["read-only"]


def test_unshared_case_is_refused_at_the_next_read(engine: Engine, people: dict[str, User]) -> None:
    fay, tina = people["fay"], people["tina"]
    stored = store.create_case(engine, fay.id, Case(title="Leak"))
    store.share_case(engine, fay.id, stored.id, tina.id)
    assert store.get_case(engine, tina.id, stored.id).case.title == "Leak"
    store.unshare_case(engine, fay.id, stored.id, tina.id)
    with pytest.raises(store.CaseAccessError):
        store.get_case(engine, tina.id, stored.id)
    assert store.list_cases_for(engine, tina.id) == []


def test_a_trainee_moved_to_another_cohort_loses_the_old_cohorts_case(
    engine: Engine, people: dict[str, User]
) -> None:
    fay, tina = people["fay"], people["tina"]
    stored = store.create_case(engine, fay.id, Case(title="Cohort 2026 case"))
    store.set_cohort_sharing(engine, fay.id, stored.id, True)
    assert store.get_case(engine, tina.id, stored.id).case.title == "Cohort 2026 case"
    set_cohort(engine, "tina", "2027")
    with pytest.raises(store.CaseAccessError):
        store.get_case(engine, tina.id, stored.id)
    assert store.list_cases_for(engine, tina.id) == []
    set_cohort(engine, "fay", "2027")  # the owner's cohort counts as stored now too
    assert store.get_case(engine, tina.id, stored.id).case.title == "Cohort 2026 case"


def test_a_deactivated_account_can_do_nothing_and_cannot_sign_in(
    engine: Engine, people: dict[str, User]
) -> None:
    fay, tina = people["fay"], people["tina"]
    stored = store.create_case(engine, fay.id, Case(title="Leak"))
    sid = quiz_store.start_session(engine, tina.id, ["nerves"], 2, 1)
    set_active(engine, "fay", False)
    set_active(engine, "tina", False)
    assert current_account(engine, fay.id) is None
    assert authenticate(engine, "fay", PASSWORD) is None
    for call in (
        lambda: store.create_case(engine, fay.id, Case(title="X")),
        lambda: store.get_case(engine, fay.id, stored.id),
        lambda: store.list_cases_for(engine, fay.id),
        lambda: store.save_case(engine, fay.id, stored.id, Case(title="X"), 1),
        lambda: store.delete_case(engine, fay.id, stored.id),
    ):
        with pytest.raises(store.CaseAccessError, match="no longer active"):
            call()
    with pytest.raises(SignedOutError):
        quiz_store.record_answer(
            engine, session_id=sid, user_id=tina.id, item_id="q1", topic="nerves",
            seed=1, response="a", correct=True, score=1.0,
        )  # fmt: skip
    with pytest.raises(SignedOutError):
        quiz_store.start_session(engine, tina.id, ["nerves"], 2, 1)
    with pytest.raises(SignedOutError):
        quiz_store.cohort_answers(engine, fay.id)
    assert quiz_store.user_answers(engine, tina.id) == []
    set_active(engine, "fay", True)
    assert authenticate(engine, "fay", PASSWORD) is not None
    assert store.get_case(engine, fay.id, stored.id).is_owner


def test_a_deleted_account_is_no_longer_current(engine: Engine, people: dict[str, User]) -> None:
    tina = people["tina"]
    with Session(engine) as session, session.begin():
        session.execute(delete(UserRecord).where(UserRecord.id == tina.id))
    assert current_account(engine, tina.id) is None
    with pytest.raises(SignedOutError):
        quiz_store.start_session(engine, tina.id, ["nerves"], 2, 1)


def test_sharing_with_a_deactivated_or_demoted_person_is_refused(
    engine: Engine, people: dict[str, User]
) -> None:
    fay, gus, tina = people["fay"], people["gus"], people["tina"]
    stored = store.create_case(engine, fay.id, Case(title="Leak"))
    set_active(engine, "tina", False)
    with pytest.raises(store.CaseAccessError):
        store.share_case(engine, fay.id, stored.id, tina.id)
    set_role(engine, "gus", "trainee")  # the owner's list was drawn when gus was faculty
    with pytest.raises(store.CaseAccessError, match="faculty"):
        store.add_coeditor(engine, fay.id, stored.id, gus.id)
    assert store.case_sharing(engine, fay.id, stored.id).members == ()


def test_cohort_answers_follow_the_viewers_cohort_now(
    engine: Engine, people: dict[str, User]
) -> None:
    fay, tina = people["fay"], people["tina"]
    sid = quiz_store.start_session(engine, tina.id, ["nerves"], 1, 1)
    quiz_store.record_answer(
        engine, session_id=sid, user_id=tina.id, item_id="q1", topic="nerves",
        seed=1, response="a", correct=True, score=1.0,
    )  # fmt: skip
    assert [a.username for a in quiz_store.cohort_answers(engine, fay.id)] == ["tina"]
    set_cohort(engine, "fay", "2027")  # fay now teaches 2027
    assert quiz_store.cohort_answers(engine, fay.id) == []
    with pytest.raises(PermissionError):
        quiz_store.cohort_answers(engine, fay.id, "2026")


def test_who_may_export_decks(people: dict[str, User]) -> None:
    assert not may_export_decks(None)
    assert all(may_export_decks(u) for u in people.values())
    inactive = User(id=9, username="x", display_name="x", role="faculty", cohort=None, active=False)
    assert not may_export_decks(inactive)
