"""Random views that look like what users send: photos of printed parts and FreeCAD snapshots.

The benchmark images are one clean style; users send screenshots on FreeCAD's gradient, photos
with perspective, coloured filament, desks behind the part and uneven light. Training on random
variations of camera, projection, colours, background and lighting (seeded, so a dataset is
reproducible) teaches the model to look past them. ``random_view`` returns the image and what it
chose, which the data engine stores beside each sample.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from core.render.raster import render_mesh
from core.render.style import STYLE_BENCHMARK, STYLE_FREECAD, Camera, RenderStyle

PART_COLOURS = [
    (141, 141, 138),
    (204, 204, 204),
    (200, 60, 50),
    (40, 90, 170),
    (230, 200, 60),
    (60, 150, 80),
    (30, 30, 30),
    (240, 240, 235),
]
BACKGROUNDS = [(255, 255, 255), (235, 235, 230), (180, 170, 150), (90, 95, 100), (210, 220, 235)]


def jitter_camera(
    rng: np.random.Generator, *, degrees: float = 20.0, perspective_chance: float = 0.5
) -> Camera:
    """The benchmark's (1, -1, 1) direction turned by up to ``degrees`` in azimuth and elevation."""
    azimuth = np.radians(-45.0 + rng.uniform(-degrees, degrees))
    elevation = np.radians(35.26 + rng.uniform(-degrees, degrees))
    direction = (
        float(np.cos(elevation) * np.cos(azimuth)),
        float(np.cos(elevation) * np.sin(azimuth)),
        float(np.sin(elevation)),
    )
    perspective = bool(rng.random() < perspective_chance)
    return Camera(
        direction=direction,
        perspective=perspective,
        fov_degrees=float(rng.uniform(20, 50)),
        margin=float(rng.uniform(0.03, 0.18)),
    )


def random_style(rng: np.random.Generator, size: int = 448) -> RenderStyle:
    if rng.random() < 0.35:  # a FreeCAD snapshot: its gradient and lit grey, sometimes on white
        style = replace(STYLE_FREECAD, size=size)
        return (
            replace(style, background=(255, 255, 255), background_bottom=None)
            if rng.random() < 0.3
            else style
        )
    face = PART_COLOURS[int(rng.integers(len(PART_COLOURS)))]
    background = BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))]
    light = tuple(float(v) for v in rng.normal(0, 0.5, 3) + np.array([0.2, 0.4, 1.0]))
    return replace(
        STYLE_BENCHMARK,
        size=size,
        face=face,
        background=background,
        background_bottom=tuple(
            int(c) for c in np.clip(np.array(background) + rng.integers(-40, 41, 3), 0, 255)
        )
        if rng.random() < 0.5
        else None,
        light=light if rng.random() < 0.8 else None,
        ambient=float(rng.uniform(0.2, 0.6)),
        edge=None if rng.random() < 0.4 else (int(rng.integers(0, 60)),) * 3,  # photos have no drawn edges
    )


def photo_effects(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Blur, sensor noise and a brightness/contrast change, as a phone camera would add."""
    if rng.random() < 0.5:
        image = image.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0.3, 1.5))))
    px = np.asarray(image, dtype=float)
    px = (px - 128) * rng.uniform(0.8, 1.2) + 128 + rng.uniform(-25, 25)
    if rng.random() < 0.6:
        px += rng.normal(0, rng.uniform(1, 6), px.shape)
    return Image.fromarray(np.clip(px, 0, 255).astype(np.uint8), "RGB")


def random_view(mesh: dict, rng: np.random.Generator, size: int = 448) -> tuple[Image.Image, dict[str, Any]]:
    camera, style = jitter_camera(rng), random_style(rng, size)
    image = render_mesh(mesh, camera=camera, style=style)
    photo = bool(rng.random() < 0.5)
    if photo:
        image = photo_effects(image, rng)
    params = {
        "direction": [round(v, 4) for v in camera.direction],
        "perspective": camera.perspective,
        "margin": round(camera.margin, 3),
        "face": list(style.face),
        "background": list(style.background),
        "gradient": style.background_bottom is not None,
        "lit": style.light is not None,
        "edges": style.edge is not None,
        "photo_effects": photo,
    }
    return image, params
