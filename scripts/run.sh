#!/usr/bin/env bash
# Install everything the app needs, then serve it on http://localhost:${PORT:-8501}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export VTK_DEFAULT_OPENGL_WINDOW=${VTK_DEFAULT_OPENGL_WINDOW:-vtkOSOpenGLRenderWindow}
exec .venv/bin/streamlit run atlas_app/serve.py \
  --server.port "${PORT:-8501}" --server.headless true --browser.gatherUsageStats false
