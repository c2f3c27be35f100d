"""Where the project's data lives."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DEFAULT_ATLAS_DIR = PROJECT_DIR / "anatomy_data"
