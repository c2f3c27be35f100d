"""Self-assessment: quiz items, their generation from the model, grading, review, statistics.

Pure: no streamlit, no database, no OpenGL. Data flow::

    anatomy_data/quiz/*.yaml ──loader──► AuthoredItem ─┐
    atlas + approaches ──generate──► (item id, seed) ──┴─► Item ──grading──► Grade
                                                              │
    Grade ──scheduling (FSRS)──► review card      answers ──stats──► mastery, item analysis
    Items + images ──anki──► .apkg

- :mod:`.topics` — the topics and which structures and variants belong to each;
- :mod:`.items` — :class:`~.items.Item`, what a page shows and grades;
- :mod:`.schema`, :mod:`.loader` — authored items, validated with ``file:line: field`` faults;
- :mod:`.generate` — items made from the model, reproducible from (item id, seed);
- :mod:`.views`, :mod:`.pick` — the still view of an item and which structure a click hits;
- :mod:`.session` — a quiz's list of items, and the review queue;
- :mod:`.grading`, :mod:`.scheduling`, :mod:`.stats`, :mod:`.anki`.
"""
