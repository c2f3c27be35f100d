"""The quiz, progress and cohort pages under AppTest, with a throwaway SQLite store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.viewer_messages import viewer_header

APP = Path(__file__).resolve().parents[2] / "atlas_app" / "streamlit_app.py"
TIMEOUT = 300
OUR_PAGES = """    st.Page("app_pages/quiz.py", title="Quiz", url_path="quiz"),
    st.Page("app_pages/progress.py", title="Progress", url_path="progress"),
    st.Page("app_pages/cohort.py", title="Cohort", url_path="cohort"),
"""


@pytest.fixture(scope="module")
def entry() -> Iterator[Path]:
    """The app's entry script; until it lists the quiz pages, a copy that does (beside it,
    so that page paths resolve), removed afterwards."""
    source = APP.read_text()
    if "app_pages/quiz.py" in source:
        yield APP
        return
    marker = '    st.Page("app_pages/about.py"'
    assert marker in source
    copy = APP.with_name("_quiz_pages_test_entry.py")
    copy.write_text(source.replace(marker, OUR_PAGES + marker))
    try:
        yield copy
    finally:
        copy.unlink(missing_ok=True)


@pytest.fixture
def store(tmp_path, monkeypatch):
    """An empty SQLite store for the app (DATABASE_URL), with three users."""
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import dispose_engines, get_engine

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'quiz.sqlite3'}")
    dispose_engines()
    engine = get_engine()
    users = {
        "trainee": create_user(engine, "tina", "correct horse 1", cohort="2026"),
        "other": create_user(engine, "<b>bob</b>", "correct horse 2", cohort="2026"),
        "faculty": create_user(engine, "fay", "correct horse 3", role="faculty", cohort="2026"),
    }
    yield engine, users
    dispose_engines()


def run(entry: Path, page: str, user=None) -> AppTest:
    at = AppTest.from_file(str(entry), default_timeout=TIMEOUT)
    if user is not None:
        at.session_state["account.user"] = user
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


@pytest.fixture(scope="module")
def quiz_world(shipped_atlas):
    from atlas_app.approaches.loader import load_approaches
    from atlas_app.quiz.loader import load_quiz_bank

    return shipped_atlas, load_approaches(shipped_atlas), load_quiz_bank(shipped_atlas)


def current_item(at: AppTest, world):
    from atlas_app.quiz.session import ItemRef, make_item

    item_id, seed = at.session_state["quiz.plan"][at.session_state["quiz.index"]]
    return make_item(*world, ItemRef(item_id, seed))  # type: ignore[call-arg]


def put_in_order(at: AppTest, item, wanted: list[str]) -> None:
    """Press the Up buttons of the order item until its steps read ``wanted``."""
    key = f"{at.session_state['quiz.seed']}.{at.session_state['quiz.index']}"
    for target, cid in enumerate(wanted):
        while (now := list(at.session_state[f"quiz.order.{key}"])).index(cid) > target:
            at.button(key=f"quiz.up.{cid}.{key}").click()
            at.run()
            assert list(at.session_state[f"quiz.order.{key}"]).index(cid) == now.index(cid) - 1


def _answer_current(at: AppTest, world, right: bool = True) -> None:
    """Answer the item shown (rightly, or with the first option); skip a click item."""
    item = current_item(at, world)
    seed, index = at.session_state["quiz.seed"], at.session_state["quiz.index"]
    key = f"{seed}.{index}"
    if item.kind == "choice":
        at.radio(key=f"quiz.choice.{key}").set_value(
            item.answer[0] if right else item.choices[0].id
        )
    elif item.kind == "multi":
        for c in item.choices:
            if (c.id in item.answer) == right:
                at.checkbox(key=f"quiz.multi.{c.id}.{key}").check()
    elif item.kind == "order":
        put_in_order(at, item, list(item.answer) if right else [c.id for c in item.choices])
        next(b for b in at.button if b.key == f"quiz.check.{key}").click()
        at.run()
        return
    elif item.kind == "numeric":
        at.text_input(key=f"quiz.numeric.{key}").input(f"{item.value}" if right else "999")
    else:  # a click in the 3D view: what the viewer's pick callback keeps for the page
        wrong = [s for s in (item.pick.ids if item.pick else ()) if s != item.answer[0]]
        picked = item.answer[0] if right or not wrong else wrong[0]
        at.session_state[f"quiz.pick.{key}"] = picked
        at.run()
        return
    next(b for b in at.button if b.label == "Check").click()
    at.run()


def _start(at: AppTest, topics: list[str], length: int = 5) -> AppTest:
    at.multiselect(key="quiz.topics").set_value(topics)
    at.select_slider(key="quiz.length").set_value(length)
    at.number_input(key="quiz.replay").set_value(4242)
    at.button(key="quiz.start").click()
    return at.run()


def test_guest_takes_a_quiz_and_is_told_nothing_is_saved(entry, store, quiz_world):
    engine, _ = store
    at = run(entry, "quiz")
    assert not at.exception
    assert any("not saved" in i.value for i in at.info)
    at = _start(at, ["sacroplasty"])
    assert not at.exception
    assert any(m.value.startswith("##### ") for m in at.markdown), "an item's stem"
    _answer_current(at, quiz_world)
    assert not at.exception
    assert at.success, "the right answer is called right"
    assert any(m.value for m in at.markdown if "Sources" not in m.value)
    assert any(c.value.startswith("Sources: ") for c in at.caption)
    from atlas_app.storage.quiz_store import user_answers

    assert all(not user_answers(engine, u) for u in (1, 2, 3)), "a guest's answer is not stored"


def test_numeric_nonsense_gives_a_message_not_a_traceback(entry, store, quiz_world):
    at = run(entry, "quiz")
    at = _start(at, ["iliolumbar_vein"], length=10)
    for _ in range(10):
        numeric = [t for t in at.text_input if t.key and ".numeric." in t.key]
        if numeric:
            break
        _answer_current(at, quiz_world)
        nxt = [b for b in at.button if b.label in ("Next item", "See the score")]
        if not nxt:
            at = _start(at, ["iliolumbar_vein"], length=10)
            continue
        nxt[0].click()
        at.run()
    assert numeric, "the iliolumbar vein topic has estimates"
    numeric[0].input("<script>alert(1)</script>")
    next(b for b in at.button if b.label == "Check").click()
    at.run()
    assert not at.exception
    assert any("not a number" in w.value for w in at.warning)


def test_a_signed_in_trainee_has_each_answer_saved(entry, store, quiz_world):
    engine, users = store
    from atlas_app.storage.quiz_store import due_cards, user_answers

    at = run(entry, "quiz", users["trainee"])
    assert not at.exception and not any("not saved" in i.value for i in at.info)
    assert any(t.value == "Signed in as tina" for t in at.text)
    at = _start(at, ["sacroplasty"])
    answered = 0
    for n in range(5):
        _answer_current(at, quiz_world, right=n % 2 == 0)
        assert not at.exception
        if [*at.success, *at.error, *at.warning]:
            answered += 1
        nxt = [b for b in at.button if b.label in ("Next item", "See the score")]
        if not nxt:
            break
        nxt[0].click()
        at.run()
    rows = user_answers(engine, users["trainee"].id)
    assert len(rows) == answered >= 3
    assert {r.topic for r in rows} == {"sacroplasty"}
    from datetime import UTC, datetime, timedelta

    later = datetime.now(UTC) + timedelta(days=400)
    assert len(due_cards(engine, users["trainee"].id, later)) == len({r.item_id for r in rows})
    assert any("Your score" in m.value for m in at.markdown)


def test_sign_in_with_the_form(entry, store):
    at = run(entry, "quiz")
    at.text_input(key="account.sign_in.username").input("tina")
    at.text_input(key="account.sign_in.password").input("correct horse 1")
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    assert not at.exception
    assert at.session_state["account.user"].username == "tina"
    at2 = run(entry, "quiz")
    at2.text_input(key="account.sign_in.username").input("tina")
    at2.text_input(key="account.sign_in.password").input("wrong password")
    next(b for b in at2.button if b.label == "Sign in").click()
    at2.run()
    assert "account.user" not in at2.session_state
    assert any("Wrong username or password" in e.value for e in at2.error)


def test_progress_invites_guests_and_shows_a_trainees_own_answers(entry, store):
    engine, users = store
    at = run(entry, "progress")
    assert not at.exception
    assert any("Sign in" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    from atlas_app.storage.quiz_store import record_answer, start_session

    given = (("trainee", "retired_item"), ("trainee", "lst_width"), ("other", "double_l4"))
    for who, item in given:  # "retired_item": an answer to an item no longer in the bank
        sid = start_session(engine, users[who].id, ["lst_formation"], 1, 1)
        record_answer(
            engine, session_id=sid, user_id=users[who].id, item_id=item,
            topic="lst_formation", seed=1, response="o1", correct=True, score=1.0,
        )  # fmt: skip
    at = run(entry, "progress", users["trainee"])
    assert not at.exception
    assert {m.label for m in at.metric} >= {"Answers", "Streak", "Due now"}
    assert next(m for m in at.metric if m.label == "Answers").value == "2"
    assert len(at.get("plotly_chart")) == 2
    table = at.dataframe[0].value
    questions = sorted(table["Question"])
    assert len(questions) == 2, "only the trainee's own answers"
    assert questions[0].startswith(
        "In adult male cadavers, about how wide is the lumbosacral trunk"
    ), "a readable question, not the id"
    assert questions[1] == "retired_item", "an unknown id shows as itself"
    assert "Item id" not in table.columns, "no internal ids on the screen"


def test_cohort_refuses_guests_and_trainees(entry, store):
    """Through the app, /cohort is not in a trainee's navigation (it falls back to the atlas);
    the page itself, run directly, refuses too."""
    _, users = store
    for user in (None, users["trainee"]):
        at = run(entry, "cohort", user)
        assert not at.exception
        assert not any(t.value == "Cohort" for t in at.title)
        assert not at.get("download_button")
        cohort_page = str(APP.parent / "app_pages" / "cohort.py")
        page = AppTest.from_file(cohort_page, default_timeout=TIMEOUT)
        if user is not None:
            page.session_state["account.user"] = user
        page.run()
        assert not page.exception
        assert any("for faculty" in e.value for e in page.error)
        assert not page.dataframe and not page.get("plotly_chart")
        assert not page.get("download_button")


def test_cohort_shows_faculty_their_cohort(entry, store):
    engine, users = store
    from atlas_app.storage.quiz_store import record_answer, start_session

    for who in ("trainee", "other"):
        sid = start_session(engine, users[who].id, ["lst_formation"], 3, 1)
        answered = (
            ("lst_width", who == "trainee"),
            ("double_l4", True),
            ("measure.lst_width_right", True),
        )
        for item, ok in answered:
            record_answer(
                engine, session_id=sid, user_id=users[who].id, item_id=item,
                topic="lst_formation", seed=1, response="o1", correct=ok, score=float(ok),
            )  # fmt: skip
    at = run(entry, "cohort", users["faculty"])
    assert not at.exception and not at.error
    assert next(m for m in at.metric if m.label == "Trainees who answered").value == "2"
    trainees = at.dataframe[2].value
    assert "<b>bob</b>" in list(trainees["Trainee"]), "a username is data, shown as text"
    assert len(at.get("download_button")) == 3
    items = at.dataframe[0].value
    assert "Item id" not in items.columns, "no internal ids on the screen (the CSV has them)"
    titles = list(items["Question"])
    assert len(titles) == 3
    assert any(t.startswith("In adult male cadavers, about how wide") for t in titles)
    assert "Estimate the width of the right lumbosacral trunk (mm)" in titles
    assert not {"double_l4", "lst_width", "measure.lst_width_right"} & set(titles)


def test_the_link_opens_the_atlas_on_what_the_item_is_about(entry, store, quiz_world):
    at = run(entry, "quiz")
    at = _start(at, ["lst_formation"], length=10)
    for _ in range(10):
        item = current_item(at, quiz_world)
        if item.link is not None and item.link.page == "atlas" and item.link.select:
            break
        _answer_current(at, quiz_world)
        next(b for b in at.button if b.label in ("Next item", "See the score")).click()
        at.run()
    _answer_current(at, quiz_world)
    next(b for b in at.button if b.label == item.link.label).click()
    at.run()
    assert not at.exception
    assert at.title[0].value == "Lumbosacral atlas", "the atlas page is shown"
    assert at.selectbox(key="atlas.selected").value == item.link.select
    assert at.multiselect(key="atlas.highlight").value == list(item.link.highlight)
    group_values = {k: at.selectbox(key=f"variant.{k}").value for k in quiz_world[0].variant_groups}
    from atlas_app.model.specimen import format_spec

    assert format_spec(quiz_world[0], group_values) == item.link.spec


@pytest.mark.parametrize(
    "item_id",
    ["click.aorta", "at_risk.iliac_retraction.retract_iliac_vessels", "order.interaortic"],
)
def test_items_of_every_widget_kind_show(entry, store, quiz_world, item_id):
    """An item planned directly and answered rightly (a click item's picture is a component
    AppTest cannot click: it is only shown)."""
    at = AppTest.from_file(str(entry), default_timeout=TIMEOUT)
    at.switch_page("app_pages/quiz.py")
    state = {
        "quiz.plan": [(item_id, 3)],
        "quiz.index": 0,
        "quiz.results": [],
        "quiz.feedback": None,
        "quiz.session_id": None,
        "quiz.mode": "quiz",
        "quiz.seed": 3,
        "quiz.of_topics": ["approaches"],
        "quiz.finished": False,
    }
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception
    assert any(m.value.startswith("##### ") for m in at.markdown)
    if item_id.startswith("click."):
        # Asked in the 3D view, which names nothing until the answer: no structure id, no
        # name, no label in what the browser gets.
        header = viewer_header(at)
        sent = json.dumps(header)
        assert header["view"]["find"] and header["scene"]["labels"] == []
        assert "aorta" not in sent.lower()
        assert all(a["label"] == "" for a in header["scene"]["actors"])
    _answer_current(at, quiz_world)
    assert not at.exception
    assert at.success, "the right answer is called right"


# --- Signing in where a page stops for guests ------------------------------------------------


def test_the_sign_in_form_is_there_on_a_page_that_stops_for_guests(entry, store):
    """Progress tells a guest to sign in from the sidebar and stops (st.stop): the form
    must be there all the same — it is drawn before the page runs."""
    at = run(entry, "progress")
    assert not at.exception
    assert any("Sign in from the sidebar" in i.value for i in at.info)
    at.text_input(key="account.sign_in.username").input("tina")
    at.text_input(key="account.sign_in.password").input("correct horse 1")
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    assert not at.exception
    assert any(t.value == "Signed in as tina" for t in at.text)
    assert next(m for m in at.metric if m.label == "Answers").value == "0"
    next(b for b in at.button if b.label == "Sign out").click()
    at.run()
    assert "account.user" not in at.session_state
    assert at.text_input(key="account.sign_in.username").value == ""


# --- Hostile text in an item --------------------------------------------------------------

HOSTILE = (
    "<script>alert('x')</script> **bold** _it_ [link](javascript:alert(1)) :red[red] "
    ":material/home: $x^2$ ~~s~~ <b>b</b> www.evil.example https://evil.example "
    "lee@hospital.example &amp; a\\b"
)


def shown(markdown: str) -> str:
    """What a Markdown renderer that lets HTML through shows for ``markdown``, as text;
    fails if anything in it became markup (a tag other than a paragraph or a heading)."""
    import html
    import re

    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    out = rendered.render(markdown)
    tags = set(re.findall(r"<\s*([A-Za-z][A-Za-z0-9]*)", out))
    assert tags <= {"p", "h5"}, out
    return html.unescape(re.sub(r"<[^>]+>", "", out)).replace("\u2060", "").strip()


@pytest.fixture
def hostile_items(monkeypatch, shipped_atlas):
    """Items whose every text is hostile, made when the quiz page asks for them."""
    from atlas_app.model.records import Citation
    from atlas_app.quiz.items import Choice, Item
    from atlas_app.ui import quiz_resources

    ref = next(iter(shipped_atlas.references))
    common = {
        "seed": 1, "topic": "sacroplasty", "difficulty": 1, "template": "authored",
        "stem": f"Stem {HOSTILE}", "explanation": f"Explained {HOSTILE}",
        "cite": (Citation(ref=ref),),
    }  # fmt: skip
    choices = (Choice("o1", f"A {HOSTILE}"), Choice("o2", f"B {HOSTILE}"), Choice("o3", "C"))
    items = {
        "hostile_choice": Item(
            id="hostile_choice", kind="choice", choices=choices, answer=("o1",), **common
        ),
        "hostile_multi": Item(
            id="hostile_multi", kind="multi", choices=choices, answer=("o1", "o2"), **common
        ),
        "hostile_numeric": Item(
            id="hostile_numeric",
            kind="numeric",
            value=10.0,
            tolerance=2.0,
            unit=f"mm {HOSTILE}",
            **common,
        ),
    }
    real = quiz_resources.make_item

    def make_item(atlas, approaches, bank, ref):
        return items.get(ref.item_id) or real(atlas, approaches, bank, ref)

    monkeypatch.setattr(quiz_resources, "make_item", make_item)
    return items


def _plan(at: AppTest, item_ids: list[str]) -> None:
    state = {
        "quiz.plan": [(i, 1) for i in item_ids],
        "quiz.index": 0,
        "quiz.results": [],
        "quiz.feedback": None,
        "quiz.session_id": None,
        "quiz.mode": "quiz",
        "quiz.seed": 99,
        "quiz.of_topics": ["sacroplasty"],
        "quiz.finished": False,
    }
    for k, v in state.items():
        at.session_state[k] = v


def test_hostile_text_in_an_item_is_shown_as_text(entry, store, hostile_items):
    at = AppTest.from_file(str(entry), default_timeout=TIMEOUT)
    at.switch_page("app_pages/quiz.py")
    _plan(at, ["hostile_choice", "hostile_multi", "hostile_numeric"])
    at.run()
    assert not at.exception
    stems = [m.value for m in at.markdown if m.value.startswith("##### ")]
    assert [shown(v) for v in stems] == [f"Stem {HOSTILE}"]
    radio = at.radio(key="quiz.choice.99.0")
    assert [shown(o) for o in radio.options] == [f"A {HOSTILE}", f"B {HOSTILE}", "C"]
    radio.set_value("o2")
    next(b for b in at.button if b.label == "Check").click()
    at.run()
    assert not at.exception
    [error] = at.error
    assert shown(error.value) == f"Not quite. The answer is: A {HOSTILE}."
    explained = [shown(m.value) for m in at.markdown if m.value.startswith("Explained")]
    assert explained == [f"Explained {HOSTILE}"]

    next(b for b in at.button if b.label == "Next item").click()
    at.run()
    labels = [shown(c.label) for c in at.checkbox]
    assert labels == [f"A {HOSTILE}", f"B {HOSTILE}", "C"]
    at.checkbox(key="quiz.multi.o1.99.1").check()
    next(b for b in at.button if b.label == "Check").click()
    at.run()
    [warning] = at.warning
    assert shown(warning.value) == f"You found 1 of 2. Missed: B {HOSTILE}. (score 50%)"

    next(b for b in at.button if b.label == "Next item").click()
    at.run()
    box = at.text_input(key="quiz.numeric.99.2")
    assert shown(box.label) == f"Your estimate (mm {HOSTILE})"
    box.input("twelve")
    next(b for b in at.button if b.label == "Check").click()
    at.run()
    assert not at.exception
    [warning] = at.warning
    assert shown(warning.value).startswith(f"That is not a number. Type a number of mm {HOSTILE}")


# --- Saved when given -----------------------------------------------------------------------


def test_an_answer_is_stored_when_given_not_when_the_quiz_ends(entry, store, quiz_world):
    """One answer of a five-item quiz, then the tab is closed: a new engine (another server
    process) finds it, and a new browser session of the same trainee sees it on Progress."""
    engine, users = store
    from atlas_app.storage.db import make_engine
    from atlas_app.storage.quiz_store import user_answers

    at = run(entry, "quiz", users["trainee"])
    at = _start(at, ["sacroplasty"])
    _answer_current(at, quiz_world)
    assert not at.exception and at.session_state["quiz.index"] == 0, "the quiz is not over"
    fresh = make_engine(str(engine.url))
    try:
        [row] = user_answers(fresh, users["trainee"].id)
    finally:
        fresh.dispose()
    assert row.item_id == at.session_state["quiz.plan"][0][0]
    again = run(entry, "progress", users["trainee"])  # a new browser session
    assert next(m for m in again.metric if m.label == "Answers").value == "1"
    table = again.dataframe[0].value
    assert len(table) == 1 and "Item id" not in table.columns
    assert list(table["Question"]) != [row.item_id], "shown by its question, not its id"


# --- Faculty views --------------------------------------------------------------------------


def test_faculty_demoted_while_signed_in_no_longer_see_the_cohort(entry, store):
    engine, users = store
    from atlas_app.storage.accounts import set_role
    from atlas_app.storage.quiz_store import record_answer, start_session

    sid = start_session(engine, users["trainee"].id, ["lst_formation"], 1, 1)
    record_answer(
        engine, session_id=sid, user_id=users["trainee"].id, item_id="lst_width",
        topic="lst_formation", seed=1, response="o1", correct=True, score=1.0,
    )  # fmt: skip
    set_role(engine, "fay", "trainee")  # the session still holds fay as faculty
    at = run(entry, "cohort", users["faculty"])
    assert not at.exception
    assert not any(t.value == "Cohort" for t in at.title), "no longer in fay's navigation"
    assert not at.dataframe and not at.get("download_button")
    page = AppTest.from_file(str(APP.parent / "app_pages" / "cohort.py"), default_timeout=TIMEOUT)
    page.session_state["account.user"] = users["faculty"]  # typed by URL: the page refuses
    page.run()
    assert not page.exception
    assert any("for faculty" in e.value for e in page.error)
    assert not page.dataframe and not page.get("download_button")


# --- OpenID Connect ---------------------------------------------------------------------------

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not a secret of anyone's",
    "client_id": "atlas",
    "client_secret": "atlas",
    "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
}


def test_oidc_sign_in_maps_the_identity_to_a_trainee_account(entry, store):
    """With an [auth] section, a guest is offered the institution's sign-in; an identity
    Streamlit holds becomes (once) a trainee account named by its e-mail address; its
    name is shown as text; signing out calls st.logout."""
    engine, _ = store
    from atlas_app.storage.accounts import get_user

    at = AppTest.from_file(str(entry), default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False}
    at.switch_page("app_pages/progress.py")
    at.run()
    assert not at.exception
    assert any(b.label == "Sign in with your institution" for b in at.button)

    at.user = {"is_logged_in": True, "email": "Lee@Hospital.example", "name": "<i>Lee</i>"}
    at.run()
    assert not at.exception
    assert any(t.value == "Signed in as <i>Lee</i>" for t in at.text)
    assert next(m for m in at.metric if m.label == "Answers").value == "0"
    account = get_user(engine, "lee@hospital.example")
    assert account is not None and account.role == "trainee" and account.cohort is None

    next(b for b in at.button if b.label == "Sign out").click()
    at.run()
    assert not at.exception
    assert "account.user" not in at.session_state
    assert any(b.label == "Sign in with your institution" for b in at.button)


def test_oidc_identity_of_a_password_account_is_refused(entry, store):
    at = AppTest.from_file(str(entry), default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "tina@x.example", "name": "T"}
    at.run()  # no account named tina@x.example: it is made
    assert any(t.value == "Signed in as T" for t in at.text)
    from atlas_app.storage.accounts import create_user

    engine, _ = store
    create_user(engine, "fay@x.example", "correct horse 9", role="faculty")
    other = AppTest.from_file(str(entry), default_timeout=TIMEOUT)
    other.secrets["auth"] = AUTH
    other.user = {"is_logged_in": True, "email": "fay@x.example", "name": "Not Fay"}
    other.run()
    assert not other.exception
    assert "account.user" not in other.session_state
    assert any("password account" in e.value for e in other.error)


# --- Feedback that teaches (issue 13) --------------------------------------------------------


def _plan_items(at: AppTest, refs: list[tuple[str, int]]) -> None:
    _plan(at, [])
    at.session_state["quiz.plan"] = refs


def _sheet(at: AppTest) -> list[str]:
    """The lines of the answer sheet shown after Check (a Markdown list)."""
    return [
        line for m in at.markdown for line in m.value.splitlines() if line.startswith(("- :", "| "))
    ]


def test_after_check_the_answer_stays_with_every_option_marked(entry, store, quiz_world):
    """A wrong choice: the learner's option stays marked wrong, the key marked beside it,
    the others unmarked; before, the radio was emptied and nothing was marked."""
    at = AppTest.from_file(str(entry), default_timeout=TIMEOUT)
    at.switch_page("app_pages/quiz.py")
    _plan_items(at, [("lst_three_sites", 5)])
    at.run()
    item = current_item(at, quiz_world)
    wrong = next(c for c in item.choices if c.id not in item.answer)
    at.radio(key="quiz.choice.99.0").set_value(wrong.id)
    next(b for b in at.button if b.label == "Check").click()
    at.run()
    assert not at.exception
    sheet = _sheet(at)
    assert len(sheet) == len(item.choices), sheet
    marked = {line.split(" — ")[-1] for line in sheet if " — " in line}
    assert marked == {":red[**your answer, wrong**]", ":green[**the answer**]"}
    wrong_line = next(line for line in sheet if "your answer, wrong" in line)
    key_line = next(line for line in sheet if "the answer**" in line)
    assert shown_text(wrong.text) in shown_text(wrong_line)
    assert shown_text(item.choice_text(item.answer[0])) in shown_text(key_line)


def shown_text(markdown: str) -> str:
    """Markdown as its words (escapes and directives removed), for comparing texts."""
    import re

    text = re.sub(r":[a-z]+\[|\]|:material/[a-z_]+:|\*\*", "", markdown)
    return re.sub(r"\\(.)", r"\1", text.replace("&#58;", ":")).strip()


def test_the_order_item_is_ordered_with_buttons_and_marked_by_position(entry, store, quiz_world):
    """No multiselect ("Select all", steps hidden in a dropdown): every step on the screen
    with Up and Down buttons; checked, each position is marked against the key."""
    at = AppTest.from_file(str(entry), default_timeout=TIMEOUT)
    at.switch_page("app_pages/quiz.py")
    _plan_items(at, [("order.interaortic", 3)])
    at.run()
    assert not at.exception
    assert not at.multiselect, "no multiselect for ordering"
    item = current_item(at, quiz_world)
    ups = [b for b in at.button if b.key and b.key.startswith("quiz.up.")]
    downs = [b for b in at.button if b.key and b.key.startswith("quiz.down.")]
    assert len(ups) == len(downs) == len(item.choices)
    texts = [m.value for m in at.markdown if m.value[:2] == "**" and m.value[2].isdigit()]
    assert len(texts) == len(item.choices), "every step is on the screen"
    # Move the last step to the top, then check: it is marked by position.
    order = [c.id for c in item.choices]
    wanted = [order[-1], *order[:-1]]
    put_in_order(at, item, wanted)
    assert list(at.session_state["quiz.order.99.0"]) == wanted
    next(b for b in at.button if b.key == "quiz.check.99.0").click()
    at.run()
    assert not at.exception
    rows = [line for line in _sheet(at) if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == len(item.answer)
    for n, (row, key) in enumerate(zip(rows, item.answer, strict=True)):
        right = wanted[n] == key
        assert (":green[:material/check:]" in row) == right, row
        assert shown_text(item.choice_text(key)) in shown_text(row.split("|")[3])


def test_ending_a_quiz_keeps_the_partial_score_and_lists_what_to_revisit(entry, store, quiz_world):
    at = AppTest.from_file(str(entry), default_timeout=TIMEOUT)
    at.switch_page("app_pages/quiz.py")
    _plan_items(at, [("lst_three_sites", 5), ("lst_width", 5), ("double_l4", 5)])
    at.run()
    _answer_current(at, quiz_world, right=True)
    next(b for b in at.button if b.label == "Next item").click()
    at.run()
    missed = current_item(at, quiz_world)
    _answer_current(at, quiz_world, right=False)
    next(b for b in at.button if b.label == "End this quiz").click()
    at.run()
    assert not at.exception
    assert any("Your score" in m.value for m in at.markdown), "the score, not the start form"
    assert next(m for m in at.metric if m.label == "Right").value == "1 of 2"
    assert any("ended the quiz after 2" in c.value for c in at.caption)
    assert any(m.value.startswith("#### To revisit (1)") for m in at.markdown)
    [expander] = [e for e in at.expander if "%" in e.label]
    assert shown_text(missed.stem)[:40] in shown_text(expander.label)
    at.button(key="quiz.retry.0").click()
    at.run()
    assert not at.exception
    assert at.session_state["quiz.plan"] == [(missed.id, missed.seed)]
    assert current_item(at, quiz_world).stem == missed.stem


def _record(engine, user, item: str, ok: bool = True) -> None:
    from atlas_app.storage.quiz_store import record_answer, start_session

    sid = start_session(engine, user.id, ["lst_formation"], 1, 1)
    record_answer(
        engine, session_id=sid, user_id=user.id, item_id=item, topic="lst_formation",
        seed=1, response="o1", correct=ok, score=float(ok),
    )  # fmt: skip


def test_progress_with_one_day_of_answers_has_a_time_axis_of_dates(entry, store):
    import json

    engine, users = store
    for item in ("lst_width", "double_l4", "lst_three_sites"):
        _record(engine, users["trainee"], item)
    at = run(entry, "progress", users["trainee"])
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    axis = spec["layout"]["xaxis"]
    assert axis["type"] == "date" and axis["tickformat"] == "%-d %b %Y"
    assert axis["dtick"] == 86_400_000, "ticks a day apart, never milliseconds"
    assert len(axis["range"]) == 2 and axis["range"][0] < axis["range"][1]


def test_cohort_counts_the_trainees_who_answered(entry, store):
    """A cohort of two trainees of whom one has answered, and the faculty member's own
    answers: one trainee answered, and the label says so."""
    engine, users = store
    _record(engine, users["trainee"], "lst_width")
    _record(engine, users["trainee"], "double_l4", ok=False)
    _record(engine, users["faculty"], "lst_width")
    at = run(entry, "cohort", users["faculty"])
    assert not at.exception
    metric = next(m for m in at.metric if m.label == "Trainees who answered")
    assert metric.value == "1"
    assert "not answered yet are not counted" in metric.help
    assert next(m for m in at.metric if m.label == "Answers").value == "2"
