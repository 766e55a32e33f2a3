"""Rendering one executed sample (runs in a render process): the benchmark-style image and, with
probability ``augment``, a variant that looks like a photo or a FreeCAD screenshot.

The benchmark render is always made the same way (448 x 448, grey shading, black edges, the
benchmark's isometric camera, white background), so a model learns the test distribution first;
augmented variants (camera jitter, perspective, colours, backgrounds, lighting; ``core.render.augment``)
are extra examples that teach robustness to real inputs, never replacements.
"""

from __future__ import annotations

import io
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from PIL import Image

from training.synth.sampler import candidate_rng


@dataclass(frozen=True)
class RenderedSample:
    image: bytes  # PNG
    augmented: bytes | None = None
    augmentation: dict[str, Any] | None = None  # what the augmented render changed (for the metadata)


def render_process_pool(workers: int) -> ProcessPoolExecutor:
    """Render processes from a fork server that imported the renderer once (numpy only, no OCCT).

    Not plain ``fork``: the caller also runs the sandbox pool's threads, whose locks a fork would copy.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["training.synth.render_job", "core.render"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def render_benchmark_png(mesh: dict[str, Any], size: int = 448) -> bytes:
    """The benchmark's look: orthographic isometric view, flat grey, black edges, white background."""
    from core.render import STYLE_BENCHMARK, render_mesh

    return png_bytes(render_mesh(mesh, style=replace(STYLE_BENCHMARK, size=size)))


def render_sample(
    mesh: dict[str, Any], seed: int, index: int, augment: float, size: int = 448
) -> RenderedSample:
    clean = render_benchmark_png(mesh, size)
    rng = candidate_rng(seed, index, "render")
    if augment <= 0 or rng.random() >= augment:
        return RenderedSample(clean)
    from core.render.augment import random_view

    image, params = random_view(mesh, rng, size)
    return RenderedSample(clean, png_bytes(image.convert("RGB")), params)
