"""The quiz's shared, cached objects (the same for every user): the bank, the generated
item ids, the items themselves and their stills."""

from __future__ import annotations

import contextlib
import threading

import streamlit as st

from atlas_app.paths import DEFAULT_ATLAS_DIR
from atlas_app.quiz.generate import Context, generate_item, generated_ids
from atlas_app.quiz.items import Item
from atlas_app.quiz.loader import QuizBank, load_quiz_bank
from atlas_app.quiz.overlay import scale_bar
from atlas_app.quiz.session import ItemRef, make_item
from atlas_app.scene.render_pool import render_png
from atlas_app.scene.spec import SceneSpec
from atlas_app.ui.resources import approach_set, loaded_atlas


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


def topic_of_id(item_id: str) -> str:
    bank = quiz_bank()
    if item_id in bank.items:
        return bank.items[item_id].topic
    return item_ids().get(item_id, ("", "review"))[1]


def topic_counts(topics: list[str]) -> dict[str, int]:
    """How many items each topic has (generated and authored)."""
    counts = dict.fromkeys(topics, 0)
    for _, topic in item_ids().values():
        counts[topic] = counts.get(topic, 0) + 1
    for r in quiz_bank().items.values():
        counts[r.topic] = counts.get(r.topic, 0) + 1
    return counts
