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


def benchmark_style_at(size: int) -> Any:
    """The benchmark's style drawn directly at ``size``.

    Below 448 px the benchmark picture the model sees is the 448 px render shrunk by the image
    processor: its 1-pixel edges become faint grey lines. Drawing at 2x with half-pixel edges and
    reducing matches that (mean absolute difference 1.9 / 255 at 96 px over 20 generic parts, vs 5.0
    for a plain 96 px render) at a tenth of the cost of rendering 448 px and shrinking.
    """
    from core.render import STYLE_BENCHMARK

    if size >= STYLE_BENCHMARK.size:
        return replace(STYLE_BENCHMARK, size=size)
    return replace(STYLE_BENCHMARK, size=size, supersample=2, edge_width=0.5)


def render_benchmark_png(mesh: dict[str, Any], size: int = 448) -> bytes:
    """The benchmark's look: orthographic isometric view, flat grey, black edges, white background."""
    from core.render import render_mesh

    return png_bytes(render_mesh(mesh, style=benchmark_style_at(size)))


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
