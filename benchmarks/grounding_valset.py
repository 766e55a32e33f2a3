"""Our own validation set for picture-grounded reconstruction (issue 12), never test100.

GenCAD-like programs from the data engine (``training.synth.generic``, fixed seeds), run in the
sandbox and drawn in the benchmark's style; each picture is answered and scored with IOU_best
against the program's own solid (BREP, no STEP round trip), reported overall and by number of
extrusions. Systems:

- ``grounded``: the best (render-and-compare) of the grounded programs alone, no model;
- ``system``: ``ImageToCad`` with the embedded model as ``image2cad`` runs it (``--grounded`` adds
  the grounded programs to the pool).

    .venv/bin/python benchmarks/grounding_valset.py --count 40 --mode grounded
    .venv/bin/python benchmarks/grounding_valset.py --count 40 --mode system [--grounded]
    .venv/bin/python benchmarks/grounding_valset.py --count 24 --mode grounded --style freecad
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEED_BASE = 912_000  # far from the training shards' seeds
OUT = Path("runs/grounding_valset")


def build(count: int, out: Path, style: str = "benchmark") -> list[dict]:
    """Pictures and truth BREPs in ``out`` (cached); the sample list. ``style``: the benchmark's
    look, or a FreeCAD snapshot (gradient background, or white)."""
    from dataclasses import replace

    from core.render import STYLE_BENCHMARK, STYLE_FREECAD, render_mesh

    look = {
        "benchmark": STYLE_BENCHMARK,
        "freecad": STYLE_FREECAD,
        "freecad-white": replace(STYLE_FREECAD, background=(255, 255, 255), background_bottom=None),
    }[style]
    suffix = "" if style == "benchmark" else f"-{style}"
    from core.sandbox import run_code
    from training.synth.emit_concise import emit_concise
    from training.synth.generic import generate_generic

    out.mkdir(parents=True, exist_ok=True)
    samples, seed = [], SEED_BASE
    while len(samples) < count:
        seed += 1
        name = f"g{seed}"
        png, brep = out / f"{name}{suffix}.png", out / f"{name}.brep"
        program = generate_generic(np.random.default_rng(seed), 0.01)
        if not (png.is_file() and brep.is_file()):
            run = run_code(emit_concise(program), timeout=30, outputs=("brep", "mesh"))
            if not run.ok or run.n_solids != 1:
                continue
            render_mesh(run.mesh, style=look).save(png)
            brep.write_bytes(run.brep)
        samples.append({"name": name, "extrusions": len(program.extrudes), "png": png, "brep": brep})
    return samples


def iou_of(brep: bytes | None, truth: Path) -> float:
    from core.geometry.io import read_shape, shape_from_bytes
    from core.metrics.iou import iou_best

    if not brep:
        return 0.0
    try:
        return float(iou_best(shape_from_bytes(brep), read_shape(truth)))
    except Exception:  # a degenerate solid scores nothing, as in the benchmark
        return 0.0


def answer_grounded(picture_bytes: bytes) -> tuple[bytes | None, dict]:
    from PIL import Image

    from core.grounding import grounded_programs
    from core.pipeline.refine import score_of
    from core.sandbox import run_code

    picture = Image.open(io.BytesIO(picture_bytes)).convert("RGB")
    best, best_score, info = None, -1.0, {}
    for g in grounded_programs(picture):
        run = run_code(g.code, timeout=30, outputs=("brep", "mesh"))
        if run.n_solids > 1:
            continue  # as the pipeline: a disconnected second extrusion is not the part
        s = score_of(picture, run)
        if s is not None and s > best_score:
            best, best_score, info = run.brep, s, {"axis": g.prism.axis, "fit": g.prism.fit, "score": s}
    return best, info


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--mode", choices=("grounded", "system"), default="grounded")
    ap.add_argument("--grounded", action="store_true", help="system: add the grounded programs")
    ap.add_argument("--no-refine", action="store_true")
    ap.add_argument("--style", choices=("benchmark", "freecad", "freecad-white"), default="benchmark")
    ap.add_argument("--json", type=Path, help="write per-sample results here")
    args = ap.parse_args()
    samples = build(args.count, OUT, args.style)
    pipeline = None
    if args.mode == "system":
        from core.cli.image2cad_cmd import make_backend
        from core.pipeline import ImageToCad, PipelineConfig
        from core.sandbox import SandboxConfig, SandboxPool

        sandbox = SandboxPool(SandboxConfig(workers=1, timeout=30)).__enter__()
        config = PipelineConfig(grounded=args.grounded, refine=not args.no_refine)
        pipeline = ImageToCad(make_backend(None, None, None, None), config=config, sandbox=sandbox)
    rows = []
    for s in samples:
        data = s["png"].read_bytes()
        t0 = time.perf_counter()
        if pipeline is None:
            brep, info = answer_grounded(data)
        else:
            result = pipeline.run(data)
            chosen = (
                result.candidates[result.chosen] if result.candidates and result.chosen is not None else None
            )
            brep = result.brep if result.ok else None
            info = {"grounded": bool(chosen and chosen.grounded), "timings": result.timings}
        seconds = time.perf_counter() - t0
        iou = iou_of(brep, s["brep"])
        rows.append(
            {"name": s["name"], "extrusions": s["extrusions"], "iou": iou, "seconds": seconds, **info}
        )
        print(
            f"{s['name']} n={s['extrusions']} iou={iou:.3f} {seconds:.1f}s {info.get('axis', '')}", flush=True
        )

    def mean(xs: list[float]) -> float:
        return statistics.fmean(xs) if xs else float("nan")

    single = [r["iou"] for r in rows if r["extrusions"] == 1]
    two = [r["iou"] for r in rows if r["extrusions"] <= 2]
    secs = sorted(r["seconds"] for r in rows)
    summary = {
        "mode": args.mode,
        "style": args.style,
        "grounded": args.grounded,
        "n": len(rows),
        "iou_best": mean([r["iou"] for r in rows]),
        "single": mean(single),
        "n_single": len(single),
        "at_most_two": mean(two),
        "p50_s": secs[len(secs) // 2],
        "p95_s": secs[min(len(secs) - 1, int(0.95 * len(secs)))],
        "won_by_grounded": sum(bool(r.get("grounded")) for r in rows) if args.mode == "system" else None,
    }
    print(json.dumps(summary))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1, default=str))


if __name__ == "__main__":
    main()
