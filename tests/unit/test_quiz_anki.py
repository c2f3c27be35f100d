"""Anki export: a valid .apkg (a zip with the collection and the media)."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile

import numpy as np
from PIL import Image

from atlas_app.model.schema import Citation
from atlas_app.quiz.anki import export_topic
from atlas_app.quiz.items import Choice, Item, PickMap


def _png(color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, format="PNG")
    return out.getvalue()


def _items() -> list[Item]:
    cite = (Citation(ref="ebraheim_1997"), Citation(ref="gray_1918", confidence="S"))
    common = dict(topic="lst_formation", difficulty=2, explanation="Why <it> is so.", cite=cite)
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
