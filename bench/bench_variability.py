"""Benchmark of the variability sampler: every approach's working corridor on 2,000 specimens.

Run: .venv/bin/python bench/bench_variability.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import report, row, timed

from atlas_app.approaches import variability, variant_effects
from atlas_app.approaches.api import mesh_vertices
from atlas_app.approaches.loader import load_approaches
from atlas_app.approaches.variability import Variability, run_variability
from atlas_app.model.loader import load_atlas
from atlas_app.model.specimen import build_specimen
from atlas_app.paths import DEFAULT_ATLAS_DIR

N = 2000
SEED = 1
TARGET_S = 3.0


def main() -> None:
    atlas = load_atlas(DEFAULT_ATLAS_DIR)
    approaches = load_approaches(atlas)
    ids = tuple(approaches.approaches)
    t_meshes, meshes = timed(lambda: mesh_vertices(atlas, build_specimen(atlas)))

    def run(seed: int = SEED) -> Variability:
        return run_variability(atlas, approaches, ids, meshes, n=N, seed=seed)

    def forget() -> None:
        """Cold: no clearance measured, no variant's reach worked out yet in this process."""
        variability._curve_clearance.cache_clear()
        variant_effects._touches.clear()

    forget()
    t_cold, result = timed(run)
    t_warm, _ = timed(run, repeat=3)  # the clearance cache is warm (same shapes)
    forget()
    t_other_seed, other = timed(lambda: run(SEED + 1))
    report(
        "variability",
        [
            row("surface vertices of the default specimen (input)", t_meshes * 1000, "ms"),
            row(
                f"run_variability, {N:,} specimens × {len(ids)} approaches, cold",
                t_cold,
                "s",
                f"< {TARGET_S:g} s",
                t_cold < TARGET_S,
            ),
            row("the same again, clearance cache warm (best of 3)", t_warm, "s"),
            row(
                f"another seed ({SEED + 1}), cold",
                t_other_seed,
                "s",
                f"< {TARGET_S:g} s",
                t_other_seed < TARGET_S,
            ),
            row("distinct variant combinations sampled (seed 1)", result.unique_specimens, "count"),
            row("walks of a working step (seed 1, all approaches)", result.walks, "count"),
            row(
                f"walks of a working step (seed {SEED + 1}, all approaches)",
                other.walks,
                "count",
            ),
        ],
        notes=[
            "A working step is walked once per combination of the variant groups that act on "
            "it (the vessels, what it retracts and carries, what aims its corridor); a "
            "structure only looked at is measured once per combination of its own variants "
            "and corridor, so the cost follows those combinations, not the specimens.",
            f"Load average when run (1, 5, 15 min): {os.getloadavg()} on {os.cpu_count()} "
            "cores; other engineers' test runs share this machine.",
            "Cold = the module's clearance cache emptied first; the atlas, approaches and "
            "surface meshes are loaded beforehand in both cases.",
        ],
    )


if __name__ == "__main__":
    main()
