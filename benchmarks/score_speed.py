"""Scoring speed: our IOU_best against the straightforward single-process reference.

The reference is the paper's evaluation algorithm written plainly, as the authors' code does it:
per sample, both solids normalised by copying transforms, and each of the four orientations costs a
Common *and* a Fuse (8 booleans per sample), one sample after another. Ours (core.metrics): one
Common per orientation (the union's volume is vol(A) + vol(B) - vol(A ∩ B)), orientations skipped
when a bounding-box bound shows they cannot win, samples in parallel on a fork-server pool, and
optionally the targets' normalisation reused from core.metrics.target_cache. Script execution is
excluded: the 100 ground-truth scripts run once in the sandbox and every row scores the same BREPs.
Exits non-zero when a sample's IOU_best differs from the reference by more than --tolerance.

    .venv/bin/python benchmarks/score_speed.py [--workers 2] [--limit 100] [--tolerance 1e-6]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from OCP.BRepAlgoAPI import BRepAlgoAPI_Common, BRepAlgoAPI_Fuse
from OCP.BRepBuilderAPI import BRepBuilderAPI_Transform
from OCP.gp import gp_Pnt, gp_Trsf, gp_Vec

from core.geometry.io import read_shape, shape_from_bytes
from core.metrics.benchmark import load_benchmark
from core.metrics.frames import affine_trsf, principal_frame, volume_of
from core.metrics.iou import PAPER_SIGN_FLIPS, iou_best
from core.metrics.scoring import metric_process_pool
from core.metrics.target_cache import cached_target
from core.paths import benchmark_dir
from core.sandbox import SandboxConfig, SandboxPool


def reference_iou_best(candidate, target) -> float:
    """The paper's protocol, as plainly as it is usually written (copying transforms, 8 booleans)."""

    def normalised(shape):
        f = principal_frame(shape)
        move = gp_Trsf()
        move.SetTranslation(gp_Vec(*(-f.centre)))
        shape = BRepBuilderAPI_Transform(shape, move, True).Shape()
        scale = gp_Trsf()
        scale.SetScale(gp_Pnt(0, 0, 0), 1 / f.scale)
        return BRepBuilderAPI_Transform(shape, scale, True).Shape(), f

    t, ft = normalised(target)
    c, fc = normalised(candidate)
    best = 0.0
    for flip in PAPER_SIGN_FLIPS:
        rotation = ft.axes @ flip @ fc.axes.T
        moved = BRepBuilderAPI_Transform(c, affine_trsf(rotation, np.zeros(3)), True).Shape()
        inter = volume_of(BRepAlgoAPI_Common(t, moved).Shape())
        union = volume_of(BRepAlgoAPI_Fuse(t, moved).Shape())
        if union > 0:
            best = max(best, inter / union)
    return best


def _ours(args: tuple[bytes, str, str | None]) -> float:
    brep, step, cache = args
    target = cached_target(step, Path(cache)) if cache else read_shape(step)
    return iou_best(shape_from_bytes(brep), target)


def _parallel(
    pairs: list[tuple[bytes, str]], workers: int, cache: str | None
) -> tuple[list[float], float, float]:
    """Scores in input order, seconds of scoring, seconds of pool start-up (fork server, OCP import)."""
    # Longest-first scheduling: the biggest parts start first so no core idles at the end.
    order = sorted(range(len(pairs)), key=lambda i: -(len(pairs[i][0]) + os.path.getsize(pairs[i][1])))
    t0 = time.perf_counter()
    with metric_process_pool(workers) as ex:
        list(ex.map(int, range(workers)))
        t_start = time.perf_counter() - t0
        t0 = time.perf_counter()
        scored = list(ex.map(_ours, [(*pairs[i], cache) for i in order], chunksize=1))
        t_run = time.perf_counter() - t0
    values = [0.0] * len(pairs)
    for i, value in zip(order, scored, strict=True):
        values[i] = value
    return values, t_run, t_start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--tolerance", type=float, default=1e-6, help="largest allowed per-sample difference")
    args = parser.parse_args()

    samples = load_benchmark(benchmark_dir())[: args.limit]
    with SandboxPool(SandboxConfig(workers=args.workers)) as pool:
        results = [pool.submit(s.ground_truth, outputs=("brep",)) for s in samples]
        breps = [r.result().brep for r in results]
    pairs = [(b, str(s.step)) for b, s in zip(breps, samples, strict=True) if b is not None]
    print(f"{len(pairs)} of {len(samples)} ground-truth scripts produced a solid")

    t0 = time.perf_counter()
    reference = [reference_iou_best(shape_from_bytes(b), read_shape(p)) for b, p in pairs]
    t_ref = time.perf_counter() - t0
    t0 = time.perf_counter()
    single = [_ours((b, p, None)) for b, p in pairs]
    t_single = time.perf_counter() - t0
    ours, t_ours, t_start = _parallel(pairs, args.workers, None)
    with tempfile.TemporaryDirectory(prefix="cadcoder-target-cache-") as cache:
        cold, t_cold, _ = _parallel(pairs, args.workers, cache)
        warm, t_warm, _ = _parallel(pairs, args.workers, cache)

    w = args.workers
    rows = [
        ("reference, 1 process, 8 booleans/sample", t_ref, reference),
        ("ours, 1 process", t_single, single),
        (f"ours, {w} processes", t_ours, ours),
        (f"ours, {w} processes, filling the target cache", t_cold, cold),
        (f"ours, {w} processes, target cache warm", t_warm, warm),
    ]
    for label, seconds, values in rows:
        print(f"{label:48s} {seconds:7.2f} s  {t_ref / seconds:5.2f}x   mean IOU_best {np.mean(values):.6f}")
    print(
        f"pool start-up, once per run (`cadcoder score` overlaps it with script execution): {t_start:.2f} s"
    )

    assert single == ours, "scoring in parallel changed a result"
    diffs = np.abs(np.array(reference) - np.array(ours))
    cache_diff = float(np.max(np.abs(np.array(warm) - np.array(ours))))
    print(
        f"largest per-sample difference: {float(diffs.max()):.2e} vs the reference, {cache_diff:.1e} from caching"
    )
    print(
        f"samples differing from the reference by more than {args.tolerance:g}: {int(np.sum(diffs > args.tolerance))}"
    )
    # The union formula uses the exact vol(A) and vol(B); an actual Fuse (like the Cuts) can add
    # OCCT boolean tolerance to the pieces, which on one benchmark sample moves IoU by ~1e-6.
    if float(diffs.max()) > args.tolerance:
        raise SystemExit(
            f"IOU_best differs from the reference by {float(diffs.max()):.3g} (> {args.tolerance:g})"
        )


if __name__ == "__main__":
    main()
