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

from core.render.camera import Camera
from core.render.render import render_mesh
from core.render.style import STYLE_BENCHMARK, STYLE_FREECAD, RenderStyle

PART_COLOURS = [
    (163, 163, 163),  # the benchmark grey
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
    """The benchmark's isometric view turned by up to ``degrees`` in azimuth and elevation, framed
    tighter or looser, sometimes through a perspective lens."""
    base = Camera()
    return Camera(
        azimuth=base.azimuth + float(rng.uniform(-degrees, degrees)),
        elevation=base.elevation + float(rng.uniform(-degrees, degrees)),
        projection="perspective" if rng.random() < perspective_chance else "orthographic",
        fov=float(rng.uniform(20, 50)),
        margin=float(rng.uniform(0.03, 0.18)),
        aspect=float(rng.uniform(0.75, 1.0)),
        fit="mesh" if rng.random() < 0.5 else "bounds",
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
    gradient = tuple(int(c) for c in np.clip(np.array(background) + rng.integers(-40, 41, 3), 0, 255))
    return replace(
        STYLE_BENCHMARK,
        size=size,
        face=face,
        background=background,
        background_bottom=gradient if rng.random() < 0.5 else None,
        light=light if rng.random() < 0.8 else None,
        ambient=float(rng.uniform(0.1, 0.4)),
        diffuse=float(rng.uniform(0.7, 1.0)),
        specular=float(rng.uniform(0.0, 0.25)) if rng.random() < 0.5 else 0.0,
        shininess=float(rng.uniform(8, 40)),
        edge=None if rng.random() < 0.4 else (int(rng.integers(0, 60)),) * 3,  # photos have no drawn edges
        supersample=2,  # photos and screenshots are anti-aliased
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
        "azimuth": round(camera.azimuth, 2),
        "elevation": round(camera.elevation, 2),
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
