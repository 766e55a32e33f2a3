"""The data engine's loop: sample programs, build them (in the sandbox, or in-process for speed),
keep the good ones, render, write shards.

``builder="inprocess"`` (``cadcoder datagen --builder inprocess``) builds our own trusted programs
with CadQuery inside warm worker processes that also render (``fast_job``), and runs a random
``verify_fraction`` of the emitted code in the real sandbox as well: a sample on which the two
disagree is rejected ("sandbox_disagrees") and counted in the report.

Candidates are consumed strictly in index order (the sandbox and the render processes work ahead
on a bounded window), so which samples are accepted, and in which shard they land, depends only
on the seed and the settings, never on the number of workers or on interruptions.
"""

from __future__ import annotations

import json
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from itertools import count
from pathlib import Path
from typing import Any, Literal

from core.sandbox import ExecutionResult, SandboxConfig, SandboxPool
from training.synth.checks import QualityLimits, limits_for_scale, rejection_reason
from training.synth.dedup import Deduplicator, code_key, shape_key
from training.synth.fast_job import FastSample, build_and_render, build_pool
from training.synth.render_job import RenderedSample, render_process_pool, render_sample
from training.synth.sampler import Candidate, SamplerConfig, candidate_rng, sample_candidate
from training.synth.shards import (
    SampleFiles,
    ShardSummary,
    ShardWriter,
    completed_shards,
    read_manifest,
    write_manifest,
)
from training.synth.trusted_build import verify_agrees


class DatagenError(RuntimeError):
    """The output folder cannot be used as asked (e.g. it holds a run with other settings)."""


@dataclass(frozen=True)
class DatagenConfig:
    n: int
    seed: int = 0
    workers: int = 2
    augment: float = 0.0  # probability that a sample also gets an augmented render
    shard_size: int = 1000
    image_size: int = 448
    timeout: float = 20.0  # per program, seconds
    sampler: SamplerConfig = field(default_factory=SamplerConfig)
    limits: QualityLimits = field(default_factory=QualityLimits)
    # "sandbox": every program runs in the sandbox (untrusted-code path, slow); "inprocess": trusted
    # generator code is built in the worker processes (fast_job), a sample of it also in the sandbox.
    builder: Literal["sandbox", "inprocess"] = "sandbox"
    verify_fraction: float = 0.02  # inprocess only: share of candidates also run in the sandbox
    # Job ``job_index`` of ``num_jobs`` (a scheduler's array): candidates job_index, +num_jobs, ...;
    # the jobs' folders are merged with training.synth.merge.
    job_index: int = 0
    num_jobs: int = 1

    def __post_init__(self) -> None:
        if self.n < 0 or self.workers < 1 or self.shard_size < 1 or self.image_size < 16:
            raise ValueError("n >= 0, workers >= 1, shard_size >= 1 and image_size >= 16 are required")
        if not 0.0 <= self.augment <= 1.0:
            raise ValueError("augment is a probability in [0, 1]")
        if self.builder not in ("sandbox", "inprocess"):
            raise ValueError(f"builder must be 'sandbox' or 'inprocess', not {self.builder!r}")
        if not 0.0 <= self.verify_fraction <= 1.0:
            raise ValueError("verify_fraction is a probability in [0, 1]")
        if self.num_jobs < 1 or not 0 <= self.job_index < self.num_jobs:
            raise ValueError("job_index must be in 0 .. num_jobs - 1")

    def manifest(self) -> dict[str, Any]:
        """What decides the samples (not ``n`` or ``workers``: a run may be extended or re-parallelised)."""
        d = asdict(self)
        for key in ("n", "workers", "timeout"):
            d.pop(key)
        if self.builder == "sandbox":  # the manifests written before the in-process builder existed
            d.pop("builder")
            d.pop("verify_fraction")
        if self.num_jobs == 1:  # nor job arrays
            d.pop("job_index")
            d.pop("num_jobs")
        d["format"] = "cadcoder-synth-v1"
        return json.loads(json.dumps(d))


@dataclass
class DatagenReport:
    samples: int
    shards: int
    candidates: int  # candidates examined in this run
    rejected: dict[str, int]
    augmented: int
    elapsed_s: float
    new_samples: int
    verified: int = 0  # inprocess: candidates also run in the sandbox
    disagreements: int = 0  # of those, how many the sandbox built differently (rejected)
    worker_cpu_s: float = 0.0  # inprocess: CPU seconds the build workers spent on all candidates

    @property
    def samples_per_s(self) -> float:
        return self.new_samples / self.elapsed_s if self.elapsed_s > 0 else 0.0


@dataclass
class _ShardState:
    index: int
    first_candidate: int
    keys: list[str] = field(default_factory=list)
    rejected: Counter = field(default_factory=Counter)
    accepted: int = 0
    written: int = 0
    augmented: int = 0
    next_candidate: int | None = None  # set when the shard is sealed (no more samples go in)


@dataclass
class _Pending:
    candidate: Candidate
    result: ExecutionResult
    shard: _ShardState
    render: Future[RenderedSample]


def generate_dataset(
    out: Path, config: DatagenConfig, on_sample: Callable[[int, dict[str, int]], None] | None = None
) -> DatagenReport:
    """Fill ``out`` up to ``config.n`` samples, resuming after the shards already there.

    ``on_sample(total_samples, rejected_counts)`` is called after each written sample (progress bars).
    """
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    manifest = config.manifest()
    existing = read_manifest(out)
    if existing is not None and existing != manifest:
        changed = sorted(k for k in set(manifest) | set(existing) if manifest.get(k) != existing.get(k))
        raise DatagenError(
            f"{out} holds a dataset made with other settings ({', '.join(changed)}); use a new folder"
        )
    write_manifest(out, manifest)
    for stale in out.glob("*.partial"):
        stale.unlink()
    done = completed_shards(out)
    dedup = Deduplicator()
    for summary in done:
        dedup.add(summary.keys)
    total = sum(s.samples for s in done)
    rejected: Counter = Counter()
    augmented = 0
    first = done[-1].next_candidate if done else config.job_index
    if total >= config.n:
        return DatagenReport(total, len(done), 0, {}, 0, time.perf_counter() - started, 0)
    if config.builder == "inprocess":
        return _generate_inprocess(out, config, on_sample, done, dedup, started)

    state = _ShardState(len(done), first)
    last_shard = state
    examined = 0
    window = 4 * config.workers
    in_sandbox: deque[tuple[Candidate, Future[ExecutionResult]]] = deque()
    in_render: deque[_Pending] = deque()
    candidates = count(first, config.num_jobs)
    accepted = written = total
    writer: ShardWriter | None = None
    with (
        SandboxPool(SandboxConfig(workers=config.workers, timeout=config.timeout)) as sandbox,
        render_process_pool(config.workers) as renderers,
    ):
        try:
            while accepted < config.n or in_render:
                while accepted < config.n and len(in_sandbox) < window:
                    cand = sample_candidate(config.seed, next(candidates), config.sampler)
                    in_sandbox.append(
                        (cand, sandbox.submit(cand.code, timeout=config.timeout, outputs=("mesh",)))
                    )
                while accepted < config.n and in_sandbox and len(in_render) < window:
                    cand, fut = in_sandbox.popleft()
                    examined += 1
                    result = fut.result()
                    reason = rejection_reason(
                        result, limits_for_scale(config.limits, config.sampler.unit_scale)
                    )
                    if reason is None and not result.mesh:
                        reason = "no_mesh"  # tessellation failed: nothing to render
                    keys = (code_key(cand.code), shape_key(result))
                    if reason is None and dedup.seen(keys):
                        reason = "duplicate"
                    if reason is not None:
                        state.rejected[reason] += 1
                        rejected[reason] += 1
                        continue
                    dedup.add(keys)
                    state.keys.extend(keys)
                    state.accepted += 1
                    accepted += 1
                    job = renderers.submit(
                        render_sample, result.mesh, config.seed, cand.index, config.augment, config.image_size
                    )
                    in_render.append(_Pending(cand, result, state, job))
                    if state.accepted == config.shard_size or accepted == config.n:
                        state.next_candidate = cand.index + config.num_jobs
                        last_shard = state
                        state = _ShardState(state.index + 1, cand.index + config.num_jobs)
                if not in_render:
                    continue
                head = in_render.popleft()
                rendered = head.render.result()
                if writer is None:
                    writer = ShardWriter(out, head.shard.index)
                writer.add(_sample_files(head, rendered, config))
                head.shard.written += 1
                head.shard.augmented += int(rendered.augmented is not None)
                augmented += int(rendered.augmented is not None)
                written += 1
                if on_sample is not None:
                    on_sample(written, dict(rejected))
                if head.shard.next_candidate is not None and head.shard.written == head.shard.accepted:
                    writer.close()
                    writer = None
                    _summary(head.shard).write(out)
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
    shards = last_shard.index + 1
    return DatagenReport(
        accepted, shards, examined, dict(rejected), augmented, time.perf_counter() - started, accepted - total
    )


def _summary(state: _ShardState) -> ShardSummary:
    assert state.next_candidate is not None
    return ShardSummary(
        shard=state.index,
        samples=state.written,
        first_candidate=state.first_candidate,
        next_candidate=state.next_candidate,
        keys=state.keys,
        rejected=dict(state.rejected),
        augmented=state.augmented,
    )


def _sample_files(p: _Pending, rendered: RenderedSample, config: DatagenConfig) -> SampleFiles:
    r = p.result
    return _files(p.candidate, r.volume, r.bbox, r.n_faces, rendered, config)


def _files(
    candidate: Candidate,
    volume: float | None,
    bbox: Any,
    n_faces: int,
    rendered: RenderedSample,
    config: DatagenConfig,
) -> SampleFiles:
    meta = {
        "index": candidate.index,
        "family": candidate.family,
        "style": config.sampler.style,
        "seed": config.seed,
        "params": candidate.params,
        "volume": volume,
        "bbox": list(bbox) if bbox else None,
        "n_faces": n_faces,
        "augmentation": rendered.augmentation,
    }
    files = {"py": candidate.code.encode(), "png": rendered.image, "json": json.dumps(meta).encode()}
    if rendered.augmented is not None:
        files["aug.png"] = rendered.augmented
    return SampleFiles(f"{candidate.index:09d}", files)


def verify_selected(seed: int, index: int, fraction: float) -> bool:
    """Whether candidate ``index`` is also run in the sandbox (decided by its own generator)."""
    return fraction > 0 and candidate_rng(seed, index, "verify").random() < fraction


def _generate_inprocess(
    out: Path,
    config: DatagenConfig,
    on_sample: Callable[[int, dict[str, int]], None] | None,
    done: list[ShardSummary],
    dedup: Deduplicator,
    started: float,
) -> DatagenReport:
    """The fast loop: workers build and render whole candidates; results are consumed in index order."""
    total = sum(s.samples for s in done)
    first = done[-1].next_candidate if done else config.job_index
    state = _ShardState(len(done), first)
    rejected: Counter = Counter()
    augmented = examined = verified = disagreements = 0
    worker_cpu = 0.0
    accepted = total
    window = 8 * config.workers
    queue: deque[tuple[Future[FastSample], Future[ExecutionResult] | None]] = deque()
    candidates = count(first, config.num_jobs)
    writer: ShardWriter | None = None
    verifier = (
        SandboxPool(SandboxConfig(workers=1, timeout=config.timeout))
        if config.verify_fraction > 0
        else nullcontext()
    )
    with build_pool(config.workers) as pool, verifier as sandbox:
        try:
            while accepted < config.n:
                while len(queue) < window:
                    index = next(candidates)
                    job = pool.submit(
                        build_and_render,
                        config.seed,
                        index,
                        config.sampler,
                        config.limits,
                        config.augment,
                        config.image_size,
                    )
                    check = None
                    if sandbox is not None and verify_selected(config.seed, index, config.verify_fraction):
                        code = sample_candidate(config.seed, index, config.sampler).code
                        check = sandbox.submit(code, timeout=config.timeout)
                    queue.append((job, check))
                job, check = queue.popleft()
                sample = job.result()
                worker_cpu += sample.cpu_s
                examined += 1
                reason = sample.reason
                if check is not None:
                    verified += 1
                    if not verify_agrees(_as_result(sample), check.result()):
                        disagreements += 1
                        reason = "sandbox_disagrees"
                cand = sample.candidate
                keys = (code_key(cand.code), shape_key(_as_result(sample)))
                if reason is None and dedup.seen(keys):
                    reason = "duplicate"
                if reason is not None:
                    state.rejected[reason] += 1
                    rejected[reason] += 1
                    continue
                assert sample.rendered is not None
                dedup.add(keys)
                state.keys.extend(keys)
                state.accepted += 1
                accepted += 1
                if writer is None:
                    writer = ShardWriter(out, state.index)
                writer.add(_files(cand, sample.volume, sample.bbox, sample.n_faces, sample.rendered, config))
                state.written += 1
                got_aug = int(sample.rendered.augmented is not None)
                state.augmented += got_aug
                augmented += got_aug
                if on_sample is not None:
                    on_sample(accepted, dict(rejected))
                if state.accepted == config.shard_size or accepted == config.n:
                    state.next_candidate = cand.index + config.num_jobs
                    writer.close()
                    writer = None
                    _summary(state).write(out)
                    state = _ShardState(state.index + 1, cand.index + config.num_jobs)
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        finally:
            for job, check in queue:
                job.cancel()
                if check is not None:
                    check.cancel()
    shards = state.index if state.accepted == 0 else state.index + 1
    return DatagenReport(
        accepted,
        shards,
        examined,
        dict(rejected),
        augmented,
        time.perf_counter() - started,
        accepted - total,
        verified,
        disagreements,
        worker_cpu,
    )


def _as_result(sample: FastSample) -> ExecutionResult:
    from core.sandbox.result import Status

    return ExecutionResult(
        Status(sample.status),
        volume=sample.volume,
        bbox=sample.bbox,
        n_solids=sample.n_solids,
        n_faces=sample.n_faces,
    )
