"""Augmented views: reproducible from their seed, varied across seeds, still the part."""

from __future__ import annotations

import cadquery as cq
import numpy as np

from core.geometry.tessellate import tessellate
from core.render.augment import random_view
from core.render.compare import foreground_mask


def test_views_are_seeded_varied_and_show_the_part() -> None:
    mesh = tessellate(cq.Workplane().box(30, 20, 8).faces(">Z").workplane().hole(6))
    a, params_a = random_view(mesh, np.random.default_rng(7))
    b, params_b = random_view(mesh, np.random.default_rng(7))
    assert params_a == params_b and np.array_equal(np.asarray(a), np.asarray(b))
    views = [random_view(mesh, np.random.default_rng(seed), size=224) for seed in range(16)]
    assert len({(p["azimuth"], p["elevation"]) for _, p in views}) == 16
    assert len({tuple(p["face"]) for _, p in views}) >= 3
    assert len({p["perspective"] for _, p in views}) == 2
    for image, _ in views:
        assert image.size == (224, 224)
        covered = foreground_mask(image).mean()
        assert 0.05 < covered < 0.9, covered
