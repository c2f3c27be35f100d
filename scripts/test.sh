#!/usr/bin/env bash
# Install what the tests need (Python packages, Debian's chromium), then run the whole suite:
# lint and format, types, the import contracts (pyproject.toml), the shipped atlas's
# validation, and pytest (unit, data, app and browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
export VTK_DEFAULT_OPENGL_WINDOW=${VTK_DEFAULT_OPENGL_WINDOW:-vtkOSOpenGLRenderWindow}
echo "== ruff";     .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy";     .venv/bin/mypy
echo "== imports";  .venv/bin/lint-imports --no-cache
echo "== validate"; .venv/bin/python -m atlas_app validate anatomy_data
echo "== pytest";   .venv/bin/python -m pytest "$@"
