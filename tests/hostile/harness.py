"""Runs the hostile-input corpus in its own process and prints one JSON line per case.

``python -m tests.hostile.harness ATLAS_DIR WORK_DIR [FIRST]`` — the test starts it, reads
its lines, and restarts it after the case that killed it, if one ever does. Each case line
says what ``validate`` (or the case import) did: the faults' checks, or the traceback it
must never give, and how much memory the case took at its peak above the process's size
before it (Linux's VmHWM, reset before each case through /proc/self/clear_refs).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
import traceback
from pathlib import Path


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _emit(**fields: object) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def main() -> None:
    from atlas_app.approaches.loader import load_approaches
    from atlas_app.cases.yaml_io import CaseImportError, case_from_yaml
    from atlas_app.model.loader import load_atlas
    from atlas_app.validation import validate_all
    from tests.hostile.corpus import atlas_cases, case_file_texts

    atlas_dir, work = Path(sys.argv[1]), Path(sys.argv[2])
    first = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    validate_all(atlas_dir)  # warm the imports, so the first case's peak is its own

    cases = atlas_cases()
    for index, case in enumerate(cases):
        if index < first:
            continue
        _emit(start=case.name, index=index)
        copy = work / f"case_{index}"
        shutil.copytree(atlas_dir, copy, symlinks=True)
        case.damage(copy)
        before = _kib("VmRSS")
        _reset_peak()
        started = time.perf_counter()
        try:
            faults = validate_all(copy).faults
            error = None
        except BaseException:
            faults, error = (), traceback.format_exc()
        _emit(
            case=case.name,
            index=index,
            checks=sorted({f.check for f in faults}),
            faults=len(faults),
            sample=[str(f) for f in faults[:3]],
            one_line=all("\n" not in str(f) and str(f).isprintable() for f in faults),
            error=error,
            expect=case.expect,
            peak_mb=round((_kib("VmHWM") - before) / 1024, 1),
            seconds=round(time.perf_counter() - started, 3),
        )
        shutil.rmtree(copy, ignore_errors=True)

    atlas = load_atlas(atlas_dir)
    approaches = load_approaches(atlas)
    for offset, (name, data) in enumerate(case_file_texts().items()):
        index = len(cases) + offset
        if index < first:
            continue
        _emit(start=f"case_file:{name}", index=index)
        before = _kib("VmRSS")
        _reset_peak()
        started = time.perf_counter()
        refused, error = "", None
        try:
            case_from_yaml(data, atlas, approaches)
        except CaseImportError as exc:
            refused = str(exc)
        except BaseException:
            error = traceback.format_exc()
        _emit(
            case=f"case_file:{name}",
            index=index,
            checks=["refused"] if refused else [],
            faults=1 if refused else 0,
            sample=[refused],
            error=error,
            expect=None,
            peak_mb=round((_kib("VmHWM") - before) / 1024, 1),
            seconds=round(time.perf_counter() - started, 3),
        )
    _emit(done=True)


if __name__ == "__main__":
    main()
