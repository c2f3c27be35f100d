"""Case store: ownership, sharing, co-editing and version conflicts (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect

from atlas_app.cases.model import Case, TextSlide
from atlas_app.storage import case_store as store
from atlas_app.storage.accounts import User, create_user
from atlas_app.storage.db import (
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    upgrade,
)

PASSWORD = "sacral ala 2026"


@pytest.fixture
def people(engine: Engine) -> dict[str, User]:
    return {
        "fac": create_user(engine, "fac", PASSWORD, role="faculty", cohort="2026"),
        "co": create_user(engine, "co", PASSWORD, role="faculty", cohort="2027"),
        "ana": create_user(engine, "ana", PASSWORD, cohort="2026"),
        "cy": create_user(engine, "cy", PASSWORD, cohort="2027"),
    }


def test_owner_creates_reads_and_lists(engine: Engine, people: dict[str, User]) -> None:
    stored = store.create_case(engine, people["fac"].id, Case(title="Leak"))
    assert stored.version == 1 and stored.is_owner
    again = store.get_case(engine, people["fac"].id, stored.id)
    assert again.case.title == "Leak"
    assert [(c.id, c.access) for c in store.list_cases_for(engine, people["fac"].id)] == [
        (stored.id, "owner")
    ]


def test_trainee_cannot_create(engine: Engine, people: dict[str, User]) -> None:
    with pytest.raises(store.CaseAccessError):
        store.create_case(engine, people["ana"].id, Case(title="Mine"))


def test_unshared_case_is_invisible_to_trainees(engine: Engine, people: dict[str, User]) -> None:
    stored = store.create_case(engine, people["fac"].id, Case(title="Leak"))
    with pytest.raises(store.CaseAccessError):
        store.get_case(engine, people["ana"].id, stored.id)
    assert store.list_cases_for(engine, people["ana"].id) == []


def test_cohort_sharing_is_read_only(engine: Engine, people: dict[str, User]) -> None:
    stored = store.create_case(engine, people["fac"].id, Case(title="Leak"))
    store.set_cohort_sharing(engine, people["fac"].id, stored.id, True)
    seen = store.get_case(engine, people["ana"].id, stored.id)
    assert not seen.can_edit
    assert [c.access for c in store.list_cases_for(engine, people["ana"].id)] == ["read-only"]
    with pytest.raises(store.CaseAccessError):
        store.get_case(engine, people["cy"].id, stored.id)  # another cohort
    with pytest.raises(store.CaseAccessError):
        store.save_case(engine, people["ana"].id, stored.id, Case(title="Mine now"), 1)
    assert store.get_case(engine, people["fac"].id, stored.id).case.title == "Leak"


def test_named_reader_and_unshare(engine: Engine, people: dict[str, User]) -> None:
    stored = store.create_case(engine, people["fac"].id, Case(title="Leak"))
    store.share_case(engine, people["fac"].id, stored.id, people["cy"].id)
    assert store.get_case(engine, people["cy"].id, stored.id).case.title == "Leak"
    store.unshare_case(engine, people["fac"].id, stored.id, people["cy"].id)
    with pytest.raises(store.CaseAccessError):
        store.get_case(engine, people["cy"].id, stored.id)


def test_coeditor_edits_but_cannot_manage(engine: Engine, people: dict[str, User]) -> None:
    stored = store.create_case(engine, people["fac"].id, Case(title="Leak"))
    with pytest.raises(store.CaseAccessError):
        store.save_case(engine, people["co"].id, stored.id, Case(title="X"), 1)
    store.add_coeditor(engine, people["fac"].id, stored.id, people["co"].id)
    saved = store.save_case(engine, people["co"].id, stored.id, Case(title="Leak, revised"), 1)
    assert saved.version == 2 and saved.can_edit and not saved.is_owner
    with pytest.raises(store.CaseAccessError):
        store.delete_case(engine, people["co"].id, stored.id)
    with pytest.raises(store.CaseAccessError):
        store.share_case(engine, people["co"].id, stored.id, people["ana"].id)
    with pytest.raises(store.CaseAccessError):
        store.add_coeditor(engine, people["fac"].id, stored.id, people["ana"].id)  # a trainee


def test_second_save_with_same_version_is_refused(engine: Engine, people: dict[str, User]) -> None:
    stored = store.create_case(engine, people["fac"].id, Case(title="Leak"))
    store.add_coeditor(engine, people["fac"].id, stored.id, people["co"].id)
    mine = Case(title="Leak", slides=(TextSlide(title="Owner's slide"),))
    theirs = Case(title="Leak", slides=(TextSlide(title="Co-editor's slide"),))
    store.save_case(engine, people["co"].id, stored.id, theirs, 1)
    with pytest.raises(store.VersionConflict) as info:
        store.save_case(engine, people["fac"].id, stored.id, mine, 1)
    assert info.value.version == 2
    assert info.value.saved_by == "co"
    assert info.value.case.slides[0].title == "Co-editor's slide"
    kept = store.get_case(engine, people["fac"].id, stored.id)
    assert kept.version == 2 and kept.case.slides[0].title == "Co-editor's slide"
    # reloading and saving over the new version works
    assert store.save_case(engine, people["fac"].id, stored.id, mine, 2).version == 3


def test_owner_deletes(engine: Engine, people: dict[str, User]) -> None:
    stored = store.create_case(engine, people["fac"].id, Case(title="Leak"))
    store.share_case(engine, people["fac"].id, stored.id, people["ana"].id)
    store.delete_case(engine, people["fac"].id, stored.id)
    with pytest.raises(store.CaseAccessError):
        store.get_case(engine, people["fac"].id, stored.id)
    assert store.list_cases_for(engine, people["ana"].id) == []


def test_migration_upgrades_an_existing_database(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        owner = create_user(engine, "old", PASSWORD, role="faculty")
        downgrade(engine, "0001")
        assert "cases" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert {"cases", "case_members", "users"} <= set(inspect(engine).get_table_names())
        store.create_case(engine, owner.id, Case(title="After upgrade"))
        assert [c.title for c in store.list_cases_for(engine, owner.id)] == ["After upgrade"]
    finally:
        engine.dispose()
