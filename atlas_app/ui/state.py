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

# Cases and Present (the case the builder, Add-to-case and Present work on; Present's slide)
CASE_OPEN = "cases.open_id"
PRESENT_INDEX = "present.index"


def bump(key: str) -> None:
    """Add one to a counter in session state (a camera token: "the user asked for a view")."""
    st.session_state[key] = int(st.session_state.get(key, 0)) + 1


def sacroplasty_plan_key(field: str) -> str:
    """The widget key of one of the needle planner's numbers (``sacroplasty.api.PLAN_FIELDS``)."""
    return f"sacroplasty.{field}"


def variant_key(group_id: str) -> str:
    """The widget key of one variant group's picker (shared by every page)."""
    return f"variant.{group_id}"
