#!/usr/bin/env bash
# Rebuild the 3D viewer's bundle (atlas_app/viewer/viewer.js and its THIRD_PARTY_LICENSES.txt)
# from frontend/: installs the npm packages pinned by frontend/package-lock.json (from the npm
# registry), bundles them with esbuild and runs the viewer's JavaScript tests. Needs Node 18+
# and npm; running the app does not (the bundle is committed).
set -euo pipefail
cd "$(dirname "$0")/../frontend"
command -v npm >/dev/null || { echo "npm is not installed (apt-get install nodejs npm)" >&2; exit 1; }
npm ci --no-audit --no-fund
node --test test/
node build.mjs
