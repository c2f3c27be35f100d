"""Case conferences, pure layer (no Streamlit). Public API for the pages:

atlas_app.cases.model
    Case, ViewSlide, ChartSlide, TextSlide, AnySlide, CaseError(ValueError), LIMITS, MAX_SLIDES
    add_slide(case, slide, index=None) -> Case          move_slide(case, slide_id, to_index) -> Case
    duplicate_slide(case, slide_id) -> Case             delete_slide(case, slide_id) -> Case
    edit_slide(case, slide_id, **changes) -> Case       edit_case(case, **changes) -> Case
    case_data(case) -> dict   case_from_data(data) -> Case   parse_slide(data) -> AnySlide
    slide_data(slide) -> dict new_slide_id() -> str
    Every edit returns a new Case, keeps slide ids, raises CaseError on bad input.
atlas_app.cases.checks
    case_problems(case, atlas, approaches) -> list[CaseProblem]   (unknown ids, bad steps ...)
atlas_app.cases.export_pptx
    export_pptx(case, atlas, approaches, *, atlas_dir=None, progress=None) -> ExportResult
atlas_app.cases.export_html
    export_html(case, atlas, approaches, *, progress=None) -> ExportResult
    ExportResult (atlas_app.cases.exporting): data, filename, mime, slides, warnings;
    progress(fraction: float, message: str) is called as the export goes.
atlas_app.cases.yaml_io
    case_to_yaml(case) -> str                 schema_version first, atlas ids only, stable order
    case_from_yaml(data: bytes | str, atlas, approaches) -> Case
        raises CaseImportError(ValueError) naming line and field; MAX_IMPORT_BYTES (256 kB)
        refused before parsing; non-UTF-8, control characters, anchors/aliases refused;
        unknown atlas ids refused through checks.case_problems; all-or-nothing.
    example_case(atlas, approaches) -> Case   example_case_text() -> str
        the shipped de-identified example (examples/l5_cement_leak.yaml).
"""
