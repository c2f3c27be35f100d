"""The end of the build: what was measured and done (``meshes/registration.yaml``), the
licence and attribution files that must travel with the derived data, and the validation of
the atlas written."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from atlas_build.registration import Promontory
from atlas_build.sources import Source
from atlas_build.writers import dump_yaml, write_text

if TYPE_CHECKING:
    from atlas_build.build import Built

ATTRIBUTION = (
    "BodyParts3D - The Database Center for Life Science - CC-BY-SA 2.1 Japan",
    "Z-Anatomy - The open source atlas of anatomy - CC-BY-SA 4.0",
)
"""The two attribution lines every mesh, rendering or export derived from the adult body
must carry (the source's LICENSES/Z-Anatomy_upstream_License.txt)."""
LICENCE_FILES = ("BodyParts3D.txt", "Z-Anatomy_upstream_License.txt")
NOTICE = """\
The anatomy in this folder is derived from one adult male body described by two openly
licensed sources, and is shared under their terms:

  {bp3d}
  {za}

Derived from them (adaptations, CC BY-SA): the surfaces in meshes/ (bones, discs, muscles,
mapped rigidly to the atlas frame and decimated; meshes/detail/ keeps finer copies for
measurement), the vessel centerlines in structures/vessels_fitted.yaml, the nerve
centerlines in structures/nerves_fitted.yaml (Z-Anatomy is itself derived from
BodyParts3D), and the landmarks in landmarks_measured.yaml. The Z-Anatomy extracts used are
the lumbosacral nerves and bones only; none of the non-commercial components of the
distribution they were taken from is used. LICENSES/ holds the source's licence texts;
meshes/registration.yaml says what was measured and done.

BodyParts3D: Mitsuhashi N et al., Nucleic Acids Res 2009;37:D782-5. Z-Anatomy:
https://www.z-anatomy.com/.

The rest of the atlas (authored records, approaches, quiz items) is GPL-3.0-or-later like
the code. The derived files were written by `python -m atlas_build`.
"""


def write_licences(source: Source, out: Path) -> None:
    texts = source.licence_texts()
    for name in LICENCE_FILES:
        write_text(out / "LICENSES" / name, texts[name])
    write_text(out / "NOTICE", NOTICE.format(bp3d=ATTRIBUTION[0], za=ATTRIBUTION[1]))


def _promontory(p: Promontory) -> dict[str, Any]:
    return {
        "point_source_frame": [round(float(v), 2) for v in p.point],
        "vertex_source_frame": [round(float(v), 2) for v in p.vertex],
        "method": " ".join(Promontory.METHOD.split()),
    }


def write_registration(built: Built, path: Path) -> None:
    m = built.measured
    bodies: dict[str, dict[str, Any]] = {
        k: {
            "top_z": round(b.top_z, 1),
            "bottom_z": round(b.bottom_z, 1),
            "height": round(b.height, 1),
        }
        for k, b in m.bodies.items()
    }
    if m.s1 is not None:
        bodies["s1"] = {
            "anterior_superior_corner": [round(float(v), 1) for v in m.s1.anterior_superior],
            "posterior_superior_corner": [round(float(v), 1) for v in m.s1.posterior_superior],
            "anterior_inferior_corner": [round(float(v), 1) for v in m.s1.anterior_inferior],
            "centre": [round(float(v), 1) for v in m.s1.centre],
        }
    interauricular = float(
        np.linalg.norm(m.points["si_joint_anterior_right"] - m.points["si_joint_anterior_left"])
    )
    sacrum = built.solids.full("sacrum")
    data = {
        "description": (
            "How the atlas's anatomy was derived from the adult body (BodyParts3D 3.0 and "
            "Z-Anatomy; see ../NOTICE). Plain data for people: the atlas loader does not read "
            "this folder."
        ),
        "frame": "RAS, mm, origin at the sacral promontory",
        "rigid_map": {
            "formula": "p_atlas = R (p_source - promontory); R turns x and y (no scaling)",
            "matrix": [[round(float(v), 4) for v in row] for row in built.rigid.matrix],
            "promontory": _promontory(built.promontory),
            "zanatomy_to_bodyparts3d": "the source's za_to_bp3d_similarity.json, applied first",
        },
        "measured": {
            "bodies": bodies,
            "interauricular_distance_mm": round(interauricular, 1),
            "sacrum_width_mm": round(float(sacrum.bounds[1] - sacrum.bounds[0]), 1),
            "sacral_foramen_mouth_areas_mm2": {k: round(v) for k, v in m.foramen_areas.items()},
        },
        "vessels": built.vessels.report,
        "vessels_moved_out_of_solids_mm": built.report.get("vessels_moved_out_of_solids_mm", {}),
        "nerves": built.nerves.report(),
        "solids": {sid: s.report for sid, s in built.solids.items.items()},
    }
    dump_yaml(path, data, "what the build measured and did", blocks=True)


def validate_or_raise(atlas_dir: Path) -> None:
    """Run the atlas's validation battery; fail the build on any fault."""
    from atlas_app.validation import validate_atlas

    _, faults = validate_atlas(atlas_dir)
    if faults:
        lines = "\n".join(str(f) for f in faults[:40])
        raise RuntimeError(f"the atlas written does not validate ({len(faults)} faults):\n{lines}")
