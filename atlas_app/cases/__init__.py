"""Case conferences, the pure layer (no Streamlit): model, checks, YAML, exports.

Public names the pages and the store code against (stable; additions are listed here):

``atlas_app.cases.model``
    ``Case``, ``ViewSlide``, ``ChartSlide``, ``TextSlide``, ``AnySlide``, ``CaseError``,
    ``LIMITS`` (characters per text field), ``MAX_SLIDES``, ``CASE_SCHEMA_VERSION``;
    ``case_data(case) -> dict`` / ``case_from_data(data) -> Case`` (JSON-ready, for the
    store; raises pydantic ``ValidationError``), ``parse_slide(data)``, ``slide_data(slide)``,
    ``new_slide_id()``.
``atlas_app.cases.edits``
    edits return a new case: ``add_slide(case, slide, index=None)``,
    ``move_slide(case, slide_id, to_index)``, ``duplicate_slide(case, slide_id)``,
    ``delete_slide(case, slide_id)``, ``edit_slide(case, slide_id, **changes)``,
    ``edit_case(case, **changes)`` (raise ``CaseError`` with the reason).
``atlas_app.cases.changes``
    ``slide_name(slide)`` (its title, or "untitled <kind> slide") and
    ``describe_changes(before, after) -> list[str]`` (plain-text lines: case fields with the
    new value, slides added, deleted, edited and reordered; shown after a version conflict).
``atlas_app.cases.checks``
    ``case_problems(case, atlas, approaches) -> list[CaseProblem]`` (``.path``, ``.field``,
    ``.problem``, ``str()``): ids this atlas lacks; empty when the case fits.
``atlas_app.cases.export_pptx``
    ``export_pptx(case, atlas, approaches, *, atlas_dir=None, progress=None)``
``atlas_app.cases.export_html``
    ``export_html(case, atlas, approaches, *, progress=None)``
    both return ``exporting.ExportResult(data, filename, mime, slides, warnings)``;
    ``progress(fraction: float, message: str)`` is called with fractions rising 0 → 1.
``atlas_app.cases.yaml_io`` (new)
    ``case_to_yaml(case) -> str`` (atlas ids only, ``schema_version`` first, stable order);
    ``case_from_yaml(data: bytes | str, atlas, approaches) -> Case`` raising
    ``CaseImportError(ValueError)`` whose message starts ``line N: field: reason``;
    ``MAX_IMPORT_BYTES`` (256 kB, refused before parsing); non-UTF-8, control characters,
    anchors/aliases, python tags and unknown atlas ids are refused; nothing half-imported.
    ``example_case(atlas, approaches) -> Case`` and ``example_case_text() -> str``: the
    shipped de-identified example (cement leak onto the right L5 root after sacroplasty),
    for "Start from the example case".
"""
