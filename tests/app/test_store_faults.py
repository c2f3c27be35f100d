"""A failing store degrades the app and never explodes it (issue 15), under AppTest with real
faults: a full disk (a 512 kB tmpfs filled up), a SQLite file whose write lock another
process holds, a file locked by another process before the app's first use of it, a file
with a corrupted header, and a PostgreSQL server stopped under the app.

Whatever the fault: no traceback reaches the page, nor SQL, nor a path or a username; the
anatomy pages serve, signed in or not; signing in says why it is unavailable; what was being
typed stays in the form; a quiz answer that cannot be saved is said so with a reference; the
traceback is in the log under that reference. Once the fault is lifted, nothing half-written
remains and the kept edit saves.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from atlas_app.cases.model import Case, TextSlide
from atlas_app.storage.accounts import User
from atlas_app.ui.account import UNAVAILABLE, escape_markdown
from atlas_app.ui.case_editor import widget_key
from atlas_app.ui.state import ACCOUNT_USER as USER_KEY
from tests.app.viewer_messages import viewer_elements

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "atlas_app" / "streamlit_app.py"
TIMEOUT = 180
PASSWORD = "correct horse 7"
LEAKS = ("Traceback", "sqlalchemy", "sqlite3", "psycopg", "OperationalError", "SELECT ",
         "INSERT ", "UPDATE ", "/tmp/", "atlas.sqlite3", "socket")  # fmt: skip


@dataclass
class Fault:
    """A store made healthy (accounts, a case), then broken; ``heal`` undoes the fault."""

    name: str
    url: str
    users: dict[str, User]
    case_id: int | None
    break_: Callable[[], None]
    heal: Callable[[], None] | None
    undo: list[Callable[[], None]] = field(default_factory=list)


def _populate(url: str) -> tuple[dict[str, User], int]:
    from atlas_app.storage import case_store
    from atlas_app.storage.accounts import create_user
    from atlas_app.storage.db import make_engine

    engine = make_engine(url)
    try:
        users = {
            "fay": create_user(engine, "fay", PASSWORD, role="faculty", cohort="2026"),
            "tina": create_user(engine, "tina", PASSWORD, cohort="2026"),
        }
        case = Case(title="Before the fault", slides=(TextSlide(title="One"),))
        stored = case_store.create_case(engine, users["fay"].id, case)
        return users, stored.id
    finally:
        engine.dispose()


def _holder(path: Path, statement: str) -> subprocess.Popen[str]:
    """Another process that opens the SQLite file, runs ``statement`` and holds the lock
    until it is killed."""
    code = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        f"c.executescript({statement!r})\n"
        "print('held', flush=True)\n"
        "time.sleep(3600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)


def _disk_full(tmp_path: Path) -> Fault:
    mount = tmp_path / "small_disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("a full disk is made with a small tmpfs, which needs root to mount")
    url = f"sqlite:///{mount / 'atlas.sqlite3'}"
    users, case_id = _populate(url)
    filler = mount / "filler"

    def fill() -> None:
        try:
            with filler.open("wb") as out:
                while True:
                    out.write(b"\0" * 4096)
                    out.flush()
        except OSError:  # ENOSPC: the disk is full
            pass

    fault = Fault("disk full", url, users, case_id, fill, lambda: filler.unlink())
    fault.undo.append(lambda: subprocess.run(["umount", "-l", str(mount)], check=False))  # type: ignore[arg-type]
    return fault


def _write_locked(tmp_path: Path) -> Fault:
    path = tmp_path / "atlas.sqlite3"
    url = f"sqlite:///{path}"
    users, case_id = _populate(url)
    holder: list[subprocess.Popen[str]] = []
    fault = Fault(
        "write lock held",
        url,
        users,
        case_id,
        lambda: holder.append(_holder(path, "BEGIN IMMEDIATE;")),
        lambda: _stop(holder.pop()),
    )
    fault.undo.append(lambda: [_stop(p) for p in holder])  # type: ignore[arg-type,func-returns-value]
    return fault


def _locked_before_first_use(tmp_path: Path) -> Fault:
    """The file is locked before the app ever opened it (no tables yet): nothing can be
    read; a session signed in elsewhere (same account ids) still gets its pages."""
    path = tmp_path / "atlas.sqlite3"
    holder = _holder(path, "BEGIN EXCLUSIVE; CREATE TABLE scratch (x);")
    users = {
        "fay": User(id=1, username="fay", display_name="fay", role="faculty", cohort="2026"),
        "tina": User(id=2, username="tina", display_name="tina", role="trainee", cohort="2026"),
    }
    fault = Fault("locked before first use", f"sqlite:///{path}", users, None, lambda: None, None)
    fault.undo.append(lambda: _stop(holder))
    return fault


def _corrupted(tmp_path: Path) -> Fault:
    path = tmp_path / "atlas.sqlite3"
    url = f"sqlite:///{path}"
    users, case_id = _populate(url)

    def corrupt() -> None:
        for suffix in ("-wal", "-shm"):  # _populate's engine checkpointed them away
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        with path.open("r+b") as f:
            f.write(b"this is not a database, not any more")

    return Fault("corrupted", url, users, case_id, corrupt, None)


def _postgres_stopped(tmp_path: Path) -> Fault:
    from atlas_app.storage import local_postgres

    stack = local_postgres.throwaway_postgres()
    try:
        server = stack.__enter__()
    except local_postgres.LocalPostgresError as exc:
        pytest.fail(str(exc))
    url = local_postgres.create_database(server, f"t_{uuid.uuid4().hex[:10]}")
    users, case_id = _populate(url)
    data = Path(server.socket_dir).parent / "data"
    bindir = local_postgres.pg_bindir()
    options = f"-p {server.port} -k {server.socket_dir} -c listen_addresses=''"

    def pg_ctl(*args: str) -> None:
        command = [str(bindir / "pg_ctl"), "-D", str(data), *args]  # type: ignore[operator]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, capture_output=True, check=True, timeout=120)

    fault = Fault(
        "PostgreSQL stopped",
        url,
        users,
        case_id,
        lambda: pg_ctl("-m", "fast", "-w", "stop"),
        lambda: pg_ctl("-o", options, "-l", str(data.parent / "log"), "-w", "start"),
    )
    fault.undo.append(lambda: stack.__exit__(None, None, None))  # type: ignore[arg-type]
    return fault


MAKERS = {
    "disk_full": _disk_full,
    "write_locked": _write_locked,
    "locked_before_first_use": _locked_before_first_use,
    "corrupted": _corrupted,
    "postgres_stopped": _postgres_stopped,
}
HEALABLE = ("disk_full", "write_locked", "postgres_stopped")


def _fault(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fault]:
    from atlas_app.storage import db
    from atlas_app.ui.errors import wake_store

    monkeypatch.setattr(db, "SQLITE_WRITE_BUSY_MS", 300)  # a held lock fails a write soon
    monkeypatch.setattr(db, "RETRY_PAUSES", (0.05,))
    monkeypatch.setenv("ATLAS_SESSION_SECRET", "a fault-test secret of more than 32 chars")
    db.dispose_engines()
    fault = MAKERS[name](tmp_path)
    monkeypatch.setenv("DATABASE_URL", fault.url)
    db.dispose_engines()
    wake_store()
    try:
        yield fault
    finally:
        db.dispose_engines()
        for undo in reversed(fault.undo):
            undo()
        wake_store()


@pytest.fixture(params=list(MAKERS))
def fault(request, tmp_path, monkeypatch) -> Iterator[Fault]:
    yield from _fault(request.param, tmp_path, monkeypatch)


@pytest.fixture(params=HEALABLE)
def healable(request, tmp_path, monkeypatch) -> Iterator[Fault]:
    yield from _fault(request.param, tmp_path, monkeypatch)


def _run(page: str, user: User | None = None, at: AppTest | None = None) -> AppTest:
    if at is None:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        if user is not None:
            at.session_state[USER_KEY] = user
        at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _shown(at: AppTest) -> str:
    """Everything the page shows as text (alerts, text, Markdown, captions, titles)."""
    elements = [
        *at.error, *at.warning, *at.info, *at.success, *at.text, *at.markdown, *at.caption,
        *at.title, *at.header, *at.subheader,
    ]  # fmt: skip
    return "\n".join(str(e.value) for e in elements)


def _no_leaks(at: AppTest, fault: Fault) -> None:
    shown = _shown(at)
    for leak in LEAKS:
        assert leak not in shown, f"{fault.name}: the page shows {leak!r}"


def _anatomy_served(at: AppTest, page: str) -> None:
    if page == "atlas":
        assert viewer_elements(at), "the 3D view"
    else:
        assert any("BodyParts3D" in m.value for m in at.markdown), "the About page"


@pytest.mark.parametrize("page", ["atlas", "about"])
def test_anatomy_pages_serve_guests_and_signed_in_users(fault: Fault, page: str) -> None:
    fault.break_()
    for user in (None, fault.users["tina"]):
        at = _run(page, user)
        _anatomy_served(at, page)
        _no_leaks(at, fault)
        if user is None:
            continue
        assert at.session_state[USER_KEY] == user, "still signed in for when it is back"
        if fault.name == "write lock held":  # reads go on beside a writer (WAL)
            assert any(t.value == "Signed in as tina" for t in at.text)
        else:  # told that accounts are unavailable
            assert any(w.value.startswith(escape_markdown(UNAVAILABLE)) for w in at.warning)


def test_a_guest_never_touches_the_store(fault: Fault, monkeypatch: pytest.MonkeyPatch) -> None:
    """However the store is, a guest's anatomy page does not wait on it: it is not opened."""
    from atlas_app.storage import db

    fault.break_()
    opened: list[str] = []
    monkeypatch.setattr(db, "get_engine", lambda *a, **k: opened.append("opened"))
    _anatomy_served(_run("atlas"), "atlas")
    assert opened == [], "a guest's page opened the store"


@pytest.mark.parametrize(
    "page", ["atlas", "approaches", "compare", "variability", "sacroplasty", "about"]
)
def test_every_anatomy_page_serves_a_user_whose_store_was_locked_before_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    for fault in _fault("locked_before_first_use", tmp_path, monkeypatch):
        at = _run(page, fault.users["fay"])
        _no_leaks(at, fault)
        assert any(w.value.startswith(escape_markdown(UNAVAILABLE)) for w in at.warning)


def test_signing_in_says_why_it_is_unavailable(fault: Fault, caplog) -> None:
    fault.break_()
    at = _run("about")
    at.text_input(key="account.sign_in.username").input("tina")
    at.text_input(key="account.sign_in.password").input(PASSWORD)
    next(b for b in at.button if b.label == "Sign in").click()
    with caplog.at_level(logging.ERROR, logger="atlas_app.store"):
        at.run()
    assert not at.exception
    assert USER_KEY not in at.session_state
    [said] = [w.value for w in at.warning if "Signing in is unavailable" in w.value]
    assert "Reference" in said
    _no_leaks(at, fault)
    reference = said.split("Reference ")[1][:8]
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info is not None, "the traceback is in the log"


def test_pages_that_need_the_store_say_so(fault: Fault) -> None:
    """Progress, Cases, Present: a plain note when the store cannot be read (a held write
    lock does not stop reading: those pages then serve as usual)."""
    fault.break_()
    for page, user in (("progress", "tina"), ("cases", "fay"), ("present", "fay")):
        at = _run(page, fault.users[user])
        if fault.name != "write lock held":
            assert "unavailable just now" in _shown(at), page
        _no_leaks(at, fault)


def test_an_unsaved_edit_stays_in_the_form_and_saves_once_healed(healable: Fault) -> None:
    from atlas_app.storage import case_store
    from atlas_app.storage.db import get_engine
    from atlas_app.ui.errors import wake_store

    fault, fay = healable, healable.users["fay"]
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state[USER_KEY] = fay
    at.switch_page("app_pages/cases.py")
    at.query_params["case"] = str(fault.case_id)
    _run("cases", at=at)
    key = widget_key(fault.case_id, "case", "title")  # type: ignore[arg-type]
    assert at.text_input(key=key).value == "Before the fault"

    fault.break_()
    at.text_input(key=key).input("Typed while the store was down")
    _run("cases", at=at)
    said = _shown(at)
    assert "could not be saved" in said and "Reference" in said
    _no_leaks(at, fault)
    for _ in range(2):  # the next clicks: the page cannot read the case, the text is kept
        _run("cases", at=at)
        assert at.session_state[key] == "Typed while the store was down"
        _no_leaks(at, fault)

    assert fault.heal is not None
    fault.heal()
    wake_store()
    _run("cases", at=at)
    assert at.text_input(key=key).value == "Typed while the store was down"
    engine = get_engine()
    kept = case_store.get_case(engine, fay.id, fault.case_id)  # type: ignore[arg-type]
    assert (kept.version, kept.case.title) == (1, "Before the fault"), "nothing half-written"
    at.text_input(key=key).input("Typed while the store was down, saved")
    _run("cases", at=at)
    saved = case_store.get_case(engine, fay.id, fault.case_id)  # type: ignore[arg-type]
    assert (saved.version, saved.case.title) == (2, "Typed while the store was down, saved")
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def test_a_quiz_answer_that_cannot_be_saved_is_said_so(healable: Fault, quiz_world) -> None:
    from atlas_app.storage.db import get_engine
    from atlas_app.storage.models import AnswerRecord, QuizSessionRecord, ReviewCardRecord
    from atlas_app.ui.errors import wake_store
    from tests.app.test_quiz_pages import _answer_current, _start, current_item

    fault, tina = healable, healable.users["tina"]
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state[USER_KEY] = tina
    at.switch_page("app_pages/quiz.py")
    _start(_run("quiz", at=at), ["sacroplasty"])
    assert not at.exception
    plan = at.session_state["quiz.plan"]
    for index in range(len(plan)):  # an item answered in the form (a click item is not)
        at.session_state["quiz.index"] = index
        _run("quiz", at=at)
        if current_item(at, quiz_world).kind != "click":
            break
    fault.break_()
    _answer_current(at, quiz_world)
    assert not at.exception
    said = _shown(at)
    # Told beside the feedback (the save failed), or at the top (the account could not even
    # be read, so the answer was taken as a guest's).
    told = "could not be saved" in said and "Reference" in said
    assert told or "Your answers are not saved until it is back" in said
    assert any(b.label in ("Next item", "See the score") for b in at.button), "the quiz goes on"
    _no_leaks(at, fault)

    assert fault.heal is not None
    fault.heal()
    wake_store()
    with Session(get_engine()) as session:
        counts = [
            session.scalar(select(func.count()).select_from(table))
            for table in (QuizSessionRecord, AnswerRecord, ReviewCardRecord)
        ]
    assert counts == [0, 0, 0], "nothing half-written"


@pytest.fixture(scope="module")
def quiz_world(shipped_atlas):
    from atlas_app.approaches.loader import load_approaches
    from atlas_app.quiz.loader import load_quiz_bank

    return shipped_atlas, load_approaches(shipped_atlas), load_quiz_bank(shipped_atlas)


def test_a_store_failing_in_the_middle_of_a_page_ends_it_with_the_message(
    store, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    """The account was read, then the store fails under the page (here: Progress's read of
    the answers raises what SQLite raises for an I/O error, SQL and all): the page ends with
    the plain message and a reference; the SQL and the path are only in the log."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from atlas_app.storage import quiz_store

    _, users = store
    secret_sql = "SELECT answers.response FROM answers WHERE user_id = 'tina'"

    def fail(*args: object, **kwargs: object) -> None:
        raise OperationalError(secret_sql, {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(quiz_store, "user_answers", fail)
    with caplog.at_level(logging.ERROR, logger="atlas_app.store"):
        at = _run("progress", users["tina"])
    [said] = [e.value for e in at.error if "cannot be reached just now" in e.value]
    assert "Reference" in said and "tina" not in said
    shown = _shown(at)
    assert secret_sql not in shown and "disk I/O" not in shown and "Traceback" not in shown
    reference = said.split("Reference ")[1][:8]
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)
