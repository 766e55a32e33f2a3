"""Data engine throughput: accepted samples per second, and per core, for ``cadcoder datagen``.

    .venv/bin/python benchmarks/datagen_speed.py --n 60 --workers 1 [--style verbose] [--augment 0.3]

``--workers W`` means W sandbox workers plus W render processes, so the figure per core divides by
min(2 W, cpu count). The end-to-end time includes starting the pools (a CadQuery import per sandbox
worker), as a real ``cadcoder datagen`` call does. The two stages are then timed alone on the same
candidates: programs executed per second by the sandbox pool, and benchmark-style images rendered
per second by one process.
"""

from __future__ import annotations

import argparse
import json
import os
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--style", choices=("concise", "verbose"), default="concise")
    parser.add_argument("--augment", type=float, default=0.0)
    args = parser.parse_args()
    sampler = SamplerConfig(style=args.style)
    cores = min(2 * args.workers, os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="datagen-speed-") as tmp:
        config = DatagenConfig(
            n=args.n,
            seed=args.seed,
            workers=args.workers,
            augment=args.augment,
            shard_size=max(1, args.n // 4),
            sampler=sampler,
        )
        start = time.perf_counter()
        report = generate_dataset(Path(tmp), config)
        elapsed = time.perf_counter() - start
    rate = report.new_samples / elapsed
    result = {
        "n": report.new_samples,
        "workers": args.workers,
        "cores_used": cores,
        "style": args.style,
        "augment": args.augment,
        "elapsed_s": round(elapsed, 2),
        "samples_per_s": round(rate, 2),
        "samples_per_s_per_core": round(rate / cores, 2),
        "acceptance": round(report.new_samples / max(report.candidates, 1), 3),
        "rejected": report.rejected,
        **stage_rates(args.n, args.seed, args.workers, sampler),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
