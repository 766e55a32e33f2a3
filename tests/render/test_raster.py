"""The numpy scan converter on hand-made triangles: exact coverage, nearest wins, no cracks."""

from __future__ import annotations

import numpy as np

from core.render.raster import rasterise


def test_a_square_of_two_triangles_covers_its_pixel_centres_once() -> None:
    xy = np.array([[10.0, 10.0], [20.0, 10.0], [20.0, 20.0], [10.0, 20.0]])
    depth = np.zeros(4)
    buffers = rasterise(xy, depth, np.array([[0, 1, 2], [0, 2, 3]]), 32)
    covered = buffers.covered
    assert covered.sum() == 100  # centres 10.5 .. 19.5 both ways: no crack along the diagonal
    assert covered[10:20, 10:20].all()
    assert set(np.unique(buffers.triangle[covered])) == {0, 1}


def test_the_nearest_triangle_wins_and_depth_is_interpolated() -> None:
    # Two triangles over the same pixels; the second is nearer on the left, the first on the right.
    xy = np.array([[0.0, 0.0], [64.0, 0.0], [0.0, 64.0], [0.0, 0.0], [64.0, 0.0], [0.0, 64.0]])
    depth = np.array([0.0, 0.0, 0.0, 1.0, -1.0, 1.0])
    buffers = rasterise(xy, depth, np.array([[0, 1, 2], [3, 4, 5]]), 64)
    assert buffers.triangle[5, 2] == 1 and buffers.triangle[5, 50] == 0
    # the nearer surface's depth at (2.5, 5.5) on the plane 1 - x / 32
    assert np.isclose(buffers.depth[5, 2], 1 - 2.5 / 32)
    w0, w1 = buffers.weights[5, 2]
    assert np.isclose(w0 * xy[3, 0] + w1 * xy[4, 0] + (1 - w0 - w1) * xy[5, 0], 2.5)


def inside(corners: np.ndarray, size: int) -> np.ndarray:
    """Brute force: pixel centres on the inner side of all three edges."""
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    sides = []
    for (xa, ya), (xb, yb) in zip(corners, np.roll(corners, -1, axis=0), strict=True):
        sides.append((xb - xa) * (yy - ya) - (yb - ya) * (xx - xa))
    sides = np.array(sides)
    return (sides >= 0).all(axis=0) | (sides <= 0).all(axis=0)


def test_thin_slivers_and_offscreen_triangles_cover_exactly_their_pixel_centres() -> None:
    sliver = np.array([[0.3, 0.2], [120.1, 110.3], [0.2, 7.9]])
    offscreen = np.array([[-50.2, 60.1], [150.3, 70.2], [40.1, 180.4]])
    xy = np.concatenate([sliver, offscreen])
    buffers = rasterise(xy, np.array([0.0, 0, 0, 1, 1, 1]), np.array([[0, 1, 2], [3, 4, 5]]), 128)
    assert np.array_equal(buffers.triangle == 1, inside(offscreen, 128))
    assert np.array_equal(buffers.triangle == 0, inside(sliver, 128) & ~inside(offscreen, 128))
