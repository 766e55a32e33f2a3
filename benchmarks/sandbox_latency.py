"""Sandbox latency and throughput: cold start versus the warm zygote pool.

    .venv/bin/python benchmarks/sandbox_latency.py            # ~1 min on 2 cores
    .venv/bin/python benchmarks/sandbox_latency.py --cold 3 --box-repeats 30
    .venv/bin/python benchmarks/sandbox_latency.py --warm-only     # warm rows only, ~20 s
    .venv/bin/python benchmarks/sandbox_latency.py --against /tmp/prev   # A/B, jobs interleaved

An ``--against`` checkout is e.g. ``git archive HEAD~1 core benchmarks package.xml | tar -x -C /tmp/prev``
plus ``ln -s $PWD/.venv /tmp/prev/.venv``.

Rows (latency seen by the caller, milliseconds):
  cold process   a new interpreter imports CadQuery and runs the script (no sandbox): what every job
                 would cost without warm workers;
  cold pool      a new SandboxPool(workers=1) until the first result;
  warm box       one worker, a 10x20x30 box, sequential jobs, back to back and with pauses (the
                 worker forks the next job's process while idle, so pauses hide the fork);
  warm GT        one worker, the benchmark's 100 ground-truth scripts, sequential jobs;
then throughput (scripts/s) over the 100 ground-truth scripts with 1 and 2 workers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.paths import benchmark_dir
from core.sandbox import SandboxConfig, SandboxPool
from core.sandbox.config import default_python

BOX = "import cadquery as cq\nsolid = cq.Workplane('XY').box(10, 20, 30)\n"
COLD_RUNNER = "import sys\nimport cadquery as cq\nns = {}\nexec(sys.stdin.read(), ns)\nprint(ns['solid'].val().Volume())\n"


def percentiles(samples_s: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_s)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def cold_process(code: str, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            [default_python(), "-c", COLD_RUNNER], input=code, text=True, capture_output=True, check=True
        )
        times.append(time.perf_counter() - start)
    return times


def cold_pool(code: str, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        with SandboxPool(SandboxConfig(workers=1)) as pool:
            result = pool.run(code)
        times.append(time.perf_counter() - start)
        assert result.ok, result.message
    return times


def warm(pool: SandboxPool, codes: list[str], pause: float = 0.0) -> list[float]:
    times = []
    for code in codes:
        time.sleep(pause)
        start = time.perf_counter()
        result = pool.run(code)
        times.append(time.perf_counter() - start)
        assert result.made_solid, result.message
    return times


def interleaved(
    pools: dict[str, SandboxPool], codes: list[str]
) -> dict[str, tuple[list[float], list[float]]]:
    """Each code on every pool in turn, the order alternating, so that a busy machine's noise falls
    on all alike; per pool: caller latencies and the job process's own CPU seconds."""
    out: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in pools}
    order = list(pools)
    for i, code in enumerate(codes):
        for name in order if i % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            result = pools[name].run(code)
            out[name][0].append(time.perf_counter() - start)
            out[name][1].append(float(result.extra.get("cpu_s", 0.0)))
            assert result.made_solid, result.message
    return out


def compare(against: Path, box_repeats: int, gt: list[str]) -> None:
    """Warm rows of this checkout and of ``against`` (another checkout of the repository, e.g. the
    previous commit, with a ``.venv`` link), their workers running side by side."""
    import core.sandbox.pool as pool_module

    pools = {"this": SandboxPool(SandboxConfig(workers=1))}
    own_root = pool_module.REPO_ROOT
    pool_module.REPO_ROOT = against.resolve()  # the other checkout's zygote and job code
    try:
        pools["against"] = SandboxPool(SandboxConfig(workers=1))
        for pool in pools.values():
            pool.wait_ready(300)
    finally:
        pool_module.REPO_ROOT = own_root
    try:
        for pool in pools.values():
            warm(pool, [BOX] * 3)
        rows = [
            ("warm box, back to back", interleaved(pools, [BOX] * box_repeats)),
            ("warm GT (100 scripts)", interleaved(pools, gt)),
        ]
    finally:
        for pool in pools.values():
            pool.close()
    print(f"{'latency':28} {'checkout':9} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'job CPU p50 ms':>15}")
    for row, per_pool in rows:
        for name, (wall, cpu) in per_pool.items():
            p50, p95 = percentiles(wall)
            print(
                f"{row:28} {name:9} {len(wall):>4} {p50:>9.1f} {p95:>9.1f} {statistics.median(cpu) * 1000:>15.1f}"
            )


def throughput(codes: list[str], workers: int) -> float:
    with SandboxPool(SandboxConfig(workers=workers)) as pool:
        pool.wait_ready(300)
        start = time.perf_counter()
        results = [f.result() for f in [pool.submit(c) for c in codes]]
        elapsed = time.perf_counter() - start
    assert all(r.made_solid for r in results)
    return len(codes) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cold", type=int, default=5, help="cold samples per row")
    parser.add_argument("--box-repeats", type=int, default=50, help="warm box jobs")
    parser.add_argument("--warm-only", action="store_true", help="only the warm rows")
    parser.add_argument(
        "--against",
        type=Path,
        metavar="CHECKOUT",
        help="A/B: warm rows of this checkout and another one, jobs interleaved (fair on a busy machine)",
    )
    args = parser.parse_args()

    with open(benchmark_dir() / "test100.jsonl", encoding="utf-8") as fh:
        gt = [json.loads(line)["ground_truth"] for line in fh if line.strip()]
    if args.against is not None:
        compare(args.against, args.box_repeats, gt)
        return

    rows = []
    if not args.warm_only:
        rows.append(("cold process (import + run)", cold_process(BOX, args.cold)))
        rows.append(("cold pool (start + first job)", cold_pool(BOX, args.cold)))
    with SandboxPool(SandboxConfig(workers=1)) as pool:
        pool.wait_ready(300)
        warm(pool, [BOX] * 3)  # first jobs fault in pages
        rows.append(("warm box, back to back", warm(pool, [BOX] * args.box_repeats)))
        rows.append(("warm box, 50 ms apart", warm(pool, [BOX] * args.box_repeats, pause=0.05)))
        rows.append(("warm GT (100 scripts)", warm(pool, gt)))

    print(f"{'latency':32} {'n':>4} {'p50 ms':>9} {'p95 ms':>9}")
    for name, samples in rows:
        p50, p95 = percentiles(samples)
        print(f"{name:32} {len(samples):>4} {p50:>9.1f} {p95:>9.1f}")
    if args.warm_only:
        return
    print()
    print(f"{'throughput (100 GT scripts)':32} {'scripts/s':>9}")
    for workers in (1, 2):
        print(f"{f'{workers} worker(s)':32} {throughput(gt, workers):>9.1f}")


if __name__ == "__main__":
    main()
