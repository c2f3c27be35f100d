"""Self-assessment: a quiz on chosen topics, or a review of the items that are due.

Guests can take a quiz; only signed-in users' answers are saved (each one when it is given).
Items are made from (item id, seed) and shared by everyone (cached); the plan, the answers
and the feedback of a quiz live in this browser session only.
"""

from __future__ import annotations

import contextlib
import threading
import zlib
from datetime import UTC, datetime
from typing import Any

import numpy as np
import streamlit as st
from sqlalchemy import Engine

from atlas_app.model.atlas import Atlas
from atlas_app.model.camera import CAMERA_PRESETS
from atlas_app.model.schema import CATEGORIES
from atlas_app.paths import DEFAULT_ATLAS_DIR
from atlas_app.quiz.anki import export_topic
from atlas_app.quiz.feedback import numeric_answer, option_rows, order_rows
from atlas_app.quiz.generate import Context, UnknownItemError, generate_item, generated_ids
from atlas_app.quiz.grading import PICK_PREFIX, Grade, grade, parse_pick
from atlas_app.quiz.items import DIFFICULTY_NAMES, KIND_NAMES, Item
from atlas_app.quiz.loader import QuizBank, load_quiz_bank
from atlas_app.quiz.overlay import scale_bar
from atlas_app.quiz.session import (
    NEEDS_A_STILL,
    ItemRef,
    deck_items,
    make_item,
    plan_quiz,
    review_queue,
)
from atlas_app.quiz.topics import TOPICS, topic_name
from atlas_app.scene.render_pool import render_png
from atlas_app.scene.spec import SceneSpec
from atlas_app.scene.viewer_payload import for_finding
from atlas_app.storage.accounts import User, may_export_decks
from atlas_app.ui import state
from atlas_app.ui.account import account_unavailable, escape_markdown, page_account
from atlas_app.ui.errors import STORE_ERRORS, message, report, unavailable_note
from atlas_app.ui.navigation import open_approach_step, pick_specimen
from atlas_app.ui.panels import cite_text
from atlas_app.ui.resources import (
    RenderError,
    approach_set,
    live_scene,
    loaded_atlas,
    render_status,
    specimen,
)
from atlas_app.ui.viewer import show_viewer

PLAN = "quiz.plan"
INDEX = "quiz.index"
RESULTS = "quiz.results"
FEEDBACK = "quiz.feedback"
SESSION_ID = "quiz.session_id"
MODE = "quiz.mode"
SEED = "quiz.seed"
OF_TOPICS = "quiz.of_topics"
FINISHED = "quiz.finished"
ENDED_AT = "quiz.ended_at"  # the index at which the learner ended the quiz early
TOPICS_KEY = "quiz.topics"
LENGTH_KEY = "quiz.length"
START_REVIEW = "quiz.start_review"  # set by the progress page's "Review due items"
LENGTHS = (5, 10, 15, 20, 30)
STILL_CONTAINER = "quiz-still"


# --- Shared, cached objects (the same for every user) ------------------------------------


@st.cache_resource(show_spinner=False)
def quiz_bank() -> QuizBank:
    return load_quiz_bank(loaded_atlas().atlas)


@st.cache_resource(show_spinner="Surveying which structures each view shows…")
def item_ids() -> dict[str, tuple[str, str]]:
    return generated_ids(Context(loaded_atlas().atlas, approach_set()))


@st.cache_resource(max_entries=512, show_spinner=False)
def quiz_item(item_id: str, seed: int) -> Item:
    return make_item(loaded_atlas().atlas, approach_set(), quiz_bank(), ItemRef(item_id, seed))


@st.cache_data(max_entries=256, show_spinner=False)
def still(scene_json: str, spec: str, width: int, height: int) -> bytes:
    """An item's still, without labels (rendered in the worker process)."""
    scene = SceneSpec.from_json(scene_json)
    return render_png(DEFAULT_ATLAS_DIR, spec, scene, size=(width, height), labels=False)


@st.cache_resource(show_spinner=False)
def warm_up_stills() -> threading.Thread:
    """Start the render worker in the background (once per server) while the first user
    picks topics: the first still after a start costs ~4 s (the worker starts and builds
    its meshes), the next ones ~0.2-0.5 s."""
    atlas, approaches = loaded_atlas().atlas, approach_set()
    first = next((i for i, (t, _) in item_ids().items() if t == "identify"), None)

    def draw() -> None:
        if first is None:
            return
        with contextlib.suppress(Exception):  # a real failure shows when an item is drawn
            view = generate_item(atlas, approaches, first, 0).view
            if view is not None:
                render_png(DEFAULT_ATLAS_DIR, view.spec, view.scene, view.size, labels=False)

    thread = threading.Thread(target=draw, name="quiz-warm-up", daemon=True)
    thread.start()
    return thread


def item_png(item: Item) -> bytes | None:
    """The item's still, with a scale bar when the item asks for a length."""
    if item.view is None:
        return None
    w, h = item.view.size
    png = still(item.view.scene.to_json(), item.view.spec, w, h)
    if item.view.px_per_mm:
        png = scale_bar(png, item.view.px_per_mm)
    return png


# --- Saving -------------------------------------------------------------------------------


def save_answer(engine: Engine, user: User, item: Item, response: str, result: Grade) -> str | None:
    """Store a signed-in user's answer and move its review card; an error message, or None."""
    from atlas_app.storage.quiz_store import record_graded_answer, start_session

    try:
        if st.session_state.get(SESSION_ID) is None:
            st.session_state[SESSION_ID] = start_session(
                engine,
                user.id,
                list(st.session_state[OF_TOPICS]),
                len(st.session_state[PLAN]),
                int(st.session_state[SEED]),
            )
        record_graded_answer(
            engine,
            session_id=st.session_state[SESSION_ID],
            user_id=user.id,
            item_id=item.id,
            topic=item.topic,
            seed=item.seed,
            response=response,
            correct=result.correct,
            score=result.score,
            answered_at=datetime.now(UTC),
        )
    except STORE_ERRORS as exc:  # the quiz goes on; the user is told beside the feedback
        return message(report(exc, "saving an answer"), "saved")
    except PermissionError:  # the account was deactivated since the page was drawn
        return "Your answer was not saved: this account is no longer active."
    return None


def topic_of_id(item_id: str) -> str:
    bank = quiz_bank()
    if item_id in bank.items:
        return bank.items[item_id].topic
    return item_ids().get(item_id, ("", "review"))[1]


# --- Starting ------------------------------------------------------------------------------


def _new_seed() -> int:
    return int(np.random.default_rng().integers(1, 1_000_000))


def _start(plan: list[ItemRef], mode: str, seed: int) -> None:
    st.session_state[PLAN] = [(r.item_id, r.seed) for r in plan]
    st.session_state[INDEX] = 0
    st.session_state[RESULTS] = []
    st.session_state[FEEDBACK] = None
    st.session_state[SESSION_ID] = None
    st.session_state[MODE] = mode
    st.session_state[SEED] = seed
    st.session_state[OF_TOPICS] = sorted({topic_of_id(r.item_id) for r in plan})
    st.session_state[FINISHED] = False
    st.session_state.pop(ENDED_AT, None)


QUIZ_STATE = (PLAN, INDEX, RESULTS, FEEDBACK, SESSION_ID, MODE, SEED, OF_TOPICS, FINISHED, ENDED_AT)


def _end() -> None:
    for key in QUIZ_STATE:
        st.session_state.pop(key, None)


def due_item_ids(engine: Engine | None, user: User | None) -> list[str]:
    from atlas_app.storage.quiz_store import due_cards

    if engine is None or user is None:
        return []
    try:
        return [c.item_id for c in due_cards(engine, user.id, datetime.now(UTC))]
    except STORE_ERRORS as exc:  # no review today; the quiz itself needs no store
        report(exc, "reading the due items")
        return []


def start_review(engine: Engine | None, user: User | None) -> bool:
    atlas = loaded_atlas().atlas
    seed = _new_seed()
    plan = review_queue(atlas, approach_set(), quiz_bank(), due_item_ids(engine, user), seed)
    if plan:
        _start(plan, "review", seed)
    return bool(plan)


def setup(engine: Engine | None, user: User | None) -> None:
    atlas = loaded_atlas().atlas
    ids = item_ids()
    bank = quiz_bank()
    counts = {t: 0 for t in TOPICS}
    for _, topic in ids.values():
        counts[topic] = counts.get(topic, 0) + 1
    for r in bank.items.values():
        counts[r.topic] = counts.get(r.topic, 0) + 1
    st.markdown("#### A new quiz")
    topics = st.multiselect(
        "Topics",
        list(TOPICS),
        default=list(TOPICS)[:3],
        key=TOPICS_KEY,
        format_func=lambda t: f"{topic_name(t)} ({counts.get(t, 0)} items)",
    )
    length = st.select_slider("Number of items", LENGTHS, value=10, key=LENGTH_KEY)
    with st.expander("Replay a quiz"):
        replay = st.number_input(
            "Seed of the quiz to replay (0: a new one)", min_value=0, step=1, key="quiz.replay"
        )
        st.caption("Everyone who enters the same seed, topics and length gets the same items.")
    stills_ok = render_status().ok
    if stills_ok:
        warm_up_stills()
    else:
        st.info("Stills cannot be drawn on this server: items that need a picture are left out.")
    if st.button("Start the quiz", type="primary", disabled=not topics, key="quiz.start"):
        seed = int(replay) or _new_seed()
        exclude = () if stills_ok else NEEDS_A_STILL
        plan = plan_quiz(atlas, approach_set(), bank, topics, int(length), seed, exclude)
        if plan:
            _start(plan, "quiz", seed)
            st.rerun()
        st.warning("These topics have no items yet.")
    if user is not None:
        due = due_item_ids(engine, user)
        st.markdown("#### Spaced review")
        st.caption(
            "Items come back when the scheduler (FSRS) expects you to be about to forget them; "
            "missed ones come back within minutes."
        )
        if st.button(f"Review due items ({len(due)})", disabled=not due, key="quiz.review"):
            if start_review(engine, user):
                st.rerun()
            st.info("Nothing is due.")
    anki_export(atlas, user)


def anki_export(atlas: Atlas, user: User | None) -> None:
    """Build a topic's Anki deck: for signed-in accounts (``may_export_decks``), judged on
    the account as read from the store in this very run, the run the click starts."""
    with st.expander("Export a topic as an Anki deck"):
        if not may_export_decks(user):
            st.caption("Sign in to export a topic as an Anki deck (an .apkg file with its stills).")
            return
        topic = st.selectbox("Topic", list(TOPICS), format_func=topic_name, key="quiz.anki_topic")
        if st.button("Build the deck", key="quiz.anki_build"):
            with st.spinner("Drawing the stills and packing the deck…"):
                items = deck_items(atlas, approach_set(), quiz_bank(), topic)
                images = {}
                for item in items:
                    try:
                        png = item_png(item)
                    except RenderError:
                        png = None
                    if png is not None:
                        images[item.id] = png
                refs = {k: r.short for k, r in atlas.references.items()}
                st.session_state["quiz.anki_deck"] = (
                    topic,
                    export_topic(
                        items,
                        images,
                        title=topic_name(topic),
                        references=refs,
                        credits=atlas.info.credits if atlas.info else (),
                    ),
                    len(items),
                )
        deck = st.session_state.get("quiz.anki_deck")
        if deck and deck[0] == topic:
            st.download_button(
                f"Download the deck ({deck[2]} cards)",
                deck[1],
                file_name=f"sacral_ala_atlas_{topic}.apkg",
                mime="application/octet-stream",
                key="quiz.anki_download",
            )


# --- One item ---------------------------------------------------------------------------


def _key(name: str) -> str:
    return f"quiz.{name}.{st.session_state[SEED]}.{st.session_state[INDEX]}"


def find_in_3d(item: Item, fb: dict[str, Any] | None) -> str | None:
    """A "click on the …" item in the live 3D view: unnamed until answered; the click as
    ``pick:<structure id>``. Answered, the view names the answer (and the user's pick)."""
    assert item.view is not None
    specimen_, _ = specimen(item.view.spec)
    token = zlib.crc32(f"{item.id}|{item.seed}".encode())
    pick_key = _key("pick")
    if fb is not None:
        target = item.answer[0]
        picked = parse_pick(fb["response"])
        named = [target] + ([picked] if picked and picked != target else [])
        live, _ = live_scene(item.view.scene, specimen_, labels=named)
        # Where the user left the camera, now with names: swapped, not faded (the ids are
        # the structures' own now, the question's were tokens).
        show_viewer(
            live,
            key="quiz.viewer",
            height=460,
            camera_token=token,
            selected=target,
            animate=False,
        )
        return None
    live, _ = live_scene(item.view.scene, specimen_)
    question, structure_of = for_finding(live, f"{item.id}|{item.seed}")

    def _on_pick(found: str) -> None:
        if found in structure_of:
            st.session_state[pick_key] = structure_of[found]

    show_viewer(
        question, key="quiz.viewer", height=460, camera_token=token, on_pick=_on_pick, find=True
    )
    chosen = st.session_state.pop(pick_key, None)
    return f"{PICK_PREFIX}{chosen}" if chosen else None


def form_widgets(item: Item) -> str | None:
    """The answer widgets of a choice, multi or numeric item; the response once the user
    presses *Check* (an empty string when nothing was chosen)."""
    with st.form(_key("form"), border=False):
        response: str | None
        if item.kind == "choice":
            response = st.radio(
                "Your answer",
                [c.id for c in item.choices],
                index=None,
                format_func=lambda c: escape_markdown(item.choice_text(c)),
                key=_key("choice"),
            )
        elif item.kind == "multi":
            st.caption("Choose all that apply.")
            picked = [
                c.id
                for c in item.choices
                if st.checkbox(escape_markdown(c.text), key=_key(f"multi.{c.id}"))
            ]
            response = ",".join(picked)
        else:
            response = st.text_input(
                f"Your estimate ({escape_markdown(item.unit or '')})", key=_key("numeric")
            )
        submitted = st.form_submit_button("Check", type="primary")
    return (response or "") if submitted else None


def _move_step(key: str, position: int, delta: int) -> None:
    order = list(st.session_state[key])
    other = position + delta
    if 0 <= other < len(order):
        order[position], order[other] = order[other], order[position]
        st.session_state[key] = order


def order_widget(item: Item) -> str | None:
    """Every step on the screen in the learner's current order, each with *Up* and *Down*
    buttons (reached with Tab, pressed with Enter or Space); the order once *Check* is
    pressed."""
    key = _key("order")
    if key not in st.session_state:
        st.session_state[key] = [c.id for c in item.choices]
    order: list[str] = st.session_state[key]
    st.caption("First step at the top. Move a step with its Up and Down buttons.")
    for i, cid in enumerate(order):
        text, up, down = st.columns([6, 2, 2], vertical_alignment="center")
        text.markdown(f"**{i + 1}.** {escape_markdown(item.choice_text(cid))}")
        up.button(
            "Up",
            icon=":material/arrow_upward:",
            key=_key(f"up.{cid}"),
            disabled=i == 0,
            on_click=_move_step,
            args=(key, i, -1),
            help="Move this step one place earlier",
            width="stretch",
        )
        down.button(
            "Down",
            icon=":material/arrow_downward:",
            key=_key(f"down.{cid}"),
            disabled=i == len(order) - 1,
            on_click=_move_step,
            args=(key, i, 1),
            help="Move this step one place later",
            width="stretch",
        )
    if st.button("Check", type="primary", key=_key("check")):
        return ",".join(order)
    return None


MARK_TEXT = {
    "right": ":green[:material/check_circle:] {} — :green[**your answer, right**]",
    "wrong": ":red[:material/cancel:] {} — :red[**your answer, wrong**]",
    "missed": ":green[:material/check_circle:] {} — :green[**the answer**]",
    "other": ":gray[:material/radio_button_unchecked:] {}",
}


def answer_sheet(item: Item, response: str) -> None:
    """The learner's answer kept on the screen after *Check*, every option marked and the
    key beside it."""
    if item.kind in ("choice", "multi"):
        rows = option_rows(item, response)
        lines = [MARK_TEXT[r.mark].format(escape_markdown(r.text)) for r in rows]
        st.markdown("\n".join(f"- {line}" for line in lines))
    elif item.kind == "order":
        table = ["| | Your order | The order |", "|---|---|---|"]
        for r in order_rows(item, response):
            mark = ":green[:material/check:]" if r.right else ":red[:material/close:]"
            table.append(
                f"| {r.position} | {mark} {escape_markdown(r.given)} | {escape_markdown(r.key)} |"
            )
        st.markdown("\n".join(table))
    elif item.kind == "numeric":
        given, key = numeric_answer(item, response)
        st.markdown(
            f"Your estimate: **{escape_markdown(given)}** · The answer: **{escape_markdown(key)}**"
        )


def go_to_link(item: Item) -> None:
    """Set the atlas's (or the approaches page's) widgets to show the item, and go there."""
    link = item.link
    if link is None:
        return
    atlas = loaded_atlas().atlas
    if link.page == "approaches" and link.approach:
        open_approach_step(atlas, link.spec, link.approach, int(link.step or 0))
    pick_specimen(atlas, link.spec)
    if link.select:
        st.session_state[state.ATLAS_SELECTED] = link.select
    st.session_state[state.ATLAS_HIGHLIGHT] = list(link.highlight)
    st.session_state[state.ATLAS_HIDDEN_STRUCTURES] = []
    st.session_state[state.ATLAS_ISOLATE] = False
    st.session_state[state.ATLAS_SYSTEMS] = list(CATEGORIES)
    if link.camera in CAMERA_PRESETS:
        st.session_state[state.ATLAS_CAMERA] = link.camera
    st.switch_page("app_pages/atlas.py")


def feedback(item: Item, fb: dict[str, Any]) -> None:
    atlas = loaded_atlas().atlas
    if fb["correct"]:
        st.success(escape_markdown(fb["message"]), icon=":material/check_circle:")
    elif fb["score"] > 0:
        message = escape_markdown(f"{fb['message']} (score {fb['score']:.0%})")
        st.warning(message, icon=":material/adjust:")
    else:
        st.error(escape_markdown(fb["message"]), icon=":material/cancel:")
    st.markdown(escape_markdown(item.explanation))
    st.caption("Sources: " + cite_text(atlas, item.cite))
    if fb.get("save_error"):
        st.warning(fb["save_error"])


def show_item(engine: Engine | None, user: User | None) -> None:
    plan = st.session_state[PLAN]
    i = st.session_state[INDEX]
    item_id, seed = plan[i]
    try:
        with st.spinner("Preparing the item…"):
            item = quiz_item(item_id, seed)
    except UnknownItemError:
        st.warning("This item no longer exists; it is skipped.")
        _next()
        st.rerun()
        return
    mode = {"review": "Review", "retry": "Again"}.get(st.session_state.get(MODE) or "", "Quiz")
    st.progress(
        i / len(plan),
        text=f"{mode} · item {i + 1} of {len(plan)} · {topic_name(item.topic)} · "
        f"{KIND_NAMES[item.kind]} · {DIFFICULTY_NAMES.get(item.difficulty, '')}",
    )
    st.markdown(f"##### {escape_markdown(item.stem)}")
    png = None
    if item.view is not None and item.kind != "click":  # a click is asked in the 3D view
        try:
            with st.spinner("Drawing the view…"):
                png = item_png(item)
        except RenderError as exc:
            st.warning(escape_markdown(f"The view could not be drawn: {exc}"))
    fb = st.session_state.get(FEEDBACK)
    answered = fb is not None
    response: str | None = None
    if png is not None or (item.kind == "click" and item.view is not None):
        left, right = st.columns([3, 2], gap="large")
        if png is not None:
            # Room above the still for its toolbar (the fullscreen button), which sits above
            # an element's top edge and covered the end of the question.
            left = left.container(key=STILL_CONTAINER)
            st.html(f"<style>.st-key-{STILL_CONTAINER} {{ padding-top: 2.25rem; }}</style>")
    else:
        left = right = st.container()
    with left:
        if item.kind == "click" and item.view is not None:
            response = find_in_3d(item, fb)
            st.caption(escape_markdown(item.view.caption))
        elif png is not None and item.view is not None:
            st.image(png, width="stretch")
            st.caption(escape_markdown(item.view.caption))
    with right:
        if fb is not None:
            answer_sheet(item, fb["response"])
        elif item.kind == "order":
            response = order_widget(item)
        elif item.kind != "click":
            response = form_widgets(item)
        else:
            st.caption(
                "Click on the structure in the 3D view. Drag to turn the view and scroll "
                "to zoom if you need to; nothing is named until you answer."
            )
            st.button("Skip this item", on_click=_next, key=_key("skip"))
        if response is not None and not answered:
            result = grade(item, response)
            if not result.valid:
                st.warning(escape_markdown(result.message))
            else:
                record(engine, user, item, response, result)
                st.rerun()
        if fb is not None:
            feedback(item, fb)
            last = st.session_state[INDEX] + 1 >= len(st.session_state[PLAN])
            st.button(
                "See the score" if last else "Next item",
                type="primary",
                on_click=_next,
                key=_key("next"),
                icon=":material/arrow_forward:",
            )
            if item.link is not None and st.button(
                item.link.label, key=_key("link"), icon=":material/view_in_ar:"
            ):
                go_to_link(item)


def record(
    engine: Engine | None, user: User | None, item: Item, response: str, result: Grade
) -> None:
    """Keep the answer in the session (and, for a signed-in user, in the store)."""
    fb = {
        "response": response,
        "correct": result.correct,
        "score": result.score,
        "message": result.message,
        "save_error": None,
    }
    if user is not None and engine is not None:
        fb["save_error"] = save_answer(engine, user, item, response, result)
    st.session_state[FEEDBACK] = fb
    st.session_state[RESULTS].append(
        {
            "item_id": item.id,
            "seed": item.seed,
            "topic": item.topic,
            "stem": item.stem,
            "correct": result.correct,
            "score": result.score,
            "message": result.message,
        }
    )


def _next() -> None:
    st.session_state[INDEX] = st.session_state.get(INDEX, 0) + 1
    st.session_state[FEEDBACK] = None


def _end_early() -> None:
    """Stop here and show the score of the items answered so far."""
    st.session_state[ENDED_AT] = st.session_state.get(INDEX, 0)
    st.session_state[INDEX] = len(st.session_state.get(PLAN, ()))
    st.session_state[FEEDBACK] = None


def _retry(refs: list[tuple[str, int]]) -> None:
    """A quiz of the given items again, each on the same seed (the same question)."""
    plan = [ItemRef(item_id, seed) for item_id, seed in refs]
    _start(plan, "retry", _new_seed())  # a new seed: fresh widget keys, no stale answers


def missed_items(results: list[dict[str, Any]]) -> None:
    """Each item not fully right, with what was said, and a way to try it again."""
    missed = [r for r in results if r["score"] < 1]
    if not missed:
        return
    st.markdown(f"#### To revisit ({len(missed)})")
    for n, r in enumerate(missed):
        with st.expander(f"{r['score']:.0%} · {escape_markdown(r.get('stem') or r['item_id'])}"):
            st.markdown(escape_markdown(r.get("message") or ""))
            st.button(
                "Try this item again",
                key=f"quiz.retry.{n}",
                on_click=_retry,
                args=([(r["item_id"], r["seed"])],),
                icon=":material/replay:",
            )
    st.button(
        f"Try the {len(missed)} missed item(s) again",
        key="quiz.retry_all",
        on_click=_retry,
        args=([(r["item_id"], r["seed"]) for r in missed],),
        icon=":material/replay:",
    )


def summary(engine: Engine | None, user: User | None) -> None:
    results = st.session_state.get(RESULTS, [])
    session_id = st.session_state.get(SESSION_ID)
    if session_id is not None and engine is not None and not st.session_state.get(FINISHED):
        from atlas_app.storage.quiz_store import finish_session

        try:
            finish_session(engine, session_id)
        except STORE_ERRORS as exc:  # the answers are stored; only the end mark is missing
            report(exc, "finishing a quiz")
        st.session_state[FINISHED] = True
    n = len(results)
    right = sum(r["correct"] for r in results)
    score = sum(r["score"] for r in results)
    st.markdown("#### Your score")
    ended_at = st.session_state.get(ENDED_AT)
    if ended_at is not None:
        st.caption(
            f"You ended the quiz after {n} answered item(s) of {len(st.session_state[PLAN])}: "
            "the score is of those."
        )
    c1, c2 = st.columns(2)
    c1.metric("Right", f"{right} of {n}")
    c2.metric("Score", f"{score / n:.0%}" if n else "–")
    by_topic: dict[str, list[float]] = {}
    for r in results:
        by_topic.setdefault(r["topic"], []).append(r["score"])
    if by_topic:
        lines = ["| Topic | Items | Score |", "|---|---|---|"]
        for t, scores in sorted(by_topic.items()):
            lines.append(f"| {topic_name(t)} | {len(scores)} | {sum(scores) / len(scores):.0%} |")
        st.markdown("\n".join(lines))
    missed_items(results)
    st.caption(f"Quiz seed {st.session_state.get(SEED)}: enter it under *Replay a quiz*.")
    if user is None:
        st.info("You took this quiz as a guest: nothing was saved. Sign in to keep a history.")
    else:
        st.caption("Every answer was saved as you gave it; see *Progress*.")
    st.button("Another quiz", type="primary", on_click=_end, key="quiz.again")


# --- The page -----------------------------------------------------------------------------

loaded = loaded_atlas()
engine, user = page_account()

st.title("Quiz")
if account_unavailable():
    st.warning(
        unavailable_note() + " Your answers are not saved until it is back.",
        icon=":material/cloud_off:",
    )
elif user is None:
    st.info(
        "You are not signed in: you can take a quiz as a guest, but your answers are not "
        "saved and nothing is scheduled for review. Sign in from the sidebar to keep them.",
        icon=":material/person_off:",
    )
bank_faults = quiz_bank().faults
if bank_faults:
    with st.expander(f":material/warning: {len(bank_faults)} problem(s) in the quiz files"):
        st.code("\n".join(map(str, bank_faults)), language=None)

if st.session_state.pop(START_REVIEW, False) and user is not None:
    start_review(engine, user)

if not st.session_state.get(PLAN):
    setup(engine, user)
elif st.session_state[INDEX] >= len(st.session_state[PLAN]):
    summary(engine, user)
else:
    show_item(engine, user)
    st.button(
        "End this quiz",
        on_click=_end_early,
        key="quiz.end",
        help="Stop here and see the score of the items answered so far",
    )
