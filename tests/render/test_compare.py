"""Render-and-compare: a benchmark picture is closest to a render of its own ground truth."""

from __future__ import annotations

import cadquery as cq
import pytest
from PIL import Image

from core.geometry.io import read_shape
from core.metrics.benchmark import load_benchmark
from core.render import STYLE_FREECAD, render_shape
from core.render.compare import edge_agreement, render_match_score, silhouette_iou


def test_each_benchmark_image_matches_its_own_solid_best(benchmark) -> None:
    samples = load_benchmark(benchmark)[:5]
    renders = [render_shape(read_shape(s.step)) for s in samples]
    for i, sample in enumerate(samples):
        image = Image.open(sample.image)
        scores = [render_match_score(image, r) for r in renders]
        assert max(range(len(scores)), key=scores.__getitem__) == i, scores


def test_identical_pictures_score_one_and_background_does_not_matter() -> None:
    part = cq.Workplane().box(30, 20, 8).faces(">Z").workplane().hole(6)
    white = render_shape(part)
    assert render_match_score(white, white) == pytest.approx(1.0)
    freecad = render_shape(part, style=STYLE_FREECAD)
    assert silhouette_iou(white, freecad) > 0.95


def test_zoom_does_not_matter_but_shape_does() -> None:
    box = render_shape(cq.Workplane().box(30, 20, 8))
    bigger = render_shape(cq.Workplane().box(60, 40, 16))
    cylinder = render_shape(cq.Workplane().circle(12).extrude(8))
    assert silhouette_iou(box, bigger) > 0.95
    assert render_match_score(box, bigger) > render_match_score(box, cylinder) + 0.1
    assert edge_agreement(box, cylinder) < edge_agreement(box, bigger)
