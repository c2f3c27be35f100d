"""Benchmark of the pure layers: load and validate the atlas, build specimens, export.

Run: .venv/bin/python bench/bench_model.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import report, row, timed

from atlas_app.export import specimen_to_json
from atlas_app.geometry.specimen_meshes import specimen_meshes
from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import build_specimen, sample_choices
from atlas_app.paths import DEFAULT_ATLAS_DIR
from atlas_app.validation import run_checks, validate_atlas


def main() -> None:
    t_load, atlas = timed(lambda: load_atlas(DEFAULT_ATLAS_DIR))
    t_checks, faults = timed(lambda: run_checks(atlas))
    t_validate, _ = timed(lambda: validate_atlas(DEFAULT_ATLAS_DIR), repeat=3)
    t_spec, default = timed(lambda: build_specimen(atlas), repeat=5)
    t_variant, variant = timed(
        lambda: build_specimen(atlas, "lst_above_ala_right,bifurcation_l5_body"), repeat=5
    )
    t_mesh_cold, _ = timed(lambda: specimen_meshes(atlas, default))
    t_mesh_warm, _ = timed(lambda: specimen_meshes(atlas, default), repeat=5)
    t_mesh_variant, _ = timed(lambda: specimen_meshes(atlas, variant))
    t_json, _ = timed(lambda: specimen_to_json(atlas, default), repeat=3)
    t_sample, choices = timed(lambda: sample_choices(atlas, 2000, seed=1))
    t_build2000, _ = timed(lambda: [build_specimen(atlas, c) for c in choices])
    report(
        "model",
        [
            row("load atlas (YAML → typed model)", t_load * 1000, "ms"),
            row("run the 17 named checks", t_checks * 1000, "ms"),
            row("validate (load + checks), best of 3", t_validate * 1000, "ms"),
            row("build default specimen", t_spec * 1000, "ms"),
            row("build a two-variant specimen", t_variant * 1000, "ms"),
            row("surfaces of the default specimen, cold", t_mesh_cold * 1000, "ms"),
            row("surfaces of the default specimen, warm", t_mesh_warm * 1000, "ms"),
            row("surfaces after a variant change (changed ones only)", t_mesh_variant * 1000, "ms"),
            row("export JSON of the default specimen", t_json * 1000, "ms"),
            row("sample 2,000 specimens' variant choices", t_sample * 1000, "ms"),
            row("build 2,000 sampled specimens", t_build2000, "s"),
            row("structures in the default specimen", len(default.structures), "count"),
            row("faults in the shipped atlas", len(faults), "count", "0", len(faults) == 0),
        ],
    )


if __name__ == "__main__":
    main()
