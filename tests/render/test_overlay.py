"""The overlay: the result drawn where the picture shows the part, the rest of the picture untouched."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from core.render import render_mesh
from core.render.compare import foreground_mask
from core.render.overlay import FILL, overlay, placed_masks, silhouette_dilated
from core.sandbox import run_code

PLATE = "import cadquery as cq\nsolid = cq.Workplane('XY').box(3, 2, 0.3)\n"
CUBE = "import cadquery as cq\nsolid = cq.Workplane('XY').box(1, 1, 1)\n"


@pytest.fixture(scope="module")
def meshes():
    return {name: run_code(code, outputs=("mesh",)).mesh for name, code in (("plate", PLATE), ("cube", CUBE))}


def test_the_same_part_covers_the_picture_part(meshes) -> None:
    picture = render_mesh(meshes["plate"])  # 448 px, the benchmark's look
    wide = Image.new("RGB", (700, 500), "white")
    wide.paste(picture.resize((336, 336)), (300, 100))  # another size and place: the overlay follows
    part, _lines = placed_masks(wide, meshes["plate"])
    truth = foreground_mask(wide)
    iou = (part & truth).sum() / (part | truth).sum()
    assert iou > 0.95


def test_fill_outline_and_label(meshes) -> None:
    picture = render_mesh(meshes["plate"])
    out = overlay(picture, meshes["cube"], 0.42)
    assert out.size == picture.size and out.mode == "RGB"
    px, before = np.asarray(out).astype(int), np.asarray(picture).astype(int)
    part, _ = placed_masks(picture, meshes["cube"])
    near_part = silhouette_dilated(silhouette_dilated(silhouette_dilated(part)))  # edge strokes hug it
    background = ~near_part & ~foreground_mask(picture)
    background[:60, :200] = False  # the label's corner
    assert (px[background] == before[background]).all()  # nowhere else is touched
    inside = part & (before.sum(axis=2) == 255 * 3)  # the cube where the picture is white
    assert inside.sum() > 1000
    tinted = px[inside]
    assert (tinted[:, 0] > tinted[:, 2] + 50).all()  # orange-tinted, translucent: not the pure colour
    assert not (tinted == FILL).all(axis=1).all()
    assert (px[:60, :200] != before[:60, :200]).any()  # the "match 42%" label


def test_a_blank_picture_gets_no_part(meshes) -> None:
    blank = Image.new("RGB", (200, 200), "white")
    part, lines = placed_masks(blank, meshes["cube"])
    assert not part.any() and not lines.any()
    assert np.array_equal(np.asarray(overlay(blank, meshes["cube"])), np.asarray(blank))
