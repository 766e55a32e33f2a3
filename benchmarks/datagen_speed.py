"""Data engine throughput: accepted samples per second, and per core, for ``cadcoder datagen``.

    .venv/bin/python benchmarks/datagen_speed.py --n 600 --workers 2            # in-process, 96 px, grid 150
    .venv/bin/python benchmarks/datagen_speed.py --n 60 --workers 1 --builder sandbox --image-size 448 --grid 0

``--builder inprocess`` (default, issue 13): W worker processes build, check and render whole
candidates, plus one sandbox worker for the verified share; the figure per core divides by
min(W, cpu count). ``--builder sandbox``: W sandbox workers plus W render processes (min(2 W, cpus)).
The end-to-end time includes starting the pools and writing the shards, as a real ``cadcoder
datagen`` call does. The machine is shared: the 1-minute load average before and after is printed,
and so is the CPU time the run used (the main process, and the build workers as they report it), whose
ratio to the samples is what an idle core would give. Then the stages are timed alone in one process on the
same candidates.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from core.sandbox import SandboxConfig, SandboxPool
from training.synth.engine import DatagenConfig, generate_dataset
from training.synth.render_job import render_benchmark_png
from training.synth.sampler import SamplerConfig, sample_candidate


def stage_rates(n: int, seed: int, workers: int, sampler: SamplerConfig) -> dict[str, float]:
    codes = [sample_candidate(seed, i, sampler).code for i in range(n)]
    with SandboxPool(SandboxConfig(workers=workers)) as pool:
        pool.wait_ready(180)
        start = time.perf_counter()
        results = [f.result() for f in [pool.submit(c, timeout=20, outputs=("mesh",)) for c in codes]]
        sandbox_s = time.perf_counter() - start
    meshes = [r.mesh for r in results if r.ok and r.mesh]
    start = time.perf_counter()
    for mesh in meshes:
        render_benchmark_png(mesh)
    render_s = time.perf_counter() - start
    return {
        "sandbox_programs_per_s": round(n / sandbox_s, 2),
        "render_images_per_s_one_process": round(len(meshes) / render_s, 2),
    }


def inprocess_stage_ms(n: int, seed: int, sampler: SamplerConfig, size: int) -> dict[str, float]:
    """Milliseconds per candidate of each in-process stage, in this one process."""
    from training.synth.render_job import render_sample
    from training.synth.trusted_build import build_trusted

    codes = [sample_candidate(seed, i, sampler).code for i in range(n)]
    build_trusted(codes[0])  # warm CadQuery
    start = time.perf_counter()
    built = [build_trusted(c) for c in codes]
    build_s = time.perf_counter() - start
    meshes = [b.mesh for b in built if b.mesh]
    start = time.perf_counter()
    for i, mesh in enumerate(meshes):
        render_sample(mesh, seed, i, 0.0, size)
    render_s = time.perf_counter() - start
    return {
        "build_check_tessellate_ms": round(1000 * build_s / n, 1),
        "render_ms": round(1000 * render_s / max(len(meshes), 1), 1),
    }


def _cpu_seconds() -> float:
    """This process only: the workers are children of the fork server, reported by the engine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--style", choices=("concise", "verbose"), default="concise")
    parser.add_argument("--augment", type=float, default=0.3)
    parser.add_argument("--builder", choices=("inprocess", "sandbox"), default="inprocess")
    parser.add_argument("--image-size", type=int, default=96)
    parser.add_argument("--grid", type=int, default=150)
    parser.add_argument("--verify-fraction", type=float, default=0.02)
    parser.add_argument("--no-stages", action="store_true", help="Skip timing the stages alone.")
    args = parser.parse_args()
    sampler = SamplerConfig(style=args.style, grid=args.grid if args.style == "concise" else 0)
    per_worker = 1 if args.builder == "inprocess" else 2
    cores = min(per_worker * args.workers, os.cpu_count() or 1)
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_seconds()
    with tempfile.TemporaryDirectory(prefix="datagen-speed-") as tmp:
        config = DatagenConfig(
            n=args.n,
            seed=args.seed,
            workers=args.workers,
            augment=args.augment,
            shard_size=max(1, args.n // 4),
            image_size=args.image_size,
            sampler=sampler,
            builder=args.builder,
            verify_fraction=args.verify_fraction,
        )
        start = time.perf_counter()
        report = generate_dataset(Path(tmp), config)
        elapsed = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_before
    rate = report.new_samples / elapsed
    result = {
        "n": report.new_samples,
        "builder": args.builder,
        "workers": args.workers,
        "cores_used": cores,
        "style": args.style,
        "grid": sampler.grid,
        "image_size": args.image_size,
        "augment": args.augment,
        "elapsed_s": round(elapsed, 2),
        "samples_per_s": round(rate, 2),
        "samples_per_s_per_core": round(rate / cores, 2),
        "main_process_cpu_s": round(cpu, 1),
        "worker_cpu_s": round(report.worker_cpu_s, 1),
        # Samples per CPU-second of the build workers: what one idle core gives (the main process,
        # which writes the shards, and the verifying sandbox worker come on top).
        "samples_per_worker_cpu_s": round(report.new_samples / report.worker_cpu_s, 2)
        if report.worker_cpu_s > 0
        else None,
        "load_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "acceptance": round(report.new_samples / max(report.candidates, 1), 3),
        "rejected": report.rejected,
        "verified_in_sandbox": report.verified,
        "sandbox_disagreements": report.disagreements,
    }
    if not args.no_stages:
        n_stage = min(args.n, 60)
        if args.builder == "inprocess":
            result.update(inprocess_stage_ms(n_stage, args.seed, sampler, args.image_size))
        else:
            result.update(stage_rates(n_stage, args.seed, args.workers, sampler))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
