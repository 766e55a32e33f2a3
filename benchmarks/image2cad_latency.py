"""Image -> executed solid, as a user waits for it: latency per picture and peak memory.

    .venv/bin/python benchmarks/image2cad_latency.py [--model DIR] [--quantization 8bit|4bit]
        [--images 20] [--threads 2] [--n 1] [--refine] [--grounded] [--effort low|default|high]

Runs ``ImageToCad`` (the code path of ``cadcoder image2cad`` and the workbench) on the first
``--images`` benchmark pictures with the embedded model by default, after one warm-up picture
(model load and the sandbox's first start are reported separately: they happen once per session).
Prints one JSON object: p50/p95/max seconds per picture, the model load and warm-up seconds, the
share of pictures that gave a running solid, and peak resident memory of this process and of the
sandbox processes (``ru_maxrss``), which is what a laptop has to hold; and the median seconds of
each pipeline stage (generate, execute, ground, select, search, refine).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

import torch

from core.metrics.benchmark import load_benchmark
from core.models.local import LocalLlavaBackend
from core.paths import EMBEDDED_MODEL_DIR, benchmark_dir
from core.pipeline import ImageToCad
from core.pipeline.config import with_effort
from core.sandbox import SandboxConfig, SandboxPool


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=EMBEDDED_MODEL_DIR)
    parser.add_argument("--quantization", choices=("8bit", "4bit"), default=None)
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--n", type=int, default=1, help="candidates (1: greedy)")
    parser.add_argument("--refine", action="store_true", help="fit dimensions to the picture too")
    parser.add_argument("--workers", type=int, default=1, help="sandbox workers")
    parser.add_argument(
        "--grounded", action="store_true", help="add programs read off the picture (core.grounding)"
    )
    parser.add_argument("--effort", choices=("low", "default", "high"), default="default")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    samples = load_benchmark(benchmark_dir())[: args.images + 1]
    t0 = time.perf_counter()
    backend = LocalLlavaBackend(args.model, device="cpu", quantization=args.quantization)
    backend.load()
    load_s = time.perf_counter() - t0
    config = with_effort(
        args.effort,
        n=args.n,
        temperature=0.0 if args.n == 1 else 0.7,
        max_new_tokens=512,
        refine=args.refine,
        grounded=args.grounded,
    )
    seconds, ok, stages = [], 0, {}
    with SandboxPool(SandboxConfig(workers=args.workers)) as sandbox:
        pipeline = ImageToCad(backend, config=config, sandbox=sandbox)
        t0 = time.perf_counter()
        pipeline.run(samples[0].image.read_bytes())
        warmup_s = time.perf_counter() - t0
        for sample in samples[1:]:
            t0 = time.perf_counter()
            result = pipeline.run(sample.image.read_bytes())
            seconds.append(time.perf_counter() - t0)
            ok += result.ok
            for stage, t in result.timings.items():
                stages.setdefault(stage, []).append(t)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    seconds.sort()
    print(
        json.dumps(
            {
                "model": str(args.model),
                "quantization": args.quantization,
                "threads": args.threads,
                "n": args.n,
                "refine": args.refine,
                "grounded": args.grounded,
                "effort": args.effort,
                "pictures": len(seconds),
                "ok": ok,
                "p50_s": round(statistics.median(seconds), 3),
                "p95_s": round(seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))], 3),
                "max_s": round(seconds[-1], 3),
                "model_load_s": round(load_s, 2),
                "warmup_s": round(warmup_s, 2),
                "peak_rss_mb": round(own, 1),
                "peak_rss_sandbox_mb": round(children, 1),
                "stage_p50_s": {k: round(statistics.median(v), 3) for k, v in stages.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
