"""Running several app servers behind a reverse proxy on one PostgreSQL (see the README)."""
