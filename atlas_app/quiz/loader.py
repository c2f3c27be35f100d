"""Quiz files → authored items, with faults named by file, line and field.

``anatomy_data/quiz/*.yaml`` each hold ``schema_version`` and a list ``quiz_items``, a list
``figure_questions`` (how generated items ask about the atlas's published numbers), or both.
Every id an item names must exist: its topic (:data:`~.topics.TOPICS`), its citations
(``references.yaml``), the structures it shows (of the base model or added by a variant)
and the variant options of its specimen; a question's figure or variant must exist and
carry a sourced number. Stems must not be vague and no option may cue the answer
(:mod:`.bank_check`). Never raises on bad data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas_app.approaches.loader import known_structures
from atlas_app.caching import ObjectMemo
from atlas_app.model.atlas import Atlas, Fault
from atlas_app.model.data_files import Issue, field_path, read_versioned, validate_record
from atlas_app.model.specimen import SpecError, parse_spec
from atlas_app.model.yaml_io import DocPath, LoadedYaml, relative_path
from atlas_app.quiz.bank_check import cue_problems, stem_problems, unit_of
from atlas_app.quiz.schema import (
    QUESTIONS_KEY,
    QUIZ_KEY,
    AuthoredItem,
    FigureQuestion,
    kind_problems,
)
from atlas_app.quiz.topics import TOPICS

FOLDER = "quiz"


@dataclass(frozen=True)
class QuizBank:
    """The authored items that passed validation, and the faults of those that did not."""

    items: dict[str, AuthoredItem]
    faults: tuple[Fault, ...]
    origins: dict[str, tuple[str, int]]  # item id → (file, line)
    questions: dict[str, FigureQuestion] = field(default_factory=dict)  # target → question

    def by_topic(self, topic: str) -> list[AuthoredItem]:
        return [i for i in self.items.values() if i.topic == topic]


class _Reader:
    def __init__(self, atlas: Atlas) -> None:
        self.atlas = atlas
        self.structures = known_structures(atlas)
        self.faults: list[Fault] = []
        self.items: dict[str, AuthoredItem] = {}
        self.origins: dict[str, tuple[str, int]] = {}
        self.questions: dict[str, FigureQuestion] = {}

    def add(
        self,
        rel: str,
        doc: LoadedYaml,
        loc: DocPath,
        problem: str,
        check: str,
    ) -> None:
        self.faults.append(Fault(rel, doc.line_of(loc), field_path(loc), problem, check))

    def read(self, path: Path) -> None:
        versioned = read_versioned(path, self.faults)
        if versioned is None:
            return
        doc, data = versioned
        rel = relative_path(path)
        others = [k for k in data if k not in ("schema_version", QUIZ_KEY, QUESTIONS_KEY)]
        if others or not (QUIZ_KEY in data or QUESTIONS_KEY in data):
            self.add(
                rel,
                doc,
                (others[0],) if others else (),
                f"expected schema_version and {QUIZ_KEY} or {QUESTIONS_KEY}; found "
                + (", ".join(map(str, others)) or "no items"),
                "schema",
            )
            return
        for key, read in ((QUIZ_KEY, self.read_item), (QUESTIONS_KEY, self.read_question)):
            if key not in data:
                continue
            raw_items = data[key]
            if not isinstance(raw_items, list):
                self.add(rel, doc, (key,), "expected a list", "schema")
                continue
            for i, raw in enumerate(raw_items):
                read(rel, doc, i, raw)

    def read_question(self, rel: str, doc: LoadedYaml, i: int, raw: Any) -> None:
        base: DocPath = (QUESTIONS_KEY, i)
        question = validate_record(FigureQuestion, raw, base, doc, self.faults)
        if question is None:
            return
        problems = list(self.check_question(question))
        for loc, problem, check in problems:
            line = doc.line_of((*base, *loc))
            self.faults.append(Fault(rel, line, field_path((*base, *loc)), problem, check))
        if problems:
            return
        if question.target in self.questions:
            self.add(rel, doc, (*base, "figure"), f"{question.target} is asked twice", "unique_ids")
            return
        self.questions[question.target] = question

    def check_question(self, q: FigureQuestion) -> Iterator[Issue]:
        unit: str | None = "%"
        if q.figure is not None:
            sid, fid = q.figure.split(".", 1)
            s = self.atlas.structures.get(sid)
            figure = next((f for f in s.figures if f.id == fid), None) if s else None
            if figure is None or figure.value is None:
                yield (
                    ("figure",),
                    f"no figure '{q.figure}' with a value in the atlas",
                    ("references_resolve"),
                )
                return
            unit = figure.unit
            cites = figure.cite
        else:
            option = next(
                (o for g in self.atlas.variant_groups.values() for o in g.options
                 if o.id == q.variant),
                None,
            )  # fmt: skip
            if option is None:
                yield ("variant",), f"unknown variant option '{q.variant}'", "references_resolve"
                return
            cites = option.cite
        if not any(c.confidence in ("V", "S") for c in cites):
            yield (
                ("figure" if q.figure else "variant",),
                "its number is only inferred, not published: a question would not be asked",
                "quiz_stem",
            )
        for j, c in enumerate(q.also_cite):
            if c.ref not in self.atlas.references:
                yield ("also_cite", j), f"unknown reference '{c.ref}'", "citations_resolve"
        for problem in stem_problems(q.stem, unit, needs_population=True):
            yield ("stem",), problem, "quiz_stem"

    def read_item(self, rel: str, doc: LoadedYaml, i: int, raw: Any) -> None:
        base: DocPath = (QUIZ_KEY, i)
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        label = str(raw_id) if raw_id else f"{QUIZ_KEY}[{i}]"
        item = validate_record(AuthoredItem, raw, base, doc, self.faults, label)
        if item is None:
            return
        problems = list(self.cross_check(item))
        for loc, problem, check in problems:
            line = doc.line_of((*base, *loc))
            self.faults.append(Fault(rel, line, field_path((item.id, *loc)), problem, check))
        if problems:
            return
        if item.id in self.items:
            first = self.origins[item.id]
            self.faults.append(
                Fault(
                    rel,
                    doc.line_of((*base, "id")),
                    f"{item.id}.id",
                    f"duplicate id (first defined in {first[0]}:{first[1]})",
                    "unique_ids",
                )
            )
            return
        self.items[item.id] = item
        self.origins[item.id] = (rel, doc.line_of(base))

    def cross_check(self, item: AuthoredItem) -> Iterator[Issue]:
        for name, problem in kind_problems(item):
            yield (name,), problem, "quiz_kind"
        options = [*item.answers, *item.distractors]
        unit = item.unit if item.kind == "numeric" else unit_of(options)
        for problem in stem_problems(item.stem, unit, needs_population=False):
            yield ("stem",), problem, "quiz_stem"
        for problem in cue_problems(options, item.answers):
            yield ("answers",), problem, "quiz_cue"
        if item.topic not in TOPICS:
            yield (
                ("topic",),
                f"unknown topic '{item.topic}' (known: {', '.join(TOPICS)})",
                "quiz_topic",
            )
        for j, c in enumerate(item.cite):
            if c.ref not in self.atlas.references:
                yield ("cite", j), f"unknown reference '{c.ref}'", "citations_resolve"
        for j, sid in enumerate(item.structures):
            if sid not in self.structures:
                yield ("structures", j), f"unknown structure '{sid}'", "references_resolve"
        if item.specimen:
            try:
                parse_spec(self.atlas, ",".join(item.specimen))
            except SpecError as exc:
                yield ("specimen",), str(exc), "references_resolve"


_banks: ObjectMemo[QuizBank] = ObjectMemo(items=8)


def load_quiz_bank(atlas: Atlas) -> QuizBank:
    """Read and check every quiz file of an atlas (none is fine: an empty bank), once per
    atlas object: the quiz page, the titles and the generated questions share one reading."""
    return _banks.get_or_make((atlas,), lambda: _read_quiz_bank(atlas))


def _read_quiz_bank(atlas: Atlas) -> QuizBank:
    reader = _Reader(atlas)
    folder = atlas.root / FOLDER
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        reader.read(path)
    return QuizBank(reader.items, tuple(sorted(reader.faults)), reader.origins, reader.questions)


def check_quiz(atlas: Atlas) -> list[Fault]:
    """The faults of the atlas's quiz files (for ``validate``)."""
    return list(load_quiz_bank(atlas).faults)


def figure_questions(atlas: Atlas) -> dict[str, FigureQuestion]:
    """The questions of the atlas's quiz files, by target (``structure.figure`` or a variant
    option id)."""
    return load_quiz_bank(atlas).questions
