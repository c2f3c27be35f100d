"""``python -m atlas_app`` — see :mod:`atlas_app.cli`."""

import sys

from atlas_app.cli import main

sys.exit(main())
