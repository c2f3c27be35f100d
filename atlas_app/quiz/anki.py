"""A topic's items as an Anki deck (.apkg, via ``genanki``), with their stills.

One note per item: the front has the question (and its still, and the options), the back
the answer, the explanation and the sources. A click item becomes "where is …?", its back
showing the still with the structure outlined. Every text is HTML-escaped: Anki renders
fields as HTML.
"""

from __future__ import annotations

import html
import re
import tempfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import genanki

from atlas_app.quiz.items import Item, format_number, in_sentence
from atlas_app.quiz.overlay import answer_overlay

MODEL_ID = 1_607_392_431  # fixed: Anki matches notes of later exports to this model
MODEL = genanki.Model(
    MODEL_ID,
    "Sacral Ala Atlas quiz item",
    fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Sources"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Question}}",
            "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}<p class=src>{{Sources}}</p>",
        }
    ],
    css=".card{font-family:sans-serif;font-size:18px;text-align:left}"
    " img{max-width:100%} .src{font-size:13px;color:#555}",
)
DECK_PREFIX = "Sacral Ala Atlas"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _media_name(item: Item, suffix: str = "") -> str:
    safe = re.sub(r"[^A-Za-z0-9_]+", "_", item.id)
    return f"sala_{safe}_{item.seed}{suffix}.png"


def deck_id(name: str) -> int:
    """A stable deck id from its name (so re-importing updates the same deck)."""
    return 1_000_000_000 + zlib.crc32(name.encode()) % 1_000_000_000


def _options(item: Item, ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    items = "".join(f"<li>{_e(c.text)}</li>" for c in item.choices)
    return f"<{tag}>{items}</{tag}>"


def _question(item: Item, image: str | None) -> str:
    parts = [f"<p>{_e(item.stem)}</p>"]
    if image:
        parts.append(f'<img src="{image}">')
    if item.kind in ("choice", "multi"):
        if item.kind == "multi":
            parts.append("<p><i>Choose all that apply.</i></p>")
        parts.append(_options(item))
    elif item.kind == "order":
        parts.append(_options(item))
    elif item.kind == "numeric":
        parts.append(f"<p><i>Answer in {_e(item.unit or 'units')}.</i></p>")
    return "".join(parts)


def _answer(item: Item, image: str | None) -> str:
    if item.kind == "numeric":
        assert item.value is not None and item.tolerance is not None
        head = (
            f"{_e(format_number(item.value, item.unit))} "
            f"(accepted within {_e(format_number(item.tolerance, item.unit))})"
        )
    elif item.kind == "order":
        steps = "".join(f"<li>{_e(item.choice_text(a))}</li>" for a in item.answer)
        head = f"<ol>{steps}</ol>"
    else:
        head = _e(item.answer_text())
    parts = [f"<p><b>{head}</b></p>"]
    if image:
        parts.append(f'<img src="{image}">')
    parts.append(f"<p>{_e(item.explanation)}</p>")
    return "".join(parts)


def _sources(item: Item, references: Mapping[str, str]) -> str:
    names = []
    for c in item.cite:
        flag = "" if c.confidence == "V" else f" [{c.confidence}]"
        names.append(_e(references.get(c.ref, c.ref)) + flag)
    return "Sources: " + "; ".join(names) if names else ""


def export_topic(
    items: Sequence[Item],
    images: Mapping[str, bytes],
    *,
    title: str = "Quiz",
    references: Mapping[str, str] | None = None,
    credits: Sequence[str] = (),
) -> bytes:
    """The items as an .apkg file's bytes. ``images`` maps an item id to its still (PNG);
    ``references`` maps reference ids to the short names shown as sources."""
    refs = references or {}
    name = f"{DECK_PREFIX}::{title}"
    # The stills show anatomy derived from BodyParts3D and Z-Anatomy: their attribution lines
    # travel with the deck (its description) and with every card (under its sources).
    credit = " · ".join(_e(c) for c in credits)
    deck = genanki.Deck(deck_id(name), name, description=credit)
    with tempfile.TemporaryDirectory(prefix="anki-") as tmp:
        media: list[str] = []
        for item in items:
            front = back = None
            png = images.get(item.id)
            if png is not None:
                front = _media_name(item)
                (Path(tmp) / front).write_bytes(png)
                media.append(str(Path(tmp) / front))
                if item.kind == "click" and item.pick is not None:
                    back = _media_name(item, "_answer")
                    (Path(tmp) / back).write_bytes(answer_overlay(png, item.pick, item.answer[0]))
                    media.append(str(Path(tmp) / back))
            stem_item = item
            if item.kind == "click":
                target = item.pick.name_of(item.answer[0]) if item.pick else item.answer[0]
                stem_item = replace(item, stem=f"Where is the {in_sentence(target)} in this view?")
            note = genanki.Note(
                model=MODEL,
                fields=[
                    _question(stem_item, front),
                    _answer(item, back),
                    _sources(item, refs) + (f"<br><small>{credit}</small>" if credit else ""),
                ],
                guid=genanki.guid_for(item.id, item.seed),
                tags=[item.topic, item.template],
            )
            deck.add_note(note)
        out = Path(tmp) / "deck.apkg"
        genanki.Package(deck, media_files=media).write_to_file(str(out), timestamp=0.0)
        return out.read_bytes()
