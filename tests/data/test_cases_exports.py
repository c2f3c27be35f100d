"""Case exports: the PowerPoint deck opens with python-pptx and holds the slides, the
server-drawn stills and the speaker notes; the HTML page holds every scene, fetches
nothing from other hosts and shows user text as text."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from atlas_app.approaches.loader import load_approaches
from atlas_app.cases.deck import deck_slide_count
from atlas_app.cases.edits import edit_slide
from atlas_app.cases.export_html import export_html
from atlas_app.cases.export_pptx import export_pptx
from atlas_app.cases.yaml_io import example_case
from atlas_app.scene.viewer_payload import unpack_header

HOSTILE = "<script>alert('x')</script> & co"


@pytest.fixture(scope="module")
def setup(shipped_atlas):
    approaches = load_approaches(shipped_atlas)
    case = example_case(shipped_atlas, approaches)
    case = edit_slide(case, case.slides[0].id, title=HOSTILE)
    return shipped_atlas, approaches, case


@pytest.fixture(scope="module")
def pptx_export(setup):
    atlas, approaches, case = setup
    progress: list[tuple[float, str]] = []
    result = export_pptx(case, atlas, approaches, progress=lambda f, m: progress.append((f, m)))
    return result, progress


@pytest.fixture(scope="module")
def html_export(setup):
    atlas, approaches, case = setup
    return export_html(case, atlas, approaches)


def pictures(slide):
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def text_of(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def test_pptx_has_every_slide_with_stills_and_notes(setup, pptx_export):
    _, _, case = setup
    result, _ = pptx_export
    assert result.warnings == ()
    assert result.filename.endswith(".pptx") and "presentation" in result.mime
    deck = Presentation(io.BytesIO(result.data))
    assert len(deck.slides) == result.slides == deck_slide_count(case)
    offset = len(deck.slides) - len(case.slides)
    assert case.title in text_of(deck.slides[0])
    for slide, made in zip(case.slides, list(deck.slides)[offset:], strict=True):
        assert slide.title in text_of(made)
        assert made.notes_slide.notes_text_frame.text == slide.notes
        if slide.kind in ("view", "chart"):
            (pic,) = pictures(made)
            image = Image.open(io.BytesIO(pic.image.blob))
            assert image.width >= 1280 and image.height >= 720
            assert len(np.unique(np.asarray(image.convert("L").resize((64, 36))))) > 8  # not blank
        else:
            assert pictures(made) == []
        if slide.kind == "view":
            for note in slide.annotations:
                assert note in text_of(made)


def test_pptx_view_still_carries_its_labels(setup, pptx_export):
    _, _, case = setup
    result, _ = pptx_export
    deck = Presentation(io.BytesIO(result.data))
    offset = len(deck.slides) - len(case.slides)
    view = next(i for i, s in enumerate(case.slides) if s.kind == "view" and s.labels)
    (pic,) = pictures(deck.slides[offset + view])
    image = Image.open(io.BytesIO(pic.image.blob)).convert("RGB")
    # The legend panel on the right holds the numbered labels: dark ink on a light panel.
    panel = image.crop((int(image.width * 0.82), 0, image.width, image.height // 4))
    assert int((np.asarray(panel).sum(axis=2) < 200).sum()) > 200


def test_pptx_progress_is_monotonic_and_complete(pptx_export):
    _, progress = pptx_export
    fractions = [f for f, _ in progress]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert all(isinstance(m, str) and m for _, m in progress)


def test_html_holds_every_scene(setup, html_export):
    _, _, case = setup
    page = html_export.data.decode("utf-8")
    assert html_export.slides == deck_slide_count(case) and html_export.warnings == ()
    match = re.search(r'<script type="application/json" id="sa-scenes">(.*?)</script>', page, re.S)
    assert match
    messages = [base64.b64decode(m) for m in json.loads(match.group(1))]
    assert len(messages) == sum(1 for s in case.slides if s.kind == "view")
    # Every surface a slide shows is in the file, and only once (with its first slide).
    carried: list[str] = []
    shown: set[str] = set()
    for data in messages:
        header = unpack_header(data)
        carried += [b["digest"] for b in header["blobs"]]
        shown |= {a["mesh"] for a in header["scene"]["actors"]}
    assert len(carried) == len(set(carried)) and shown <= set(carried)
    # The viewer's code is in the file once, with the licences of what it bundles.
    assert page.count("Sacral Ala Atlas 3D viewer (GPL-3.0-or-later)") == 1
    assert "@kitware/vtk.js" in page and "BSD-3-Clause" in page
    for slide in case.slides:
        if slide.kind != "text":
            assert slide.title in page


def test_html_fetches_nothing_from_elsewhere(html_export):
    page = html_export.data.decode("utf-8")
    refs = re.findall(r"""(?:src|href|action)\s*=\s*["']?\s*([a-z]+:)?//""", page, re.I)
    assert refs == []
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*https?:""", page, re.I)
    assert not re.search(r"""url\(\s*["']?https?:""", page, re.I)
    assert not re.search(r"""@import""", page)


def test_html_shows_user_text_as_text(html_export):
    page = html_export.data.decode("utf-8")
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page


def test_pptx_declares_the_16_9_size_it_has(pptx_export):
    """The default template said type="screen4x3" beside a 16:9 size."""
    import zipfile

    result, _ = pptx_export
    xml = zipfile.ZipFile(io.BytesIO(result.data)).read("ppt/presentation.xml").decode()
    (size,) = re.findall(r"<p:sldSz [^>]*/>", xml)
    cx, cy = (int(v) for v in re.findall(r'c[xy]="(\d+)"', size))
    assert cx * 9 == cy * 16, size
    assert "4x3" not in size and "type=" not in size, size


def test_the_label_key_of_a_step_view_starts_with_what_the_step_puts_at_risk(setup):
    """The still's key lists the structures at risk in the slide's step first (it left
    them out when more prominent structures filled the key)."""
    from atlas_app.cases.exporting import ReadyView, key_structures, ready_slide

    atlas, approaches, case = setup
    views = [r for r in (ready_slide(atlas, approaches, case, s) for s in case.slides)
             if isinstance(r, ReadyView) and r.slide.step is not None]  # fmt: skip
    assert views, "the example case has a view at an approach step"
    for ready in views:
        step = approaches.approaches[ready.slide.approach].steps[ready.slide.step]
        shown = {a.structure_id for a in ready.scene.visible_actors}
        risk = [s for s in step.at_risk if s in shown]
        keys = key_structures(ready, approaches)
        assert risk and keys[: len(risk)] == tuple(risk), (keys, risk)
