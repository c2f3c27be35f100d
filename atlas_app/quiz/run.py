"""One quiz being taken: its plan, where the learner is, what was answered and said.

A :class:`QuizRun` is the quiz page's state machine as a plain object (no streamlit, no
store): it is started from a plan, answered item by item, moved on, ended early or retried,
and summed up. The page keeps it in the browser session (``ui.quiz_session``) and saves a
signed-in user's answers through the store's facade; everything it decides is here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from atlas_app.quiz.grading import Grade
from atlas_app.quiz.items import Item
from atlas_app.quiz.session import ItemRef

MODES = ("quiz", "review", "retry")
MODE_NAMES = {"quiz": "Quiz", "review": "Review", "retry": "Again"}


@dataclass(frozen=True)
class Feedback:
    """What the learner is told about the answer just given (kept until *Next item*)."""

    response: str
    correct: bool
    score: float
    message: str
    save_error: str | None = None


@dataclass(frozen=True)
class Result:
    """One answered item, for the score and the list of what to revisit."""

    item_id: str
    seed: int
    topic: str
    stem: str
    correct: bool
    score: float
    message: str

    @property
    def ref(self) -> tuple[str, int]:
        return (self.item_id, self.seed)


@dataclass(frozen=True)
class Score:
    """A run's score over the items answered."""

    answered: int
    right: int
    total: float
    by_topic: dict[str, list[float]]

    @property
    def fraction(self) -> float | None:
        return self.total / self.answered if self.answered else None


@dataclass
class QuizRun:
    """A quiz in progress. ``plan`` holds (item id, seed) pairs: enough to make each item
    again; ``index`` is the item shown (``len(plan)`` once the quiz is over)."""

    plan: list[tuple[str, int]]
    seed: int
    mode: str = "quiz"
    of_topics: list[str] = field(default_factory=list)
    index: int = 0
    results: list[Result] = field(default_factory=list)
    feedback: Feedback | None = None
    session_id: int | None = None  # the stored quiz session, once a first answer is saved
    finished: bool = False  # the stored session has been marked finished
    ended_at: int | None = None  # the index at which the learner ended the quiz early

    @classmethod
    def start(cls, plan: Iterable[ItemRef], mode: str, seed: int, topics: Iterable[str]) -> QuizRun:
        if mode not in MODES:
            raise ValueError(f"unknown quiz mode {mode!r}")
        return cls(
            plan=[(r.item_id, r.seed) for r in plan],
            seed=int(seed),
            mode=mode,
            of_topics=sorted(set(topics)),
        )

    @classmethod
    def retry(cls, refs: Sequence[tuple[str, int]], seed: int, topics: Iterable[str]) -> QuizRun:
        """The given items again, each on its own seed (the same question); ``seed`` is the
        new run's, so its widgets start empty."""
        return cls.start([ItemRef(i, s) for i, s in refs], "retry", seed, topics)

    # --- Where the learner is ---------------------------------------------------------------

    @property
    def over(self) -> bool:
        return self.index >= len(self.plan)

    @property
    def current(self) -> ItemRef:
        item_id, seed = self.plan[self.index]
        return ItemRef(item_id, int(seed))

    @property
    def is_last(self) -> bool:
        return self.index + 1 >= len(self.plan)

    @property
    def answered(self) -> bool:
        """The item shown has been answered (its feedback is on the screen)."""
        return self.feedback is not None

    @property
    def mode_name(self) -> str:
        return MODE_NAMES.get(self.mode, "Quiz")

    def widget_key(self, name: str) -> str:
        """A widget key unique to this run and item, so no answer carries over."""
        return f"quiz.{name}.{self.seed}.{self.index}"

    # --- Moving on ----------------------------------------------------------------------------

    def answer(self, item: Item, response: str, result: Grade) -> Feedback:
        """Keep an answer: its feedback for the screen and its row for the score."""
        self.feedback = Feedback(response, result.correct, result.score, result.message)
        self.results.append(
            Result(
                item.id,
                item.seed,
                item.topic,
                item.stem,
                result.correct,
                result.score,
                result.message,
            )
        )
        return self.feedback

    def note_save_error(self, text: str | None) -> None:
        """Say beside the feedback that the answer could not be stored (the quiz goes on)."""
        if self.feedback is not None and text:
            self.feedback = replace(self.feedback, save_error=text)

    def advance(self) -> None:
        """The next item (or the score, after the last one)."""
        self.index += 1
        self.feedback = None

    def end_early(self) -> None:
        """Stop here: the score is of the items answered so far."""
        self.ended_at = self.index
        self.index = len(self.plan)
        self.feedback = None

    # --- The score ------------------------------------------------------------------------------

    def score(self) -> Score:
        by_topic: dict[str, list[float]] = {}
        for r in self.results:
            by_topic.setdefault(r.topic, []).append(r.score)
        return Score(
            answered=len(self.results),
            right=sum(r.correct for r in self.results),
            total=sum(r.score for r in self.results),
            by_topic=by_topic,
        )

    def missed(self) -> list[Result]:
        """The items not fully right, in the order they were answered."""
        return [r for r in self.results if r.score < 1]
