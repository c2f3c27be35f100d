"""The store behind quizzes and accounts: SQLAlchemy 2 and Alembic, no streamlit.

- :mod:`.db` — the engine for ``DATABASE_URL`` (else a SQLite file under ``var/``), migrated
  to the newest schema on first use;
- :mod:`.models` — the tables (users, quiz_sessions, answers, review_cards);
- :mod:`.accounts` — users, argon2 passwords, roles, OpenID Connect accounts;
- :mod:`.quiz_store` — quiz sessions, answers and review cards, one transaction per write;
- :mod:`.cli` — ``python -m atlas_app users add|set-role|list``.

Modules are imported one by one (``from atlas_app.storage.db import get_engine``) so that
importing this package costs nothing.
"""
