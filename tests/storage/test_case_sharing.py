"""case_sharing: who a case is shared with, for its owner only."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from atlas_app.cases.model import Case
from atlas_app.storage import case_store as store
from atlas_app.storage.accounts import create_user

PASSWORD = "sacral ala 2026"


def test_owner_sees_cohort_and_named_people(engine: Engine) -> None:
    fac = create_user(engine, "fac", PASSWORD, role="faculty", cohort="2026")
    co = create_user(engine, "co", PASSWORD, role="faculty", display_name="Co Editor")
    ana = create_user(engine, "ana", PASSWORD, display_name="Ana", cohort="2026")
    stored = store.create_case(engine, fac.id, Case(title="Leak"))
    nobody = store.case_sharing(engine, fac.id, stored.id)
    assert (nobody.with_cohort, nobody.cohort, nobody.members) == (False, "2026", ())
    store.set_cohort_sharing(engine, fac.id, stored.id, True)
    store.add_coeditor(engine, fac.id, stored.id, co.id)
    store.share_case(engine, fac.id, stored.id, ana.id)
    sharing = store.case_sharing(engine, fac.id, stored.id)
    assert sharing.with_cohort
    assert [(p.username, can_edit) for p, can_edit in sharing.members] == [
        ("ana", False),
        ("co", True),
    ]
    store.unshare_case(engine, fac.id, stored.id, co.id)
    assert [p.username for p, _ in store.case_sharing(engine, fac.id, stored.id).members] == ["ana"]
    for other in (co, ana):  # a reader or a (former) co-editor may not see the list
        with pytest.raises(store.CaseAccessError):
            store.case_sharing(engine, other.id, stored.id)
