"""Benchmark of the no_intersections check: the contact survey of every specimen it visits
(the base, each variant option, each pair of interacting options), cold in a fresh process
and warm, on the shipped atlas whatever its manifest switches off. The notes list what it
finds, so the figure and the list of intersecting pairs come from the same run.

Run: .venv/bin/python bench/bench_contacts.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import report, row, timed

from atlas_app.geometry.contacts import Survey, survey_contacts
from atlas_app.model.atlas import Atlas
from atlas_app.model.loader import load_atlas
from atlas_app.paths import DEFAULT_ATLAS_DIR


def _specimen(atlas: Atlas, options: tuple[tuple[str, int], ...]) -> str:
    names = [atlas.variant_groups[g].options[i].id for g, i in options]
    return " + ".join(names) or "base"


def _lines(atlas: Atlas, survey: Survey) -> list[str]:
    out = []
    for f in survey.findings:
        hit = f.intersection
        verdict = (
            f"allowed ({f.allowance})"
            if not f.is_fault
            else f"FAULT: beyond '{f.allowance}': {f.excess}"
            if f.excess
            else "FAULT"
        )
        out.append(
            f"{_specimen(atlas, f.visit.options)}: {hit.a} × {hit.b}, "
            f"{hit.depth_mm:.1f} mm deep over {hit.length_mm:.0f} mm — {verdict}"
        )
    return out


def main() -> None:
    atlas = load_atlas(DEFAULT_ATLAS_DIR)
    t_cold, survey = timed(lambda: survey_contacts(atlas))
    t_warm, _ = timed(lambda: survey_contacts(atlas), repeat=3)
    faults = sum(f.is_fault for f in survey.findings)
    report(
        "contacts",
        [
            row(
                "contact survey of every specimen, cold (fresh process)",
                t_cold,
                "s",
                "< 5 s",
                t_cold < 5,
            ),
            row("contact survey, warm (cached pairs), best of 3", t_warm * 1000, "ms"),
            row("specimens measured (base, options, interacting pairs)", survey.specimens, "count"),
            row("pairs passing through each other, not allowed", faults, "count"),
            row("allowed contacts found", len(survey.findings) - faults, "count"),
            row("allowances no specimen uses", len(survey.unused_allowances), "count"),
        ],
        notes=_lines(atlas, survey),
    )


if __name__ == "__main__":
    main()
