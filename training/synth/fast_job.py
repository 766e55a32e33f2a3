"""One candidate, start to finish, inside a datagen worker: sample, build in-process, check, render.

The sandbox path ships every program to a sandbox worker and its fine mesh to a render process;
here one warm worker (CadQuery imported once by the fork server) does the whole candidate and
returns only what the shard needs: code, metadata and PNG bytes. Candidate ``i`` of seed ``s``
gives the same bytes in any worker, so the engine can still consume results in index order.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from training.synth.checks import QualityLimits, limits_for_scale, rejection_reason
from training.synth.render_job import RenderedSample, render_sample
from training.synth.sampler import Candidate, SamplerConfig, sample_candidate
from training.synth.trusted_build import build_trusted


@dataclass(frozen=True)
class FastSample:
    candidate: Candidate
    reason: str | None  # why it is rejected before dedup, None when usable
    status: str
    volume: float | None
    bbox: tuple[float, float, float, float, float, float] | None
    n_solids: int
    n_faces: int
    rendered: RenderedSample | None
    cpu_s: float = 0.0  # CPU time the worker spent on it (throughput on a loaded machine)


def build_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes forked from a server that imported CadQuery and the renderer once."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["cadquery", "training.synth.fast_job", "core.render"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def build_and_render(
    seed: int,
    index: int,
    sampler: SamplerConfig,
    limits: QualityLimits,
    augment: float,
    image_size: int,
) -> FastSample:
    cpu_start = time.process_time()
    candidate = sample_candidate(seed, index, sampler)
    built = build_trusted(candidate.code)
    r = built.result
    reason = rejection_reason(r, limits_for_scale(limits, sampler.unit_scale))
    if reason is None and not built.mesh:
        reason = "no_mesh"
    rendered = None
    if reason is None:
        assert built.mesh is not None
        rendered = render_sample(built.mesh, seed, index, augment, image_size)
    return FastSample(
        candidate,
        reason,
        r.status.value,
        r.volume,
        r.bbox,
        r.n_solids,
        r.n_faces,
        rendered,
        time.process_time() - cpu_start,
    )


def as_result_fields(sample: FastSample) -> dict[str, Any]:
    """The fields of ``ExecutionResult`` that dedup and the metadata read."""
    return {"volume": sample.volume, "bbox": sample.bbox, "n_faces": sample.n_faces}
