"""Broken and hostile inputs: ``validate`` and the case import refuse every one of them,
with a named fault and never a traceback, a crash or a memory blow-up (issue 15).

The corpus (:mod:`tests.hostile.corpus`) runs in a child process so that a crash — libyaml's
composer used to segfault on deep nesting, taking the server down — is seen as a failing
case instead of ending the test run; the child is restarted after such a case.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from atlas_app.paths import DEFAULT_ATLAS_DIR
from tests.hostile.corpus import atlas_cases, case_file_texts

pytestmark = pytest.mark.slow  # the corpus takes minutes to run

REPO = Path(__file__).resolve().parents[2]
PEAK_MB = 200


def _run_corpus(work: Path) -> tuple[list[dict[str, Any]], list[str]]:
    rows: list[dict[str, Any]] = []
    crashes: list[str] = []
    first = 0
    while True:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.hostile.harness",
                str(DEFAULT_ATLAS_DIR),
                str(work),
                str(first),
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=900,
        )
        lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        rows += [r for r in lines if "case" in r]
        if any(r.get("done") for r in lines):
            return rows, crashes
        started = [r for r in lines if "start" in r]
        if not started:
            raise AssertionError(f"the harness did not start: {proc.stderr[-2000:]}")
        last = started[-1]
        crashes.append(f"{last['start']}: exit {proc.returncode} {proc.stderr[-500:]}")
        first = last["index"] + 1


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    rows, crashes = _run_corpus(tmp_path_factory.mktemp("hostile"))
    assert crashes == [], "cases that crashed the process:\n" + "\n".join(crashes)
    return rows


def test_the_corpus_is_large_and_complete(corpus: list[dict[str, Any]]) -> None:
    assert len(corpus) == len(atlas_cases()) + len(case_file_texts())
    assert len(atlas_cases()) >= 123


def test_no_case_gives_a_traceback(corpus: list[dict[str, Any]]) -> None:
    failures = [f"{r['case']}:\n{r['error']}" for r in corpus if r["error"]]
    assert failures == []


def test_no_broken_input_is_accepted(corpus: list[dict[str, Any]]) -> None:
    accepted = [r["case"] for r in corpus if not r["error"] and r["faults"] == 0]
    assert accepted == []


def test_each_case_is_refused_by_its_named_check(corpus: list[dict[str, Any]]) -> None:
    wrong = [
        f"{r['case']}: expected {r['expect']}, got {r['checks']} {r['sample'][:1]}"
        for r in corpus
        if r["expect"] and r["expect"] not in r["checks"]
    ]
    assert wrong == []


def test_every_fault_prints_on_one_line(corpus: list[dict[str, Any]]) -> None:
    assert [r["case"] for r in corpus if not r.get("one_line", True)] == []


def test_memory_stays_bounded(corpus: list[dict[str, Any]]) -> None:
    heavy = [f"{r['case']}: {r['peak_mb']} MB" for r in corpus if r["peak_mb"] > PEAK_MB]
    assert heavy == []
