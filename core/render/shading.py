"""Surface colour from the normal: Lambert and Phong in linear light, then gamma, with one light
(by default at the eye, as in the benchmark).

Fitted on 3.5 million pixels of the GenCAD-Code test images against the normals of their STEP
files: the grey depends on the normal's component towards the eye alone (a headlight) and follows
255 * (albedo * (ambient + cos))^(1/2.2) with albedo 163/255 in gamma space and a slightly yellow
ambient (0.15, 0.15, 0.116), to within 2.3 grey levels RMS. That puts the faces of an
axis-aligned box at exactly (141, 141, 138), the colour of most benchmark pixels.
"""

from __future__ import annotations

import numpy as np

from core.render.style import RenderStyle


def shade(normals: np.ndarray, style: RenderStyle) -> np.ndarray:
    """RGB floats in [0, 255], shape (n, 3), for camera-space normals (n, 3) of any length."""
    base = np.asarray(style.face, dtype=float)
    if style.light is None:
        return np.broadcast_to(base, normals.shape).copy()
    n = normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    light = np.asarray(style.light, dtype=float)
    light = light / np.linalg.norm(light)
    facing = n @ light
    if not style.cull_back_faces:  # two-sided: a sheet seen from behind is lit like its front
        facing = np.abs(facing)
    albedo = (base / 255.0) ** style.gamma
    ambient = np.broadcast_to(np.asarray(style.ambient, dtype=float), (3,))
    linear = albedo * (ambient + style.diffuse * np.clip(facing, 0.0, 1.0)[:, None])
    if style.specular > 0:
        halfway = light + np.array([0.0, 0.0, 1.0])
        halfway = halfway / np.linalg.norm(halfway)
        highlight = np.clip(n @ halfway, 0.0, 1.0) ** style.shininess
        linear = linear + style.specular * highlight[:, None]
    return 255.0 * np.clip(linear, 0.0, 1.0) ** (1.0 / style.gamma)
