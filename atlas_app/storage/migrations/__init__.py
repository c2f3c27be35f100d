"""Alembic migrations of the store (``env.py``; revisions in ``versions/``)."""
