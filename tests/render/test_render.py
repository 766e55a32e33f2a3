"""Tessellation and the benchmark-style renderer, checked on parts whose picture is known."""

from __future__ import annotations

import cadquery as cq
import numpy as np
import pytest
from PIL import Image

from core.geometry.tessellate import tessellate
from core.render import STYLE_FREECAD, Camera, RenderStyle, mesh_arrays, render_mesh, render_shape

FACE = np.array((141, 141, 138))


def signed_volume(mesh: dict) -> float:
    v, f, _ = mesh_arrays(mesh)
    a, b, c = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6)


def test_box_mesh_is_closed_outward_and_has_its_twelve_edges() -> None:
    mesh = tessellate(cq.Workplane().box(10, 20, 30))
    assert len(mesh["triangles"]) == 12
    assert len(mesh["edges"]) == 12
    assert signed_volume(mesh) == pytest.approx(6000.0, rel=1e-9)


def test_cylinder_has_no_seam_line_and_the_right_volume() -> None:
    mesh = tessellate(cq.Workplane().circle(5).extrude(10))
    assert len(mesh["edges"]) == 2  # two circles; the seam is not drawn
    assert signed_volume(mesh) == pytest.approx(np.pi * 25 * 10, rel=2e-3)


def test_holes_keep_outward_orientation() -> None:
    mesh = tessellate(cq.Workplane().box(20, 20, 5).faces(">Z").workplane().hole(6))
    assert signed_volume(mesh) == pytest.approx(20 * 20 * 5 - np.pi * 9 * 5, rel=2e-3)


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(int)


def test_benchmark_style_box_render() -> None:
    image = render_shape(cq.Workplane().box(10, 20, 30))
    assert image.size == (448, 448)
    px = pixels(image)
    face = (np.abs(px - FACE).sum(axis=2) < 6).mean()
    dark = (px.sum(axis=2) < 150).mean()
    white = (px.sum(axis=2) == 765).mean()
    assert 0.25 < face < 0.7 and 0.003 < dark < 0.05 and white > 0.25
    # the part is framed with a margin: the border rows and columns are background
    assert (px[:5] == 255).all() and (px[:, :5] == 255).all() and (px[-5:] == 255).all()


def test_hidden_edges_are_hidden() -> None:
    # Seen from (1, -1, 1), a cube's corner at (-1, 1, -1) is behind the solid: the three edges meeting
    # there must not be drawn, so the centre of the silhouette is face colour, not black.
    mesh = tessellate(cq.Workplane().box(10, 10, 10))
    px = pixels(render_mesh(mesh, style=RenderStyle(supersample=1)))
    # The nearest corner (5, -5, 5) and the hidden one (-5, 5, -5) both project to the centre; the
    # hidden corner's vertical edge would run straight up from there, across the top face.
    above = px[224 - 120 : 224 - 20, 220:229]
    assert (above.sum(axis=2) > 300).all()
    below = px[224 + 20 : 224 + 120, 220:229]  # the nearest corner's vertical edge is visible
    assert (below.sum(axis=2) < 150).any()


def test_render_is_deterministic_and_styles_differ() -> None:
    mesh = tessellate(cq.Workplane().circle(5).extrude(3))
    a, b = pixels(render_mesh(mesh)), pixels(render_mesh(mesh))
    assert np.array_equal(a, b)
    freecad = pixels(render_mesh(mesh, style=STYLE_FREECAD))
    assert tuple(freecad[2, 224]) != tuple(freecad[-3, 224])  # a vertical gradient background
    persp = pixels(render_mesh(mesh, camera=Camera(perspective=True)))
    assert not np.array_equal(a, persp)


def test_empty_mesh_renders_the_background() -> None:
    px = pixels(render_mesh({"vertices": [], "triangles": [], "edges": []}))
    assert (px == 255).all()
