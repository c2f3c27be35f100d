"""Access follows the store, under AppTest (issue 16): a role, cohort, sharing or activity
changed while a session is open counts at that session's next click, with a clear message,
and a refused write stores nothing. The changes are made the way an admin makes them (the
store's functions, as ``python -m atlas_app users ...`` does) between two runs of the page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from atlas_app.cases.model import Case, TextSlide
from atlas_app.ui.case_editor import widget_key
from atlas_app.ui.state import ACCOUNT_SIGNED_OUT_NOTICE as NOTICE_KEY
from atlas_app.ui.state import ACCOUNT_USER as USER_KEY
from atlas_app.ui.state import CASE_OPEN

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "atlas_app" / "streamlit_app.py"
PAGES = ROOT / "atlas_app" / "app_pages"
TIMEOUT = 180


def _page(name: str, user, **query) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=TIMEOUT)
    if user is not None:
        at.session_state[USER_KEY] = user
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    return "\n".join(
        e.value for e in [*at.error, *at.warning, *at.info, *at.success, *at.text, *at.markdown]
    )


def _case_titles(engine, user) -> list[str]:
    from atlas_app.storage import case_store

    return [c.title for c in case_store.list_cases_for(engine, user.id)]


def test_faculty_demoted_mid_session_cannot_create_a_case(store) -> None:
    engine, users = store
    from atlas_app.storage.accounts import set_role

    at = _page("cases", users["fay"])
    new_case = next(b for b in at.button if b.label == "New case")
    set_role(engine, "fay", "trainee")  # after the page was drawn, before the click
    new_case.click().run()
    assert not at.exception
    assert any("only faculty build cases" in e.value for e in at.error), _text(at)
    assert _case_titles(engine, users["fay"]) == [], "nothing was stored"
    assert not [b for b in at.button if b.label == "New case"], "the page now draws a trainee's"
    assert any(s.value == "Shared with me" for s in at.subheader)


def test_coeditor_demoted_mid_session_cannot_save(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store
    from atlas_app.storage.accounts import set_role

    fay, gus = users["fay"], users["gus"]
    stored = case_store.create_case(
        engine, fay.id, Case(title="Joint", slides=(TextSlide(title="One"),))
    )
    case_store.add_coeditor(engine, fay.id, stored.id, gus.id)
    at = _page("cases", gus, case=str(stored.id))
    title = at.text_input(key=widget_key(stored.id, "case", "title"))
    assert title.value == "Joint"
    set_role(engine, "gus", "trainee")
    title.input("Joint, edited by a trainee").run()
    assert not at.exception
    assert any("Not saved" in e.value and "trainee" in e.value for e in at.error), _text(at)
    kept = case_store.get_case(engine, fay.id, stored.id)
    assert (kept.version, kept.case.title) == (stored.version, "Joint"), "nothing was stored"
    assert any("Read-only" in c.value for c in at.caption), "the case is now read-only for gus"


def test_an_unshared_case_closes_at_the_next_click(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    fay, tina = users["fay"], users["tina"]
    stored = case_store.create_case(
        engine, fay.id, Case(title="Shared for now", summary="A summary to read.")
    )
    case_store.share_case(engine, fay.id, stored.id, tina.id)
    at = _page("cases", tina, case=str(stored.id))
    assert "A summary to read." in _text(at)
    case_store.unshare_case(engine, fay.id, stored.id, tina.id)
    at.run()
    assert not at.exception
    assert any("not shared with you" in e.value for e in at.error)
    assert "A summary to read." not in _text(at), "the case is no longer shown"
    assert CASE_OPEN not in at.session_state, "the case was closed"


def test_present_refuses_a_case_unshared_mid_session(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store

    fay, tina = users["fay"], users["tina"]
    stored = case_store.create_case(
        engine, fay.id, Case(title="Talk", slides=(TextSlide(title="Hello", body="Body"),))
    )
    case_store.share_case(engine, fay.id, stored.id, tina.id)
    at = _page("present", tina, case=str(stored.id))
    assert any(t.value == "Talk" for t in at.title), "Present opens at the title slide"
    case_store.unshare_case(engine, fay.id, stored.id, tina.id)
    at.run()
    assert not at.exception
    assert any("not shared with you" in e.value for e in at.error)
    assert not at.header and not any(t.value == "Talk" for t in at.title)


def test_a_trainee_moved_to_another_cohort_loses_the_old_cohorts_case(store) -> None:
    engine, users = store
    from atlas_app.storage import case_store
    from atlas_app.storage.accounts import set_cohort

    fay, tina = users["fay"], users["tina"]
    stored = case_store.create_case(engine, fay.id, Case(title="For 2026", summary="Cohort text"))
    case_store.set_cohort_sharing(engine, fay.id, stored.id, True)
    at = _page("cases", tina, case=str(stored.id))
    assert "Cohort text" in _text(at)
    set_cohort(engine, "tina", "2027")
    at.run()
    assert not at.exception
    assert any("not shared with you" in e.value for e in at.error)
    assert "Cohort text" not in _text(at)
    assert not any("For 2026" in t.value for t in at.text), "not in the list either"


def test_a_deactivated_account_is_signed_out_at_its_next_click(store) -> None:
    engine, users = store
    from atlas_app.storage.accounts import set_active

    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state[USER_KEY] = users["tina"]
    at.switch_page("app_pages/progress.py")
    at.run()
    assert any(t.value == "Signed in as tina" for t in at.text)
    set_active(engine, "tina", False)
    at.run()
    assert not at.exception
    assert USER_KEY not in at.session_state
    assert "deactivated or removed" in at.session_state[NOTICE_KEY]
    assert any("deactivated or removed" in w.value for w in at.warning)
    assert any(b.label == "Sign in" for b in at.button), "the sign-in form is back"


def test_the_role_shown_follows_the_store(store) -> None:
    engine, users = store
    from atlas_app.storage.accounts import set_role

    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state[USER_KEY] = users["fay"]
    at.switch_page("app_pages/about.py")
    at.run()
    assert any(c.value == "Role: faculty" for c in at.caption)
    set_role(engine, "fay", "trainee")
    at.run()
    assert not at.exception
    assert any(c.value == "Role: trainee" for c in at.caption)
    assert at.session_state[USER_KEY].role == "trainee"


def test_anki_decks_are_for_signed_in_accounts(store) -> None:
    """README: anyone signed in may export a topic's deck; a guest is asked to sign in."""
    _, users = store
    guest = _page("quiz", None)
    assert not [b for b in guest.button if b.label == "Build the deck"]
    assert any("Sign in to export a topic as an Anki deck" in c.value for c in guest.caption)
    for name in ("tina", "fay"):
        signed_in = _page("quiz", users[name])
        assert [b for b in signed_in.button if b.label == "Build the deck"], name


# --- Sign-in throttling and the admin page -------------------------------------------------


def _sign_in(at: AppTest, username: str, password: str) -> None:
    at.text_input(key="account.sign_in.username").input(username)
    at.text_input(key="account.sign_in.password").input(password)
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    assert not at.exception, at.exception


def test_twenty_wrong_passwords_then_the_right_one_is_refused(store) -> None:
    from atlas_app.storage import signin
    from atlas_app.ui.account import escape_markdown

    wrong, try_later = escape_markdown(signin.WRONG), escape_markdown(signin.TRY_LATER)

    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("app_pages/about.py")
    at.run()
    shown = []
    for _ in range(20):
        _sign_in(at, "tina", "not her password")
        shown.append(next(e.value for e in at.error))
    assert shown[:3] == [wrong] * 3 and shown[-1] == try_later
    assert set(shown) == {wrong, try_later}
    _sign_in(at, "tina", "correct horse 1")  # her password, during the lock
    assert USER_KEY not in at.session_state
    assert [e.value for e in at.error] == [try_later], "no word of why beyond 'later'"
    # An unknown username gets the very same answers.
    other = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    other.switch_page("app_pages/about.py")
    other.run()
    _sign_in(other, "nobody-at-all", "whatever it is")
    assert [e.value for e in other.error] == [try_later], "this client is held too"


def test_the_admin_page_shows_failures_and_unlocks(store) -> None:
    engine, users = store
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.signin import sign_in

    ada = create_user(engine, "ada", "correct horse 8", role="admin")
    for _ in range(12):
        sign_in(engine, "tina", "not her password", "10.4.4.4")
    for user in (None, users["fay"], users["tina"]):  # by URL: refused before anything is read
        page = _page("admin", user)
        assert any("for admins" in e.value for e in page.error)
        assert not page.dataframe and not page.get("download_button")
    at = _page("admin", ada)
    held = [t.value for t in at.text if t.value.startswith("account: tina")]
    assert held and "locked until" in held[0]
    failures = at.dataframe[1].value
    assert len(failures) == 12 and set(failures["Username typed"]) == {"tina"}
    assert set(failures["Client"]) == {"10.4.4.4"}
    at.button(key="admin.unlock.account.tina").click().run()
    assert not at.exception
    assert any("Unlocked" in s.value for s in at.success)
    assert not [t for t in at.text if t.value.startswith("account: tina")]
    assert sign_in(engine, "tina", "correct horse 1", "10.5.5.5").user is not None
    trail = at.dataframe[2].value
    assert (trail["What"].iloc[0], trail["Who"].iloc[0]) == ("sign-in throttle lifted", "ada")
    assert at.get("download_button"), "the trail as CSV"


def test_an_admin_changes_a_role_and_the_trail_says_so(store) -> None:
    engine, users = store
    from atlas_app.storage.accounts import create_user, get_user

    ada = create_user(engine, "ada", "correct horse 8", role="admin")
    at = _page("admin", ada)
    at.selectbox(key="admin.account").set_value("gus").run()
    prefix = f"admin.edit.{users['gus'].id}"
    at.selectbox(key=f"{prefix}.role").set_value("trainee")
    at.text_input(key=f"{prefix}.cohort").input("2027")
    next(b for b in at.button if b.label == "Save changes").click().run()
    assert not at.exception
    assert any("Saved" in s.value for s in at.success)
    gus = get_user(engine, "gus")
    assert gus is not None and (gus.role, gus.cohort) == ("trainee", "2027")
    trail = at.dataframe[2].value
    assert list(trail["Detail"])[:2] == ["2026 → 2027", "faculty → trainee"]
    assert set(list(trail["Who"])[:2]) == {"ada"}
