"""Command line: ``python -m atlas_app validate|export|metrics``.

Data problems are reported as ``file:line: field: problem`` and a non-zero exit status,
never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from atlas_app.paths import DEFAULT_ATLAS_DIR

if TYPE_CHECKING:  # the commands import what they need when they run
    from atlas_app.model.atlas import Atlas

EXPORT_FORMATS = ("json", "vtp", "stl", "glb")


def _cmd_validate(args: argparse.Namespace) -> int:
    from atlas_app.model.checks import switched_off
    from atlas_app.validation import N_CHECKS, validate_all

    report = validate_all(args.directory)
    for fault in report.faults:
        print(fault)
    if report.faults:
        checks = sorted({f.check for f in report.faults})
        print(
            f"{len(report.faults)} fault(s) in {args.directory} (checks: {', '.join(checks)})",
            file=sys.stderr,
        )
        return 1
    atlas = report.atlas
    off = switched_off(atlas)
    n_options = sum(len(g.options) for g in atlas.variant_groups.values())
    off_note = f" ({', '.join(off)} switched off in atlas.yaml)" if off else ""
    print(
        f"ok: {args.directory}: {len(atlas.structures)} structures, {len(atlas.landmarks)} "
        f"landmarks, {len(atlas.variant_groups)} variant groups ({n_options} options), "
        f"{len(atlas.references)} references, {len(report.approaches.approaches)} approaches; "
        f"{N_CHECKS - len(off)} checks passed{off_note}"
    )
    return 0


def _load_clean_atlas(directory: Path) -> Atlas | None:
    """The atlas, or None after printing its faults (exports refuse broken data)."""
    from atlas_app.geometry.mesh_files import check_mesh_data
    from atlas_app.validation import validate_atlas

    atlas, faults = validate_atlas(directory, geometric=False)  # broken records, not contacts
    faults = sorted(set(faults) | set(check_mesh_data(atlas)))
    if faults:
        for fault in faults:
            print(fault, file=sys.stderr)
        print(f"refusing to export: {len(faults)} fault(s); run `validate`", file=sys.stderr)
        return None
    return atlas


def _cmd_export(args: argparse.Namespace) -> int:
    from atlas_app.model.specimen import PatchError, SpecError, build_specimen

    atlas = _load_clean_atlas(args.atlas)
    if atlas is None:
        return 1
    try:
        specimen = build_specimen(atlas, args.specimen)
    except (SpecError, PatchError) as exc:
        print(f"--specimen: {exc}", file=sys.stderr)
        return 2
    from atlas_app import export

    if args.format == "json":
        text = json.dumps(export.specimen_to_json(atlas, specimen), indent=1)
        if args.out:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
            print(f"wrote {args.out}", file=sys.stderr)
        else:
            print(text)
        return 0
    out = Path(args.out or f"export_{specimen.spec.replace(',', '+')}")
    written = export.write_meshes(atlas, specimen, args.format, out)
    for path in written:
        print(path)
    return 0


def _cmd_metrics(args: argparse.Namespace) -> int:
    from atlas_app.approaches.api import measure_approach
    from atlas_app.approaches.loader import load_approaches
    from atlas_app.model.specimen import PatchError, SpecError, build_specimen

    atlas = _load_clean_atlas(args.atlas)
    if atlas is None:
        return 1
    approaches = load_approaches(atlas)
    if approaches.faults:
        for fault in approaches.faults:
            print(fault, file=sys.stderr)
        return 1
    if args.approach not in approaches.approaches:
        known = ", ".join(sorted(approaches.approaches))
        print(f"--approach: unknown approach '{args.approach}' (known: {known})", file=sys.stderr)
        return 2
    try:
        specimen = build_specimen(atlas, args.specimen)
    except (SpecError, PatchError) as exc:
        print(f"--specimen: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(measure_approach(atlas, approaches, specimen, args.approach), indent=1))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m atlas_app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check every data file of an atlas")
    v.add_argument("directory", nargs="?", type=Path, default=DEFAULT_ATLAS_DIR)
    v.set_defaults(func=_cmd_validate)

    e = sub.add_parser("export", help="write the geometry of one specimen")
    e.add_argument(
        "--specimen", default="default", help="'default' or comma-separated variant option ids"
    )
    e.add_argument("--format", choices=EXPORT_FORMATS, default="json")
    e.add_argument("--out", help="file (json) or folder (vtp, stl) or .glb file to write")
    e.add_argument("--atlas", type=Path, default=DEFAULT_ATLAS_DIR)
    e.set_defaults(func=_cmd_export)

    m = sub.add_parser("metrics", help="per-step metrics of an approach as JSON")
    m.add_argument("--approach", required=True)
    m.add_argument("--specimen", default="default")
    m.add_argument("--atlas", type=Path, default=DEFAULT_ATLAS_DIR)
    m.set_defaults(func=_cmd_metrics)

    from atlas_app.storage.cli import add_parser as add_users_parser

    add_users_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
