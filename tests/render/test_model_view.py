"""The picture a model sees: a FreeCAD snapshot or a photo redrawn in the exact look of the
training pictures (benchmark box grey, 1-pixel black lines), judged against the benchmark's own
render of the same part from the same camera; a benchmark picture passes through untouched."""

from __future__ import annotations

from dataclasses import replace

import cadquery as cq
import numpy as np
import pytest
from PIL import Image

from core.render import STYLE_BENCHMARK, STYLE_FREECAD, Camera, render_shape
from core.render.model_view import BENCHMARK_BOX_GREY, model_view
from core.render.normalise import normalise


@pytest.fixture(scope="module")
def step_block() -> cq.Workplane:
    """A stepped block: every face axis-aligned, so the benchmark draws them all in its box grey."""
    pts = [(0, 0), (2.4, 0), (2.4, 0.5), (0.9, 0.5), (0.9, 1.4), (0, 1.4)]
    return cq.Workplane("XZ").polyline(pts).close().extrude(-1.6)


@pytest.fixture(scope="module")
def benchmark_picture(step_block) -> Image.Image:
    return render_shape(step_block, camera=Camera(), style=STYLE_BENCHMARK)


def _agreement(a: Image.Image, b: Image.Image) -> float:
    """Share of the pixels inside either part's silhouette whose colours agree."""
    pa, pb = np.asarray(a.convert("RGB")).astype(int), np.asarray(b.convert("RGB")).astype(int)
    part = (pa < 250).any(-1) | (pb < 250).any(-1)
    same = (np.abs(pa - pb).max(-1) <= 3) & part
    return float(same.sum() / part.sum())


@pytest.mark.parametrize("style", ["freecad", "freecad-white"])
def test_a_snapshot_is_redrawn_as_the_benchmark_draws_the_part(step_block, benchmark_picture, style) -> None:
    look = (
        STYLE_FREECAD
        if style == "freecad"
        else replace(STYLE_FREECAD, background=(255, 255, 255), background_bottom=None)
    )
    snapshot = render_shape(step_block, camera=Camera(), style=look)
    seen = model_view(snapshot)
    assert seen.size == snapshot.size
    pixels = np.asarray(seen)
    part = (pixels < 255).any(-1)
    assert (pixels[part & ~(pixels == 0).all(-1)] == BENCHMARK_BOX_GREY).all()
    # Colours and line widths as the training pictures have them: almost every pixel of the part
    # agrees with the benchmark's own render; the grounding's redraw (lighter grey, 3-pixel
    # outline) agrees on far fewer.
    assert _agreement(seen, benchmark_picture) >= 0.93
    assert _agreement(normalise(snapshot), benchmark_picture) < 0.5
    lines, truth_lines = (pixels == 0).all(-1).sum(), (np.asarray(benchmark_picture) == 0).all(-1).sum()
    assert 0.7 * truth_lines <= lines <= 1.4 * truth_lines


def test_a_benchmark_picture_passes_through_untouched(benchmark_picture) -> None:
    seen = model_view(benchmark_picture)
    assert np.array_equal(np.asarray(seen), np.asarray(benchmark_picture.convert("RGB")))
