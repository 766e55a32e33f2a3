"""Where a second extrusion stands when the picture hides how far it lies from the eye: slid along
the line of sight (its picture unchanged) until it meets the body face to face, and its face
squared off where the body hides its corner."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from core.grounding.compose import contact_slides, slid, world_points
from core.grounding.recover import squared_under
from core.grounding.sketch import Loop, Prism
from core.grounding.views import axis_view
from core.render.camera import Camera, view_basis


def _rect(x0: float, y0: float, x1: float, y1: float) -> Loop:
    return Loop((x0, y0), ((x1, y0), (x1, y1), (x0, y1)))


def _image(prism: Prism) -> np.ndarray:
    """The prism's outline points as drawn (image right and up)."""
    return world_points(prism) @ view_basis(Camera())[:2].T


def _box(prism: Prism) -> tuple[np.ndarray, np.ndarray]:
    points = world_points(prism)
    return points.min(axis=0), points.max(axis=0)


def test_a_pedestal_slid_under_a_table_top_meets_it_and_looks_the_same() -> None:
    # A table top (z: 200 x 120, 20 thick) and a pedestal under it, read from its side (y): x in
    # [-30, 30], z in [-150, -10] up to the top's underside, y in [-20, 30]. The picture fixes
    # the pedestal only up to a slide along the line of sight: read 120 units off.
    top = Prism("z", _rect(-100, -60, 100, 60), (), depth=20.0, fit=0.6, height=10.0)
    truth = Prism("y", _rect(-30, -150, 30, -10), (), depth=50.0, fit=0.9, height=20.0, operation="union")
    pedestal = slid(truth, 120.0)
    assert np.allclose(_image(pedestal), _image(truth), atol=1e-6)
    slides = contact_slides(top, pedestal)
    lo_b, hi_b = _box(top)
    for t in slides:
        moved = slid(pedestal, t)
        assert np.allclose(_image(moved), _image(pedestal), atol=1e-6)  # drawn alike
        lo, hi = _box(moved)
        overlap = np.minimum(hi, hi_b) - np.maximum(lo, lo_b)
        assert (overlap > 0.4).all()  # fused: the boxes share a volume
    # Among them the pedestal back under the top, sunk one unit into its underside.
    under = [slid(pedestal, t) for t in slides if np.isclose(_box(slid(pedestal, t))[1][2], -9.0)]
    assert len(under) == 1
    lo, hi = _box(under[0])  # where the pedestal stands (within the one unit it is sunk)
    assert np.allclose(lo, [-30, -20, -150], atol=1.5) and np.allclose(hi, [30, 30, -10], atol=1.5)


def test_slides_that_cannot_meet_the_body_are_not_offered() -> None:
    # A boss whose picture lies beside the body's: no slide along the line of sight brings them
    # together face to face.
    body = Prism("z", _rect(0, 0, 50, 50), (), depth=10.0, fit=0.5)
    far = Prism("z", _rect(400, 400, 450, 450), (), depth=10.0, fit=0.5, height=0.0, operation="union")
    assert contact_slides(body, far) == []


def _mask(draw: callable, size: int = 120) -> np.ndarray:
    image = Image.new("1", (size, size), 0)
    draw(ImageDraw.Draw(image))
    return np.asarray(image, bool)


def test_a_side_face_cut_off_by_the_body_is_squared_under_it() -> None:
    view = axis_view("y")
    # The face's rectangle on its plane, as drawn, and a body silhouette (the occluder) hiding
    # its upper right corner along a slanted edge.
    corners = (
        np.array([(-30.0, -20.0), (30.0, -20.0), (30.0, 20.0), (-30.0, 20.0)]) @ view.plane_to_image.T + 60
    )
    whole = _mask(lambda d: d.polygon([tuple(p) for p in corners], fill=1))
    occluder = _mask(lambda d: d.polygon([(0, 0), (120, 0), (120, 40), (0, 75)], fill=1))
    seen = whole & ~occluder
    squared = squared_under(seen, view, occluder)
    assert (squared & ~whole).sum() <= 0.04 * whole.sum()  # nothing beyond the rectangle ...
    assert (whole & ~squared).sum() <= 0.04 * whole.sum()  # ... and the hidden corner back
    assert (whole & ~seen).sum() > 0.15 * whole.sum()  # (which was a good part of it)


def test_a_round_face_keeps_its_own_outline() -> None:
    view = axis_view("z")
    disk = _mask(lambda d: d.ellipse((20, 20, 100, 100), fill=1))
    occluder = _mask(lambda d: d.rectangle((60, 0, 120, 120), fill=1))
    seen = disk & ~occluder
    assert np.array_equal(squared_under(seen, view, occluder), seen)
