"""Pictures in other styles reduced to the benchmark's look: the part's silhouette must be the true
one (IoU with a flat render of the same part from the same camera), its face boundaries become black
lines, a benchmark picture passes through untouched, and a turned camera is recovered."""

from __future__ import annotations

from dataclasses import replace

import cadquery as cq
import numpy as np
import pytest
from PIL import Image

from core.render import STYLE_BENCHMARK, STYLE_FREECAD, Camera, render_shape
from core.render.augment import photo_effects
from core.render.camera_search import camera_from_slopes, estimate_camera
from core.render.compare import outline
from core.render.normalise import is_benchmark_style, normalise, part_mask

FREECAD_WHITE = replace(STYLE_FREECAD, background=(255, 255, 255), background_bottom=None)
# A photo: red part, warm grey desk with a gradient, light from the side, no drawn edges.
PHOTO = replace(
    STYLE_BENCHMARK,
    face=(200, 60, 50),
    background=(180, 170, 150),
    background_bottom=(140, 135, 120),
    light=(0.6, 0.5, 1.0),
    ambient=0.25,
    diffuse=0.8,
    edge=None,
    supersample=2,
)


@pytest.fixture(scope="module")
def bracket() -> cq.Workplane:
    """An L bracket with a hole: slanted X and Y edges, a vertical step, a hole seen through."""
    pts = [(0, 0), (2.4, 0), (2.4, 0.5), (0.6, 0.5), (0.6, 1.6), (0, 1.6)]
    part = cq.Workplane("XZ").polyline(pts).close().extrude(-1.8)
    return part.faces("<Z").workplane().center(1.5, 0.9).hole(0.5)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def _true_mask(part: cq.Workplane, camera: Camera) -> np.ndarray:
    flat = replace(STYLE_BENCHMARK, face=(0, 0, 0), light=None, edge=None)
    return np.asarray(render_shape(part, camera=camera, style=flat).convert("L")) < 128


def _photo(part: cq.Workplane, camera: Camera) -> Image.Image:
    return photo_effects(render_shape(part, camera=camera, style=PHOTO), np.random.default_rng(3))


@pytest.mark.parametrize("style", ["freecad", "freecad-white", "photo"])
def test_the_silhouette_is_the_parts_in_every_style(bracket, style) -> None:
    camera = Camera(azimuth=-58.0, elevation=44.0) if style == "photo" else Camera()
    picture = (
        _photo(bracket, camera)
        if style == "photo"
        else render_shape(
            bracket, camera=camera, style=STYLE_FREECAD if style == "freecad" else FREECAD_WHITE
        )
    )
    assert _iou(part_mask(picture), _true_mask(bracket, camera)) > 0.95


def test_a_photo_is_redrawn_as_grey_on_white_with_black_face_lines(bracket) -> None:
    camera = Camera(azimuth=-58.0, elevation=44.0)
    redrawn = normalise(_photo(bracket, camera))
    px = np.asarray(redrawn)
    mask = _true_mask(bracket, camera)
    assert is_benchmark_style(redrawn)
    assert set(np.unique(px)) <= {0, 163, 255}
    # Lines inside the part, not only round it: the faces of the L are told apart.
    inner = mask & ~_dilated(~mask, 4)
    assert (px[inner, 0] == 0).sum() > 150
    # And the comparison sees the photo like a benchmark-style render from the same camera.
    render = render_shape(bracket, camera=camera)
    assert _iou(outline(redrawn).silhouette, outline(render).silhouette) > 0.93


def _dilated(mask: np.ndarray, r: int) -> np.ndarray:
    from scipy import ndimage

    return ndimage.binary_dilation(mask, iterations=r)


def test_a_benchmark_picture_passes_through_untouched(bracket) -> None:
    picture = render_shape(bracket)
    assert is_benchmark_style(picture)
    assert normalise(picture).tobytes() == picture.convert("RGB").tobytes()
    assert outline(picture).camera is None


def test_slopes_of_the_isometric_view_give_it_back() -> None:
    iso = Camera()
    # X edges fall and Y edges rise at 30 degrees in the isometric view.
    found = camera_from_slopes(-np.tan(np.radians(30)), np.tan(np.radians(30)))
    assert found.azimuth == pytest.approx(iso.azimuth, abs=1e-6)
    assert found.elevation == pytest.approx(iso.elevation, abs=1e-6)


@pytest.mark.parametrize("azimuth,elevation", [(-60.0, 45.0), (-32.0, 25.0)])
def test_a_turned_camera_is_recovered_from_the_edges(azimuth, elevation) -> None:
    box = cq.Workplane("XY").box(2.0, 1.4, 0.9)
    camera = Camera(azimuth=azimuth, elevation=elevation)
    found = estimate_camera(render_shape(box, camera=camera, style=FREECAD_WHITE))
    error = np.degrees(np.arccos(np.clip(found.direction @ camera.direction, -1, 1)))
    assert error < 4.0
    iso_error = np.degrees(np.arccos(np.clip(Camera().direction @ camera.direction, -1, 1)))
    assert iso_error > 10.0  # the test means something: the isometric guess would be far off


def test_an_isometric_snapshot_keeps_the_isometric_camera(bracket) -> None:
    assert estimate_camera(render_shape(bracket, style=STYLE_FREECAD)) == Camera()
