"""What snapping coordinates to a grid costs in IoU: the measurement that chooses the grid of the
integer-coordinate code (``training/synth/quantise.py``, ``cadcoder datagen --grid G``).

    .venv/bin/python benchmarks/quantisation_iou.py --n 120 --grids 16,32,64,100,128 [--json OUT]

Parts come from our own generator (generic family in the real-part mix, plus idioms), drawn on a
1e-4 grid (the "unquantised" reference). Each is snapped to a grid of 1/G of the normalised part
size (SCALE = 1.5, the side of the dataset's cube: the quantum the generator uses with --grid G) and
compared with the reference in the same frame (plain IoU, no alignment: stricter than IOU_best).
A snapped part that no longer builds one valid solid counts IoU 0 and is also counted as a failure.
Nothing of the benchmark is read.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from core.program.part_ir import Program
from training.synth.emit_concise import emit_concise
from training.synth.generic import SCALE, generate_generic
from training.synth.idioms import IDIOMS, generate_idiom
from training.synth.quantise import quantise_program
from training.synth.trusted_build import build_trusted

FINE = 1e-4


def _solid(program: Program):
    import cadquery as cq  # noqa: F401 - warm import for exec

    from core.sandbox.solid import pick_candidate, to_shape

    namespace: dict = {}
    exec(compile(emit_concise(program), "<q>", "exec"), namespace)
    return to_shape(*pick_candidate(namespace, [])).wrapped


def _iou(a, b) -> float:
    from core.metrics.frames import common_volume, volume_of

    inter = common_volume(a, b)
    if inter is None:
        return 0.0
    va, vb = volume_of(a), volume_of(b)
    return inter / (va + vb - inter)


def reference_programs(n: int, seed: int) -> list[Program]:
    names = sorted(IDIOMS)
    out = []
    for i in range(n):
        rng = np.random.default_rng([seed, i, 7])
        if i % 4 == 3:  # a quarter idioms, the rest generic parts
            out.append(generate_idiom(rng, names[(i // 4) % len(names)], FINE).program)
        else:
            out.append(generate_generic(rng, FINE))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--grids", default="16,32,64,100,128")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    grids = [int(g) for g in args.grids.split(",")]
    started = time.perf_counter()
    scores: dict[int, list[float]] = {g: [] for g in grids}
    failures = dict.fromkeys(grids, 0)
    used = 0
    for program in reference_programs(args.n, args.seed):
        ref = build_trusted(emit_concise(program))
        r = ref.result
        if not r.ok or r.n_solids != 1 or r.bbox is None:
            continue  # the reference itself is no sample (a split part): skip it
        used += 1
        ref_shape = _solid(program)
        for g in grids:
            snapped = quantise_program(program, SCALE / g)
            built = build_trusted(emit_concise(snapped))
            if not built.result.ok or built.result.n_solids != 1:
                failures[g] += 1
                scores[g].append(0.0)
                continue
            scores[g].append(_iou(ref_shape, _solid(snapped)))
    rows = [
        {
            "grid": g,
            "quantum_of_size": f"1/{g}",
            "mean_iou": round(statistics.fmean(scores[g]), 4) if scores[g] else None,
            "median_iou": round(statistics.median(scores[g]), 4) if scores[g] else None,
            "p10_iou": round(float(np.percentile(scores[g], 10)), 4) if scores[g] else None,
            "broken": failures[g],
        }
        for g in grids
    ]
    report = {
        "parts": used,
        "seed": args.seed,
        "elapsed_s": round(time.perf_counter() - started, 1),
        "rows": rows,
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
