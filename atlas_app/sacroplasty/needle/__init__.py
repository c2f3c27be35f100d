"""Needle paths of the techniques, their cement, and what a needle plan measures.

The package: ``path`` (a needle, the cement, a technique's needles), ``anatomy`` (the
sacrum, foramina and nerves a needle is measured against), ``measures`` (what is
measured), ``measuring`` (measuring a needle) and ``plan_warnings`` (what the planner
says about it).

A needle is a straight segment from its entry point to its tip (the aim). Measured against
the registered sacrum of a specimen: how much of it lies in bone, whether it leaves the
bone on the way (through the anterior cortex, the cephalad cortex of the ala, the S1
endplate, the side of the ala…), whether it crosses a foramen, which Denis zone its tip is
in, how far the tip is behind the anterior cortex, and the gap to the L5 root, the
lumbosacral trunk and the S1 root. The sacrum is the whole bone of the adult body (with
its foramina open), so every part of a path is checked.
"""
