"""The quiz, progress and cohort pages under AppTest, with a throwaway SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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
    return make_item(*world, ItemRef(item_id, seed))


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
                at.checkbox(key=f"quiz.multi.{key}.{c.id}").check()
    elif item.kind == "order":
        at.multiselect(key=f"quiz.order.{key}").set_value(list(item.answer))
    elif item.kind == "numeric":
        at.text_input(key=f"quiz.numeric.{key}").input(f"{item.value}" if right else "999")
    else:  # a click item: the component cannot be clicked here
        next(b for b in at.button if b.label == "End this quiz").click()
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

    for who, item in (("trainee", "lst_width"), ("other", "double_l4")):
        sid = start_session(engine, users[who].id, ["lst_formation"], 1, 1)
        record_answer(
            engine, session_id=sid, user_id=users[who].id, item_id=item,
            topic="lst_formation", seed=1, response="o1", correct=True, score=1.0,
        )  # fmt: skip
    at = run(entry, "progress", users["trainee"])
    assert not at.exception
    assert {m.label for m in at.metric} >= {"Answers", "Streak", "Due now"}
    assert next(m for m in at.metric if m.label == "Answers").value == "1"
    assert len(at.get("plotly_chart")) == 2
    table = at.dataframe[0].value
    assert list(table["Item"]) == ["lst_width"], "only the trainee's own answers"


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
        sid = start_session(engine, users[who].id, ["lst_formation"], 2, 1)
        for item, ok in (("lst_width", who == "trainee"), ("double_l4", True)):
            record_answer(
                engine, session_id=sid, user_id=users[who].id, item_id=item,
                topic="lst_formation", seed=1, response="o1", correct=ok, score=float(ok),
            )  # fmt: skip
    at = run(entry, "cohort", users["faculty"])
    assert not at.exception and not at.error
    assert next(m for m in at.metric if m.label == "Trainees").value == "2"
    trainees = at.dataframe[2].value
    assert "<b>bob</b>" in list(trainees["Trainee"]), "a username is data, shown as text"
    assert len(at.get("download_button")) == 3


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
def test_items_of_every_widget_kind_show(entry, store, item_id):
    """An item planned directly (a click item's picture is a component AppTest cannot click)."""
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
