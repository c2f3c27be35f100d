"""Session-state keys, in one place. Page keys are prefixed by their page."""

from __future__ import annotations

import streamlit as st

# Atlas page
ATLAS_CAMERA = "atlas.camera"
ATLAS_CAMERA_TOKEN = "atlas.camera_token"  # bumped when a preset view is picked
ATLAS_SYSTEMS = "atlas.systems"
ATLAS_WALL = "atlas.wall"
ATLAS_TRANSLUCENT = "atlas.translucent_muscles"
ATLAS_SELECTED = "atlas.selected"
ATLAS_HIGHLIGHT = "atlas.highlight"
ATLAS_HIDDEN_STRUCTURES = "atlas.hidden_structures"
ATLAS_ISOLATE = "atlas.isolate"
ATLAS_SHOW_STILL = "atlas.show_still"
ATLAS_RANDOM_SEED = "atlas.random_seed"
ATLAS_REDRAWN = "atlas.redrawn"  # this run redraws one whose widgets disagreed with it


# Approach page
APPROACH_ID = "approach.id"
APPROACH_STEP = "approach.step"
APPROACH_FOR_STEP = "approach.step_of"
APPROACH_DOWN_CORRIDOR = "approach.down_corridor"
APPROACH_WHOLE_BODY = "approach.whole_body"
APPROACH_CAMERA_TOKEN = "approach.camera_token"  # bumped when the user asks for a view

# Quiz: the run in progress (a quiz.run.QuizRun, field by field), the setup form, the deck
QUIZ_PLAN = "quiz.plan"
QUIZ_INDEX = "quiz.index"
QUIZ_RESULTS = "quiz.results"
QUIZ_FEEDBACK = "quiz.feedback"
QUIZ_SESSION_ID = "quiz.session_id"
QUIZ_MODE = "quiz.mode"
QUIZ_SEED = "quiz.seed"
QUIZ_OF_TOPICS = "quiz.of_topics"
QUIZ_FINISHED = "quiz.finished"
QUIZ_ENDED_AT = "quiz.ended_at"
QUIZ_RUN_KEYS = {  # QuizRun field -> its key
    "plan": QUIZ_PLAN,
    "index": QUIZ_INDEX,
    "results": QUIZ_RESULTS,
    "feedback": QUIZ_FEEDBACK,
    "session_id": QUIZ_SESSION_ID,
    "mode": QUIZ_MODE,
    "seed": QUIZ_SEED,
    "of_topics": QUIZ_OF_TOPICS,
    "finished": QUIZ_FINISHED,
    "ended_at": QUIZ_ENDED_AT,
}
QUIZ_TOPICS = "quiz.topics"
QUIZ_LENGTH = "quiz.length"
QUIZ_REPLAY = "quiz.replay"
QUIZ_START_REVIEW = "quiz.start_review"  # set by the progress page's "Review due items"
QUIZ_ANKI_DECK = "quiz.anki_deck"  # (topic, .apkg bytes, cards) of the last deck built

# Sacroplasty page (the planner's six numbers are under sacroplasty_plan_key)
SACROPLASTY_SIDE = "sacroplasty.side"
SACROPLASTY_STYLE = "sacroplasty.style"
SACROPLASTY_NERVES = "sacroplasty.nerves"
SACROPLASTY_LAYOUT = "sacroplasty.layout"
SACROPLASTY_TECHNIQUE = "sacroplasty.technique"
SACROPLASTY_LEAK = "sacroplasty.leak"
SACROPLASTY_SPEC = "sacroplasty.spec"  # the specimen the planner's preset buttons read

# Compare and Variability pages
COMPARE_APPROACHES = "compare.approaches"
COMPARE_STRUCTURES = "compare.structures"
COMPARE_PROFILE = "compare.profile_structure"
VARIABILITY_N = "variability.n"
VARIABILITY_SEED = "variability.seed"
VARIABILITY_APPROACHES = "variability.approaches"
VARIABILITY_RUN = "variability.run"
VARIABILITY_LAST_RUN = "variability.last_run"  # (n, seed, approach ids) of the shown result
VARIABILITY_MEASURE = "variability.measure"
VARIABILITY_WORST = "variability.worst"
VARIABILITY_OPEN_WORST = "variability.open_worst"

# Cases and Present (the case the builder, Add-to-case and Present work on; Present's slide)
CASE_OPEN = "cases.open_id"
PRESENT_INDEX = "present.index"
CASES_QUERY = "cases.query"  # the ?case= of the last link opened (a link opens its case once)
CASES_IMPORT_COUNT = "cases.import_count"  # bumped after an import, to empty the uploader
CASES_CONFIRM_DELETE = "cases.confirm_delete"
# The case editor: case id -> (version, Case): what this editor shows and saves over
CASES_BASE = "cases.base"
CASES_RESET = "cases.reset"  # case ids whose widgets are filled again from the store
CASES_CONFLICT = "cases.conflict"
CASES_MESSAGE = "cases.message"  # (case id or None, section, kind, text)
CASES_UNDO = "cases.undo"  # case id -> [Case]: what this editor's saves replaced, oldest first
CASES_DELETE_SLIDE = "cases.delete_slide"  # case id -> the slide id waiting for "Yes, delete"
# Add-to-case (on the Atlas and Approaches pages)
CASE_ACTIONS_RESULT = "case_actions.result"  # what the last click did, shown on the next run
CASE_ACTIONS_LAST = "case_actions.last"  # (user id, case id, title, slides) of the last add

# Accounts (signing out clears every key under "account." and "quiz.")
ACCOUNT_USER = "account.user"
ACCOUNT_SIGN_IN = "account.sign_in"  # the sign-in form (its fields are keys under it)
ACCOUNT_ERROR = "account.error"
ACCOUNT_LOGIN = "account.login"  # the login (storage.logins) this session signed in with
ACCOUNT_HANDOVER = "account.handover"  # its one-time ticket, until the page hands it over
ACCOUNT_SIGNED_OUT_CLEARS = ("account.", "quiz.")
# Not under "account.", so that signing out keeps them:
ACCOUNT_SIGNING_OUT = "signing_out"
ACCOUNT_SIGNED_OUT_NOTICE = "signed_out_notice"  # why this session was signed out
ACCOUNT_FORGET_COOKIE = "forget_cookie"  # drop the browser's cookie on the next draw
ACCOUNT_COOKIE_TRIED = "cookie_tried"  # the cookie value already tried (once per session)

# The live viewer: what this session's browser has been sent (``mesh:…``/``topo:…``)
VIEWER_SENT = "viewer.sent"

# Admin page, and the store's error boundary
ADMIN_MESSAGE = "admin.message"  # (kind, text) of the last change
STORE_ERROR_PENDING = "store_error"  # a callback's message, shown on the page that follows


def bump(key: str) -> None:
    """Add one to a counter in session state (a camera token: "the user asked for a view")."""
    st.session_state[key] = int(st.session_state.get(key, 0)) + 1


def sacroplasty_plan_key(field: str) -> str:
    """The widget key of one of the needle planner's numbers (``sacroplasty.api.PLAN_FIELDS``)."""
    return f"sacroplasty.{field}"


def variant_key(group_id: str) -> str:
    """The widget key of one variant group's picker (shared by every page)."""
    return f"variant.{group_id}"
