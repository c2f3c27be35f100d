"""The simulation's physical and display settings, and the types its modules share."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

VOXEL_MM = 1.0
CORTEX_MM = 2
MU_PER_MM = {
    "soft": 0.020,  # water-like tissue at ~60 keV
    "marrow_bone": 0.011,  # excess of osteoporotic cancellous bone over soft tissue
    "cortex": 0.040,  # excess of the cortical shell (partial volume of a thin cortex)
    "cement": 0.35,  # PMMA with barium sulphate: far denser than bone
    "steel": 1.5,  # effective: a steel cannula shows black, as on a monitor
}
BODY_ELLIPSE = (0.0, 8.0, 165.0, 103.0)  # centre x, y and half-axes (mm) of the trunk
FOV_MM = 200.0  # the sacrum, L5 and the schematic entry fill the field
PIXEL_MM = 0.5
DEFAULT_CENTRE = (0.0, -25.0, -18.0)
EDGE_GAIN = 0.6  # unsharp mask of the displayed image
EDGE_SIGMA_PX = 3.0
BONE_GAMMA = 0.8  # below 1: the thinner bone a little denser, as on a monitor
Style = Literal["monitor", "radiograph"]
U8 = NDArray[np.uint8]
F32 = NDArray[np.float32]
