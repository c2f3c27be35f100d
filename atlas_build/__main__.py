"""``python -m atlas_build [--source DIR] [--out DIR] [--no-validate]``: rebuild the atlas's
anatomy from the adult body and validate it."""

from __future__ import annotations

import argparse
from pathlib import Path

from atlas_build.build import build
from atlas_build.sources import REPO, default_source


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=None, help="the adult_pelvis folder")
    parser.add_argument("--out", type=Path, default=REPO / "anatomy_data", help="atlas folder")
    parser.add_argument("--no-validate", action="store_true", help="skip the final validation")
    args = parser.parse_args(argv)
    build(args.source or default_source(), args.out, validate=not args.no_validate)


if __name__ == "__main__":
    main()
