"""Scoring speed and agreement: our IOU_best against the authors' procedure run plainly.

The reference is the authors' evaluation as they run it, transcribed in
``tests/metrics/authors_reference.py``: per sample, the answer's solid exported with
``cq.exporters.export``, both STEP files imported with ``cq.importers.importStep``, then
``cq_align_shapes`` (default-integration mass properties, two copies, ``transformGeometry``, an
``intersect`` and a ``fuse`` per orientation), one sample after another in one process.
Ours (``core.metrics.iou.iou_best``, through the scoring pool): the same steps, with Common and Fuse
sharing one intersection, samples in parallel on a fork-server pool, and the ground truth's import
and normalisation reused from ``core.metrics.target_cache``. Script execution is excluded: the
ground-truth scripts run once in the sandbox and every row scores the same BREPs.

Prints per-sample agreement, the mean IOU_best of the ground-truth code against the ground-truth
STEP files (the authors' protocol gives 0.880) and the speed ratios, wall-clock and CPU (on a
loaded machine the CPU ratio is the fairer one). Exits non-zero when a sample differs from the
reference by more than --tolerance.

With ``--profile`` it prints instead where one process's CPU time goes, step by step, on ours
(round trip, mass properties, ``transformGeometry``, the shared intersection, the Common and Fuse
builds and their volume integrations) and on the reference's two separate booleans per
orientation, and how many Fuses the union bound skipped.

    .venv/bin/python benchmarks/score_speed.py [--workers 2] [--limit 100] [--tolerance 1e-6]
    .venv/bin/python benchmarks/score_speed.py --profile [--limit 12]

With ``--check-bound`` it compares, sample by sample and orientation by orientation, IOU_best with
the Fuse bound against building every Fuse (one process, CPU seconds of each), and exits non-zero
when a computed orientation differs or a skipped one would have won.

    .venv/bin/python benchmarks/score_speed.py --check-bound [--limit 100]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from core.geometry.io import shape_from_bytes
from core.metrics.benchmark import load_benchmark
from core.metrics.iou import iou_best
from core.metrics.scoring import metric_process_pool
from core.metrics.target_cache import cached_target
from core.paths import benchmark_dir
from core.sandbox import SandboxConfig, SandboxPool

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "metrics"))
from authors_reference import NoIoU, authors_iou_best, export_answer  # a test helper, not a package
from OCP.TopoDS import TopoDS_Shape

from core.metrics.paper_iou import top_level_items


def _reference(brep: bytes, step: str, folder: str) -> float | None:
    """The authors' path for one sandbox result: the Workplane holding its solids is exported."""
    import cadquery as cq

    solid = cq.Workplane("XY").newObject(top_level_items(shape_from_bytes(brep)))
    path = Path(folder) / "answer.step"
    export_answer(solid, path)
    try:
        return authors_iou_best(path, step)
    except NoIoU:
        return None


def _ours(args: tuple[bytes, str, str]) -> tuple[float | None, float]:
    """(IOU_best, CPU seconds this worker spent on it, OCCT's threads included)."""
    brep, step, cache = args
    c0 = time.process_time()
    value = iou_best(shape_from_bytes(brep), cached_target(step, Path(cache)))
    return value, time.process_time() - c0


def _parallel(
    pairs: list[tuple[bytes, str]], workers: int, cache: str
) -> tuple[list[float | None], float, float]:
    """Scores in input order, wall seconds and CPU seconds of scoring (pool start-up excluded:
    ``cadcoder score`` overlaps it with script execution)."""
    # Longest-first scheduling: the biggest parts start first so no core idles at the end.
    order = sorted(range(len(pairs)), key=lambda i: -(len(pairs[i][0]) + os.path.getsize(pairs[i][1])))
    with metric_process_pool(workers) as ex:
        list(ex.map(int, range(workers)))
        t0 = time.perf_counter()
        scored = list(ex.map(_ours, [(*pairs[i], cache) for i in order], chunksize=1))
        seconds = time.perf_counter() - t0
    values: list[float | None] = [None] * len(pairs)
    for i, (value, _) in zip(order, scored, strict=True):
        values[i] = value
    return values, seconds, sum(cpu for _, cpu in scored)


def _profile(pairs: list[tuple[bytes, str]], cache: str) -> None:
    """CPU seconds per step of IOU_best in one process, ours and the reference's booleans."""
    import cadquery as cq
    from OCP.BOPAlgo import BOPAlgo_PaveFiller
    from OCP.BRepAlgoAPI import BRepAlgoAPI_Common, BRepAlgoAPI_Fuse
    from OCP.TopTools import TopTools_ListOfShape

    from core.metrics import paper_iou as paper

    steps: dict[str, float] = {}
    orientations = skipped = 0

    @contextmanager
    def step(name: str) -> Iterator[None]:
        c0 = time.process_time()
        yield
        steps[name] = steps.get(name, 0.0) + time.process_time() - c0

    def intersection(a: TopoDS_Shape, b: TopoDS_Shape) -> BOPAlgo_PaveFiller:
        arguments = TopTools_ListOfShape()
        arguments.Append(a)
        arguments.Append(b)
        pave = BOPAlgo_PaveFiller()
        pave.SetArguments(arguments)
        pave.SetRunParallel(False)
        pave.Perform()
        return pave

    for brep, step_file in pairs:
        with step("target: cached import and normalisation"):
            target = cached_target(step_file, Path(cache)).paper
        with step("candidate: STEP export + import"):
            source = paper.step_round_trip(shape_from_bytes(brep))
        with step("candidate: mass properties"):
            frame = paper.paper_frame(source)
        if not np.isfinite(frame.scale):
            continue
        with step("both: normalising copies"):
            moved, fixed = paper.normalised(source, frame), target.fresh()
        for value in paper.paper_orientation_ious(shape_from_bytes(brep), target):
            orientations += 1
            skipped += value is None
        for flips in paper.AUTHORS_SIGN_FLIPS:
            matrix = np.eye(4)
            matrix[:3, :3] = target.frame.axes @ (flips[None, :] * frame.axes).T
            with step("transformGeometry (NURBS conversion)"):
                aligned = moved.transformGeometry(cq.Matrix(matrix.tolist()))
            a, b = aligned.wrapped, fixed.wrapped
            with step("intersection of the arguments (PaveFiller)"):
                pave = intersection(a, b)
            with step("Common build"):
                common = cq.Shape.cast(BRepAlgoAPI_Common(a, b, pave).Shape())
            with step("Common volume"):
                common.Volume()
            with step("Fuse build"):
                fuse = cq.Shape.cast(BRepAlgoAPI_Fuse(a, b, pave).Shape())
            with step("Fuse volume"):
                fuse.Volume()
            with step("reference only: a second PaveFiller (one per boolean)"):
                intersection(a, b)
    ours = sum(v for k, v in steps.items() if not k.startswith("reference only"))
    print(f"CPU seconds per step over {len(pairs)} samples, one process, every Fuse built:")
    for name, seconds in sorted(steps.items(), key=lambda item: -item[1]):
        share = "" if name.startswith("reference only") else f"{100 * seconds / ours:5.1f} %"
        print(f"  {name:56s} {seconds:7.2f} s {share}")
    print(f"  {'total':56s} {ours:7.2f} s")
    print(f"Fuses the union bound skips: {skipped} of {orientations} orientations")


def _check_bound(pairs: list[tuple[bytes, str]], cache: str, tolerance: float) -> None:
    """The Fuse bound against every Fuse built: equal values, skipped orientations never the best."""
    from core.metrics.paper_iou import PaperProtocolError, paper_orientation_ious

    cpu = {True: 0.0, False: 0.0}
    skipped = total = wrong = 0
    worst = 0.0
    for brep, step in pairs:
        target = cached_target(step, Path(cache)).paper
        values: dict[bool, list[float | None]] = {}
        for prune in (True, False):
            c0 = time.process_time()
            try:
                values[prune] = paper_orientation_ious(shape_from_bytes(brep), target, prune=prune)
            except PaperProtocolError:
                values[prune] = []
            cpu[prune] += time.process_time() - c0
        best = max([0.0, *(v for v in values[True] if v is not None and v > 0)])
        for mine, full in zip(values[True], values[False], strict=True):
            total += 1
            if mine is None:
                skipped += 1
                wrong += bool(full is not None and full > best + tolerance)
            else:
                worst = max(worst, abs(mine - full))
    print(f"orientations {total}, Fuses skipped {skipped}, skipped ones that would have won: {wrong}")
    print(f"largest difference on a computed orientation: {worst:.2e}")
    print(f"CPU: with the bound {cpu[True]:.1f} s, every Fuse {cpu[False]:.1f} s")
    if wrong or worst > tolerance:
        raise SystemExit("the Fuse bound changed IOU_best")


def _mean(values: list[float | None]) -> float:
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--tolerance", type=float, default=1e-6, help="largest allowed per-sample difference")
    parser.add_argument("--profile", action="store_true", help="CPU time per step instead of the comparison")
    parser.add_argument(
        "--check-bound", action="store_true", help="the Fuse bound against every Fuse built, per orientation"
    )
    args = parser.parse_args()

    samples = load_benchmark(benchmark_dir())[: args.limit]
    with SandboxPool(SandboxConfig(workers=args.workers)) as pool:
        results = [pool.submit(s.ground_truth, outputs=("brep",)) for s in samples]
        breps = [r.result().brep for r in results]
    pairs = [(b, str(s.step)) for b, s in zip(breps, samples, strict=True) if b is not None]
    print(f"{len(pairs)} of {len(samples)} ground-truth scripts produced a solid", flush=True)
    if args.profile or args.check_bound:
        with tempfile.TemporaryDirectory(prefix="cadcoder-target-cache-") as cache:
            if args.profile:
                _profile(pairs, cache)
            else:
                _check_bound(pairs, cache, args.tolerance)
        return

    c0, t0 = time.process_time(), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="authors-reference-") as folder:
        reference = [_reference(b, p, folder) for b, p in pairs]
    t_ref, c_ref = time.perf_counter() - t0, time.process_time() - c0
    print(f"reference done: {t_ref:.1f} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="cadcoder-target-cache-") as cache:
        cold, t_cold, c_cold = _parallel(pairs, args.workers, cache)
        warm, t_warm, c_warm = _parallel(pairs, args.workers, cache)

    w = args.workers
    print(f"{'':52s} {'wall':>8s} {'ratio':>6s} {'cpu':>8s} {'ratio':>6s}  mean IOU_best")
    rows = [
        ("authors' procedure, 1 process (reference)", t_ref, c_ref, reference),
        (f"ours, {w} processes, filling the target cache", t_cold, c_cold, cold),
        (f"ours, {w} processes, target cache warm", t_warm, c_warm, warm),
    ]
    for label, seconds, cpu, values in rows:
        print(
            f"{label:52s} {seconds:7.1f}s {t_ref / seconds:5.2f}x {cpu:7.1f}s {c_ref / cpu:5.2f}x  {_mean(values):.6f}"
        )

    def diff(a: float | None, b: float | None) -> float:
        if a is None or b is None:
            return 0.0 if a is b else float("inf")
        return abs(a - b)

    diffs = np.array([diff(r, o) for r, o in zip(reference, warm, strict=True)])
    cache_diffs = np.array([diff(c, o) for c, o in zip(cold, warm, strict=True)])
    print(f"samples without an IoU (left out of the mean): {sum(v is None for v in reference)}")
    print(
        f"largest per-sample difference: {diffs.max():.2e} vs the reference, {cache_diffs.max():.1e} cold vs warm"
    )
    print(
        f"samples differing from the reference by more than {args.tolerance:g}: {int(np.sum(diffs > args.tolerance))}"
    )
    if diffs.max() > args.tolerance:
        raise SystemExit(f"IOU_best differs from the reference by {diffs.max():.3g} (> {args.tolerance:g})")


if __name__ == "__main__":
    main()
