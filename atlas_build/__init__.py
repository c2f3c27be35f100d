"""The offline build of the atlas's anatomy from one adult body.

Laid out like brainglobe's atlas generation: a small shared library (``sources``,
``registration``, ``surfaces``, ``probes``, ``centerlines``, ``landmarks``, ``authoring``,
``writers``) under thin per-source steps (``steps/``), with every name, description and
citation in ``prose/*.yaml``. ``python -m atlas_build`` runs the steps in order, writes the
derived files into ``anatomy_data/`` and ends by validating the atlas it wrote.

The app never imports this package (a test checks it): it reads only what the build wrote.
"""
