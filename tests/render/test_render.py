"""Tessellation and the benchmark-style renderer, checked on parts whose picture is known."""

from __future__ import annotations

import cadquery as cq
import numpy as np
import pytest
from PIL import Image

from core.geometry.tessellate import tessellate
from core.render import STYLE_FREECAD, Camera, mesh_arrays, render_mesh, render_shape
from core.render.camera import projector
from core.render.compare import foreground_mask

BOX_FACE = np.array((141, 141, 138))  # the benchmark's grey of a face at 1/sqrt(3) to the eye


def signed_volume(mesh: dict) -> float:
    v, f, _ = mesh_arrays(mesh)
    a, b, c = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6)


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(int)


def dark(px: np.ndarray) -> np.ndarray:
    return px.sum(axis=2) < 150


def test_box_mesh_is_closed_outward_and_has_its_twelve_edges() -> None:
    mesh = tessellate(cq.Workplane().box(10, 20, 30))
    assert len(mesh["triangles"]) == 12
    assert len(mesh["edges"]) == 12
    assert signed_volume(mesh) == pytest.approx(6000.0, rel=1e-9)


def test_cylinder_has_no_seam_line_and_deflection_controls_accuracy() -> None:
    cylinder = cq.Workplane().circle(5).extrude(10)
    exact = np.pi * 25 * 10
    mesh = tessellate(cylinder)
    assert len(mesh["edges"]) == 2  # the two circles; the seam is not drawn
    coarse_error = abs(signed_volume(mesh) - exact) / exact
    fine = tessellate(cylinder, linear_deflection=0.001, angular_deflection=0.05)
    fine_error = abs(signed_volume(fine) - exact) / exact
    assert coarse_error < 0.02 and fine_error < 1e-3 and fine_error < coarse_error
    assert len(fine["triangles"]) > len(mesh["triangles"])


def test_holes_keep_outward_orientation() -> None:
    part = cq.Workplane().box(20, 20, 5).faces(">Z").workplane().hole(6)
    mesh = tessellate(part, linear_deflection=0.001, angular_deflection=0.05)
    assert signed_volume(mesh) == pytest.approx(20 * 20 * 5 - np.pi * 9 * 5, rel=1e-3)


def test_mesh_is_json_safe_plain_lists() -> None:
    mesh = tessellate(cq.Workplane().box(1, 2, 3).val().wrapped)  # a bare TopoDS_Shape too
    assert type(mesh["vertices"][0][0]) is float and type(mesh["triangles"][0][0]) is int
    assert type(mesh["edges"][0][0][0]) is float


def test_benchmark_framing_fits_the_bounding_box_into_400_by_300() -> None:
    for size, wide in (((40, 10, 2), True), ((2, 2, 30), False)):
        mask = foreground_mask(render_shape(cq.Workplane().box(*size)))
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        width, height = cols[-1] + 1 - cols[0], rows[-1] + 1 - rows[0]
        assert (width == 400) if wide else (height == 300), (width, height)
        assert abs((cols[0] + cols[-1] + 1) / 2 - 224) <= 1 and abs((rows[0] + rows[-1] + 1) / 2 - 224) <= 1


def test_box_render_in_the_benchmark_colours() -> None:
    px = pixels(render_shape(cq.Workplane().box(10, 20, 30)))
    assert px.shape == (448, 448, 3)
    face = (np.abs(px - BOX_FACE).sum(axis=2) == 0).mean()
    white = (px.sum(axis=2) == 765).mean()
    assert 0.15 < face < 0.7 and 0.003 < dark(px).mean() < 0.05 and white > 0.25
    # only three colours, as in the benchmark: no anti-aliasing
    assert len(np.unique(px.reshape(-1, 3), axis=0)) == 3


def test_exactly_nine_of_a_cubes_twelve_edges_are_visible() -> None:
    # From (1, -1, 1) the corner (-5, 5, -5) is behind the cube: its three edges must stay hidden.
    mesh = tessellate(cq.Workplane().box(10, 10, 10))
    px = pixels(render_mesh(mesh))
    v, _, edges = mesh_arrays(mesh)
    (mid_xy, _) = projector(v, Camera(), 448)(np.array([e.mean(axis=0) for e in edges]))
    visible = []
    for edge, (x, y) in zip(edges, mid_xy, strict=True):
        window = dark(px)[int(y) - 1 : int(y) + 2, int(x) - 1 : int(x) + 2]
        visible.append(bool(window.any()))
        hidden_corner = np.isclose(edge, [-5, 5, -5]).all(axis=1).any()
        assert visible[-1] != hidden_corner, edge
    assert sum(visible) == 9


def test_thin_sheet_shows_no_edge_through_it() -> None:
    # A 40 x 20 sheet 0.1 thick: its hidden bottom edge at the back runs a pixel below the top
    # face's back outline; drawn, it would thicken that outline to two pixels.
    px = pixels(render_shape(cq.Workplane().box(40, 20, 0.1)))
    rows = np.flatnonzero(dark(px)[:, 224])
    assert len(rows) >= 2 and rows[1] - rows[0] > 20, rows  # the back outline is one pixel


def test_curved_faces_are_shaded_smoothly_and_planar_ones_flat() -> None:
    px = pixels(render_shape(cq.Workplane().circle(10).extrude(10)))
    side = px[280:320, 150:300].reshape(-1, 3)  # the cylinder's side below the top ellipse
    side = side[~dark(side[None])[0]]
    assert len(np.unique(side[:, 0])) > 10  # brightest where the surface turns to the eye
    top = px[165:200, 180:260].reshape(-1, 3)
    assert (top == BOX_FACE).all()  # the top disc: normal at 1/sqrt(3) to the eye, like a box face


def test_render_is_deterministic_and_styles_and_cameras_differ() -> None:
    mesh = tessellate(cq.Workplane().circle(5).extrude(3).faces(">Z").workplane().hole(3))
    a, b = pixels(render_mesh(mesh)), pixels(render_mesh(mesh))
    assert np.array_equal(a, b)
    freecad = pixels(render_mesh(mesh, style=STYLE_FREECAD))
    assert tuple(freecad[2, 224]) != tuple(freecad[-3, 224])  # a vertical gradient background
    assert len(np.unique(freecad.reshape(-1, 3), axis=0)) > 50  # anti-aliased
    persp = render_mesh(mesh, camera=Camera(projection="perspective", fov=60))
    assert not np.array_equal(a, pixels(persp))
    assert 0.05 < foreground_mask(persp).mean() < 0.6
    # Straight down: the 10-wide disc fills the 300 px frame height; the through hole shows white.
    above = pixels(render_mesh(mesh, camera=Camera(elevation=90)))
    disc = np.pi * 150**2 * (1 - 0.3**2)
    assert abs((above.sum(axis=2) < 765).sum() - disc) < 0.02 * disc


def test_empty_mesh_renders_the_background() -> None:
    px = pixels(render_mesh({"vertices": [], "triangles": [], "edges": []}))
    assert (px == 255).all()
