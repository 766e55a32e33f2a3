"""Reading a known prism off pictures in other styles: a FreeCAD viewport snapshot (gradient) and
a photo-like picture from a turned camera (coloured part and ground, side light, no drawn lines,
noise). The sketch read through the normalised picture and the estimated camera must keep the
part's proportions, which reading the photo through the isometric camera does not."""

from __future__ import annotations

from dataclasses import replace

import cadquery as cq
import numpy as np
import pytest

from core.grounding import grounded_programs
from core.grounding.recover import recover_parts
from core.grounding.sketch import Loop
from core.render import STYLE_BENCHMARK, STYLE_FREECAD, Camera, render_shape
from core.render.augment import photo_effects
from core.render.normalise import normalise

PHOTO = replace(
    STYLE_BENCHMARK,
    face=(40, 90, 170),
    background=(235, 235, 230),
    background_bottom=(200, 205, 210),
    light=(0.5, 0.6, 1.0),
    ambient=0.25,
    diffuse=0.8,
    edge=None,
    supersample=2,
)
TURNED = Camera(azimuth=-60.0, elevation=48.0)
# An L profile in the XZ plane, extruded along Y: W 2.0, H 1.4, depth 2.5.
L_POINTS = [(0, 0), (2.0, 0), (2.0, 0.5), (0.6, 0.5), (0.6, 1.4), (0, 1.4)]


@pytest.fixture(scope="module")
def l_prism() -> cq.Workplane:
    return cq.Workplane("XZ").polyline(L_POINTS).close().extrude(-2.5)


def _proportions(prism) -> tuple[float, float]:
    (x0, y0), (x1, y1) = prism.bounds()
    w, h = x1 - x0, y1 - y0
    return h / w, prism.depth / w


def _singles(programs: list) -> list:
    """The one-extrusion readings, best first (two-extrusion explanations rank among them by
    their joint fit; the pipeline then ranks everything by render-and-compare)."""
    return [g for g in programs if len(g.prisms) == 1]


def _l_read(parts, corners: int = 6) -> tuple:
    """Proportions of the first reading along Y (the L's axis), which must be an L-shaped loop
    (anti-aliased or soft corners may leave one short extra side)."""
    prism = next(p[0] for p in parts if p[0].axis == "y")
    assert isinstance(prism.outline, Loop) and 6 <= len(prism.outline.segments) <= corners
    return _proportions(prism)


def test_a_freecad_gradient_snapshot_reads_as_the_l_prism(l_prism) -> None:
    picture = render_shape(l_prism, style=STYLE_FREECAD)
    programs = grounded_programs(picture)
    single = _singles(programs)
    assert single and single[0].prism.axis == "y" and single[0].prism.fit > 0.95
    h, d = _l_read([g.prisms for g in programs], corners=7)
    assert h == pytest.approx(1.4 / 2.0, rel=0.06)
    assert d == pytest.approx(2.5 / 2.0, rel=0.08)


def test_a_photo_from_a_turned_camera_reads_as_the_l_prism(l_prism) -> None:
    photo = photo_effects(render_shape(l_prism, camera=TURNED, style=PHOTO), np.random.default_rng(5))
    programs = grounded_programs(photo)
    single = _singles(programs)
    assert single and single[0].prism.axis == "y" and single[0].prism.fit > 0.9
    h, d = _l_read([g.prisms for g in programs], corners=7)
    assert h == pytest.approx(1.4 / 2.0, rel=0.1)
    assert d == pytest.approx(2.5 / 2.0, rel=0.1)
    # Read through the isometric camera instead, the same picture explains best along another
    # axis, and its Y reading has other proportions: the camera estimate makes the reading right.
    iso = recover_parts(normalise(photo))
    assert iso[0][0].axis != "y"
    h_iso, d_iso = _proportions(next(p[0] for p in iso if p[0].axis == "y"))
    assert abs(h_iso - 0.7) > 0.15 or abs(d_iso - 1.25) > 0.2
