#!/usr/bin/env bash
# Install what the app needs (Debian GL libraries for server-side rendering, Python packages in
# .venv). Safe to run again: it skips what is already there. Usage: scripts/setup.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# OSMesa lets VTK render still views and exports without a display or GPU.
apt_install libosmesa6 libgl1 libglx-mesa0 libxrender1 fonts-dejavu-core
if [ "${1:-}" = "dev" ]; then
  # Debian's browser for the end-to-end tests (never a downloaded one), PostgreSQL for the
  # storage tests, nginx for the two-server tests.
  apt_install chromium postgresql nginx-light
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# constraints.txt pins every package down to the transitive ones (the tested set).
if [ "${1:-}" = "dev" ]; then
  .venv/bin/python -m pip install -q -r requirements-dev.txt -c constraints.txt
else
  .venv/bin/python -m pip install -q -r requirements.txt -c constraints.txt
fi
