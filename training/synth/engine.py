"""The data engine's loop: sample programs, run them in the sandbox, keep the good ones, render,
write shards.

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
from dataclasses import asdict, dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

from core.sandbox import ExecutionResult, SandboxConfig, SandboxPool
from training.synth.checks import QualityLimits, rejection_reason
from training.synth.dedup import Deduplicator, code_key, shape_key
from training.synth.render_job import RenderedSample, render_process_pool, render_sample
from training.synth.sampler import Candidate, SamplerConfig, sample_candidate
from training.synth.shards import (
    SampleFiles,
    ShardSummary,
    ShardWriter,
    completed_shards,
    read_manifest,
    write_manifest,
)


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

    def __post_init__(self) -> None:
        if self.n < 0 or self.workers < 1 or self.shard_size < 1 or self.image_size < 16:
            raise ValueError("n >= 0, workers >= 1, shard_size >= 1 and image_size >= 16 are required")
        if not 0.0 <= self.augment <= 1.0:
            raise ValueError("augment is a probability in [0, 1]")

    def manifest(self) -> dict[str, Any]:
        """What decides the samples (not ``n`` or ``workers``: a run may be extended or re-parallelised)."""
        d = asdict(self)
        for key in ("n", "workers", "timeout"):
            d.pop(key)
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
    first = done[-1].next_candidate if done else 0
    if total >= config.n:
        return DatagenReport(total, len(done), 0, {}, 0, time.perf_counter() - started, 0)

    state = _ShardState(len(done), first)
    last_shard = state
    examined = 0
    window = 4 * config.workers
    in_sandbox: deque[tuple[Candidate, Future[ExecutionResult]]] = deque()
    in_render: deque[_Pending] = deque()
    candidates = count(first)
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
                    reason = rejection_reason(result, config.limits)
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
                        state.next_candidate = cand.index + 1
                        last_shard = state
                        state = _ShardState(state.index + 1, cand.index + 1)
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
    meta = {
        "index": p.candidate.index,
        "family": p.candidate.family,
        "style": config.sampler.style,
        "seed": config.seed,
        "params": p.candidate.params,
        "volume": r.volume,
        "bbox": list(r.bbox) if r.bbox else None,
        "n_faces": r.n_faces,
        "augmentation": rendered.augmentation,
    }
    files = {"py": p.candidate.code.encode(), "png": rendered.image, "json": json.dumps(meta).encode()}
    if rendered.augmented is not None:
        files["aug.png"] = rendered.augmented
    return SampleFiles(f"{p.candidate.index:09d}", files)
