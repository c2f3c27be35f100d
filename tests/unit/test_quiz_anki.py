"""Anki export: a valid .apkg (a zip with the collection and the media)."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from typing import Any

import numpy as np
import pytest
from PIL import Image

from atlas_app.model.records import Citation
from atlas_app.quiz.anki import export_topic
from atlas_app.quiz.items import Choice, Item, PickMap


def _png(color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, format="PNG")
    return out.getvalue()


def _items() -> list[Item]:
    cite = (Citation(ref="ebraheim_1997"), Citation(ref="gray_1918", confidence="S"))
    common: dict[str, Any] = dict(
        topic="lst_formation", difficulty=2, explanation="Why <it> is so.", cite=cite
    )
    labels = np.full((15, 20), -1, dtype=np.int16)
    labels[5:10, 5:10] = 0
    return [
        Item(
            id="lst_width", seed=1, kind="choice", template="authored",
            stem="How wide is the <b>trunk</b>?",
            choices=(Choice("o1", "About 11 mm"), Choice("o2", "About 4 mm")),
            answer=("o1",), **common,
        ),
        Item(
            id="identify.lumbosacral_trunk_right", seed=3, kind="choice", template="identify",
            stem="Which structure is highlighted?",
            choices=(Choice("a", "Lumbosacral trunk (right)"), Choice("b", "Sacrum")),
            answer=("a",), **common,
        ),
        Item(
            id="measure.lst_width_right", seed=3, kind="numeric", template="measure",
            stem="Estimate the width.", value=11.3, tolerance=2.3, unit="mm", **common,
        ),
        Item(
            id="click.lumbosacral_trunk_right", seed=4, kind="click", template="click",
            stem="Click on the lumbosacral trunk.", answer=("lumbosacral_trunk_right",),
            pick=PickMap(labels, ("lumbosacral_trunk_right",), ("Lumbosacral trunk (right)",), 2),
            **common,
        ),
    ]  # fmt: skip


def test_export_produces_a_valid_apkg(tmp_path):
    items = _items()
    images = {
        "identify.lumbosacral_trunk_right": _png(),
        "click.lumbosacral_trunk_right": _png((20, 200, 20)),
    }
    data = export_topic(
        items, images, title="Lumbosacral trunk", references={"ebraheim_1997": "Ebraheim 1997"}
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    assert "collection.anki2" in names and "media" in names
    media = json.loads(archive.read("media"))
    assert len(media) == 3, "two stills and the click item's answer"
    for key, filename in media.items():
        assert key in names
        Image.open(io.BytesIO(archive.read(key))).verify()
        assert filename.endswith(".png")
    db = tmp_path / "collection.anki2"
    db.write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(db) as conn:
        notes = [r[0] for r in conn.execute("select flds from notes")]
        assert conn.execute("select count(*) from cards").fetchone()[0] == 4
        decks = conn.execute("select decks from col").fetchone()[0]
    assert len(notes) == 4
    assert "Sacral Ala Atlas::Lumbosacral trunk" in decks
    joined = "\n".join(notes)
    assert "&lt;b&gt;trunk&lt;/b&gt;" in joined, "text is escaped, not rendered as HTML"
    assert "<b>trunk</b>" not in joined
    assert "Ebraheim 1997" in joined and "gray_1918 [S]" in joined
    assert "Where is the lumbosacral trunk (right) in this view?" in joined
    assert "accepted within 2.3 mm" in joined


def test_export_is_repeatable():
    a = export_topic(_items(), {}, title="T")
    b = export_topic(_items(), {}, title="T")
    notes_a = zipfile.ZipFile(io.BytesIO(a)).namelist()
    assert notes_a == zipfile.ZipFile(io.BytesIO(b)).namelist()


def _deck(data: bytes, tmp_path) -> tuple[zipfile.ZipFile, dict[str, str], list[str]]:
    """The archive, its media map (archive name → file name) and the notes' fields."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    media = json.loads(archive.read("media"))
    db = tmp_path / "collection.anki2"
    db.write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(db) as conn:
        notes = [r[0] for r in conn.execute("select flds from notes")]
    return archive, media, notes


def test_every_image_a_card_shows_is_in_the_deck(tmp_path):
    images = {
        "identify.lumbosacral_trunk_right": _png(),
        "click.lumbosacral_trunk_right": _png((20, 200, 20)),
    }
    _, media, notes = _deck(export_topic(_items(), images, title="T"), tmp_path)
    shown = {src for note in notes for src in re.findall(r'<img src="([^"]+)"', note)}
    assert shown == set(media.values()), "every picture on a card is packed, and no other"


@pytest.mark.slow
def test_a_topic_of_the_shipped_atlas_exports_with_its_stills(tmp_path, shipped_atlas):
    """The deck the Quiz page builds: a topic's items, each view drawn by the render
    worker, packed as media the cards point at."""
    from atlas_app.approaches.loader import load_approaches
    from atlas_app.paths import DEFAULT_ATLAS_DIR
    from atlas_app.quiz.loader import load_quiz_bank
    from atlas_app.quiz.session import deck_items
    from atlas_app.scene.render_pool import gl_status, render_png

    status = gl_status()
    if not status.ok:
        pytest.fail(status.message)
    approaches, bank = load_approaches(shipped_atlas), load_quiz_bank(shipped_atlas)
    items = deck_items(shipped_atlas, approaches, bank, "iliolumbar_vein")
    viewed = [i for i in items if i.view is not None]
    assert viewed, "the topic has items with a view"
    images = {
        i.id: render_png(DEFAULT_ATLAS_DIR, i.view.spec, i.view.scene, i.view.size, False)
        for i in viewed
    }
    refs = {k: r.short for k, r in shipped_atlas.references.items()}
    archive, media, notes = _deck(
        export_topic(items, images, title="Iliolumbar vein", references=refs), tmp_path
    )
    assert len(notes) == len(items)
    assert len(media) == len(viewed)
    for key, filename in media.items():
        picture = Image.open(io.BytesIO(archive.read(key)))
        assert picture.format == "PNG"
        assert picture.size in {i.view.size for i in viewed}
        assert np.asarray(picture.convert("L")).std() > 5, f"{filename} is not blank"
    shown = {src for note in notes for src in re.findall(r'<img src="([^"]+)"', note)}
    assert shown == set(media.values())
    assert all("Sources: " in n for n in notes)
