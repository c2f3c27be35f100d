"""Where the project's data lives (``ATLAS_DATA_DIR`` overrides the atlas directory)."""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DEFAULT_ATLAS_DIR = Path(os.environ.get("ATLAS_DATA_DIR", PROJECT_DIR / "anatomy_data"))
