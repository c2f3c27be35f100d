"""One quiz item on the screen: the question and its picture, the answer widgets of each
kind, the answer kept after *Check*, the feedback and the way on."""

from __future__ import annotations

import zlib

import streamlit as st
from sqlalchemy import Engine

from atlas_app.model.camera import CAMERA_PRESETS
from atlas_app.model.schema import CATEGORIES
from atlas_app.quiz.feedback import numeric_answer, option_rows, order_rows
from atlas_app.quiz.generate import UnknownItemError
from atlas_app.quiz.grading import PICK_PREFIX, grade, parse_pick
from atlas_app.quiz.items import DIFFICULTY_NAMES, KIND_NAMES, Item
from atlas_app.quiz.run import Feedback, QuizRun
from atlas_app.quiz.topics import topic_name
from atlas_app.scene.viewer_payload import for_finding
from atlas_app.storage.accounts import User
from atlas_app.ui import state
from atlas_app.ui.account import escape_markdown
from atlas_app.ui.navigation import open_approach_step, pick_specimen
from atlas_app.ui.panels import cite_text
from atlas_app.ui.quiz_resources import item_png, quiz_item
from atlas_app.ui.quiz_session import change_run, keep_run, save_answer
from atlas_app.ui.resources import RenderError, live_scene, loaded_atlas, specimen
from atlas_app.ui.viewer import show_viewer

STILL_CONTAINER = "quiz-still"
MARK_TEXT = {
    "right": ":green[:material/check_circle:] {} — :green[**your answer, right**]",
    "wrong": ":red[:material/cancel:] {} — :red[**your answer, wrong**]",
    "missed": ":green[:material/check_circle:] {} — :green[**the answer**]",
    "other": ":gray[:material/radio_button_unchecked:] {}",
}
next_item = change_run(QuizRun.advance)


def find_in_3d(run: QuizRun, item: Item) -> str | None:
    """A "click on the …" item in the live 3D view: unnamed until answered; the click as
    ``pick:<structure id>``. Answered, the view names the answer (and the user's pick)."""
    assert item.view is not None
    specimen_, _ = specimen(item.view.spec)
    token = zlib.crc32(f"{item.id}|{item.seed}".encode())
    pick_key = run.widget_key("pick")
    if run.feedback is not None:
        target = item.answer[0]
        picked = parse_pick(run.feedback.response)
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

    def picked_one(found: str) -> None:
        if found in structure_of:
            st.session_state[pick_key] = structure_of[found]

    show_viewer(
        question, key="quiz.viewer", height=460, camera_token=token, on_pick=picked_one, find=True
    )
    chosen = st.session_state.pop(pick_key, None)
    return f"{PICK_PREFIX}{chosen}" if chosen else None


def form_widgets(run: QuizRun, item: Item) -> str | None:
    """The answer widgets of a choice, multi or numeric item; the response once the user
    presses *Check* (an empty string when nothing was chosen)."""
    with st.form(run.widget_key("form"), border=False):
        response: str | None
        if item.kind == "choice":
            response = st.radio(
                "Your answer",
                [c.id for c in item.choices],
                index=None,
                format_func=lambda c: escape_markdown(item.choice_text(c)),
                key=run.widget_key("choice"),
            )
        elif item.kind == "multi":
            st.caption("Choose all that apply.")
            picked = [
                c.id
                for c in item.choices
                if st.checkbox(escape_markdown(c.text), key=run.widget_key(f"multi.{c.id}"))
            ]
            response = ",".join(picked)
        else:
            response = st.text_input(
                f"Your estimate ({escape_markdown(item.unit or '')})",
                key=run.widget_key("numeric"),
            )
        submitted = st.form_submit_button("Check", type="primary")
    return (response or "") if submitted else None


def _move_step(key: str, position: int, delta: int) -> None:
    order = list(st.session_state[key])
    other = position + delta
    if 0 <= other < len(order):
        order[position], order[other] = order[other], order[position]
        st.session_state[key] = order


def order_widget(run: QuizRun, item: Item) -> str | None:
    """Every step on the screen in the learner's current order, each with *Up* and *Down*
    buttons (reached with Tab, pressed with Enter or Space); the order once *Check* is
    pressed."""
    key = run.widget_key("order")
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
            key=run.widget_key(f"up.{cid}"),
            disabled=i == 0,
            on_click=_move_step,
            args=(key, i, -1),
            help="Move this step one place earlier",
            width="stretch",
        )
        down.button(
            "Down",
            icon=":material/arrow_downward:",
            key=run.widget_key(f"down.{cid}"),
            disabled=i == len(order) - 1,
            on_click=_move_step,
            args=(key, i, 1),
            help="Move this step one place later",
            width="stretch",
        )
    if st.button("Check", type="primary", key=run.widget_key("check")):
        return ",".join(order)
    return None


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


def show_feedback(item: Item, fb: Feedback) -> None:
    atlas = loaded_atlas().atlas
    if fb.correct:
        st.success(escape_markdown(fb.message), icon=":material/check_circle:")
    elif fb.score > 0:
        text = escape_markdown(f"{fb.message} (score {fb.score:.0%})")
        st.warning(text, icon=":material/adjust:")
    else:
        st.error(escape_markdown(fb.message), icon=":material/cancel:")
    st.markdown(escape_markdown(item.explanation))
    st.caption("Sources: " + cite_text(atlas, item.cite))
    if fb.save_error:
        st.warning(fb.save_error)


def record(
    engine: Engine | None, user: User | None, run: QuizRun, item: Item, response: str
) -> bool:
    """Grade a response; keep a valid one in the run (and, for a signed-in user, in the
    store). False, with the reason on the screen, when the response cannot be graded."""
    result = grade(item, response)
    if not result.valid:
        st.warning(escape_markdown(result.message))
        return False
    run.answer(item, response, result)
    if user is not None and engine is not None:
        run.note_save_error(save_answer(engine, user, run, item))
    keep_run(run)
    return True


def show_item(engine: Engine | None, user: User | None, run: QuizRun) -> None:
    ref = run.current
    try:
        with st.spinner("Preparing the item…"):
            item = quiz_item(ref.item_id, ref.seed)
    except UnknownItemError:
        st.warning("This item no longer exists; it is skipped.")
        run.advance()
        keep_run(run)
        st.rerun()
        return
    st.progress(
        run.index / len(run.plan),
        text=f"{run.mode_name} · item {run.index + 1} of {len(run.plan)} · "
        f"{topic_name(item.topic)} · {KIND_NAMES[item.kind]} · "
        f"{DIFFICULTY_NAMES.get(item.difficulty, '')}",
    )
    st.markdown(f"##### {escape_markdown(item.stem)}")
    png = None
    if item.view is not None and item.kind != "click":  # a click is asked in the 3D view
        try:
            with st.spinner("Drawing the view…"):
                png = item_png(item)
        except RenderError as exc:
            st.warning(escape_markdown(f"The view could not be drawn: {exc}"))
    fb = run.feedback
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
            response = find_in_3d(run, item)
            st.caption(escape_markdown(item.view.caption))
        elif png is not None and item.view is not None:
            st.image(png, width="stretch")
            st.caption(escape_markdown(item.view.caption))
    with right:
        if fb is not None:
            answer_sheet(item, fb.response)
        elif item.kind == "order":
            response = order_widget(run, item)
        elif item.kind != "click":
            response = form_widgets(run, item)
        else:
            st.caption(
                "Click on the structure in the 3D view. Drag to turn the view and scroll "
                "to zoom if you need to; nothing is named until you answer."
            )
            st.button("Skip this item", on_click=next_item, key=run.widget_key("skip"))
        if response is not None and fb is None and record(engine, user, run, item, response):
            st.rerun()
        if fb is not None:
            show_feedback(item, fb)
            st.button(
                "See the score" if run.is_last else "Next item",
                type="primary",
                on_click=next_item,
                key=run.widget_key("next"),
                icon=":material/arrow_forward:",
            )
            if item.link is not None and st.button(
                item.link.label, key=run.widget_key("link"), icon=":material/view_in_ar:"
            ):
                go_to_link(item)
