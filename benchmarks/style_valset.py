"""Our own validation pictures for input styles (issue 12, point 4), never test100.

GenCAD-like programs from the data engine (``training.synth.generic``, fixed seeds far from the
training shards' and from ``grounding_valset``'s), run in the sandbox and drawn as users send them:
FreeCAD 0.20's viewport (gradient, and white) and "photos" (``core.render.augment.random_view``:
camera turned up to 20 degrees, sometimes perspective, colours, background, light, blur, noise).
Beside each picture it keeps the truth the picture hides: the part's mask and, for photos, the
camera. Modes:

- ``mask``: silhouette IoU of ``core.render.normalise``'s segmentation with the true mask;
- ``camera``: for photos, how far ``core.render.camera_search`` lands from the true view direction;
- ``grounded``: IOU_best of the best (render-and-compare) grounded program against the program's
  own solid, with and without normalisation and camera search.

    .venv/bin/python benchmarks/style_valset.py --count 30 --mode mask
    .venv/bin/python benchmarks/style_valset.py --count 30 --mode camera
    .venv/bin/python benchmarks/style_valset.py --count 30 --mode grounded --style photo
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grounding_valset import iou_of  # the script's folder is on the path: scored as that set is

SEED_BASE = 915_000  # far from the training shards' seeds and from grounding_valset's 912_000
OUT = Path("runs/style_valset")
STYLES = ("freecad", "freecad-white", "photo")


def draw(mesh: dict, style: str, seed: int):
    """The picture in ``style`` and the camera it was taken from."""
    from core.render import STYLE_FREECAD, Camera, render_mesh
    from core.render.augment import jitter_camera, random_view

    if style == "freecad":
        return render_mesh(mesh, style=STYLE_FREECAD), Camera()
    if style == "freecad-white":
        white = replace(STYLE_FREECAD, background=(255, 255, 255), background_bottom=None)
        return render_mesh(mesh, style=white), Camera()
    image, _ = random_view(mesh, np.random.default_rng([seed, 7]))
    return image, jitter_camera(np.random.default_rng([seed, 7]))  # random_view's first draws


def true_mask(mesh: dict, camera) -> np.ndarray:
    from core.render import STYLE_BENCHMARK, render_mesh

    flat = replace(STYLE_BENCHMARK, face=(0, 0, 0), light=None, edge=None)
    return np.asarray(render_mesh(mesh, camera=camera, style=flat).convert("L")) < 128


def build(count: int, out: Path = OUT) -> list[dict]:
    """Programs, truth BREPs, meshes and pictures in every style in ``out`` (cached)."""
    from PIL import Image

    from core.sandbox import run_code
    from training.synth.emit_concise import emit_concise
    from training.synth.generic import generate_generic

    out.mkdir(parents=True, exist_ok=True)
    samples, seed, names = [], SEED_BASE, 0
    while names < count:
        seed += 1
        name = f"s{seed}"
        meta_path = out / f"{name}.pkl"
        if not meta_path.is_file():
            program = generate_generic(np.random.default_rng(seed), 0.01)
            run = run_code(emit_concise(program), timeout=30, outputs=("brep", "mesh"))
            if not run.ok or run.n_solids != 1:
                continue
            (out / f"{name}.brep").write_bytes(run.brep)
            meta = {"extrusions": len(program.extrudes), "styles": {}}
            for style in STYLES:
                image, camera = draw(run.mesh, style, seed)
                image.convert("RGB").save(out / f"{name}-{style}.png")
                mask = true_mask(run.mesh, camera)
                meta["styles"][style] = {"camera": camera, "mask": np.packbits(mask), "shape": mask.shape}
            meta_path.write_bytes(pickle.dumps(meta))
        meta = pickle.loads(meta_path.read_bytes())
        for style in STYLES:
            s = meta["styles"][style]
            samples.append(
                {
                    "name": name,
                    "style": style,
                    "extrusions": meta["extrusions"],
                    "png": out / f"{name}-{style}.png",
                    "brep": out / f"{name}.brep",
                    "camera": s["camera"],
                    "mask": np.unpackbits(s["mask"])[: s["shape"][0] * s["shape"][1]]
                    .reshape(s["shape"])
                    .astype(bool),
                    "picture": lambda p=out / f"{name}-{style}.png": Image.open(p).convert("RGB"),
                }
            )
        names += 1
    return samples


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = (a | b).sum()
    return float((a & b).sum() / union) if union else 0.0


def angle_between(a, b) -> float:
    """Degrees between two cameras' view directions."""
    return math.degrees(math.acos(float(np.clip(a.direction @ b.direction, -1.0, 1.0))))


def answer_grounded(picture, *, normalise: bool) -> tuple[bytes | None, dict]:
    """The best grounded program by render-and-compare, as the pipeline ranks them."""
    from core.grounding import grounded_programs
    from core.pipeline.refine import score_of
    from core.render.compare import outline
    from core.sandbox import run_code

    reference = outline(picture) if normalise else _raw_outline(picture)
    best, best_score, info = None, -1.0, {}
    for g in grounded_programs(picture, normalise=normalise):
        run = run_code(g.code, timeout=30, outputs=("brep", "mesh"))
        if run.n_solids > 1:
            continue
        s = score_of(reference, run)
        if s is not None and s > best_score:
            best, best_score, info = run.brep, s, {"axis": g.prism.axis, "score": s}
    return best, info


def _raw_outline(picture):
    from core.render.compare import outline

    return outline(picture, normalise=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=30, help="programs (each drawn in every style)")
    ap.add_argument("--mode", choices=("mask", "camera", "grounded"), default="mask")
    ap.add_argument("--style", choices=STYLES, action="append", help="only these styles")
    ap.add_argument("--raw", action="store_true", help="grounded: without normalisation/camera search")
    ap.add_argument("--json", type=Path, help="write per-sample rows here")
    args = ap.parse_args()
    samples = [s for s in build(args.count) if not args.style or s["style"] in args.style]
    rows = []
    for s in samples:
        picture = s["picture"]()
        t0 = time.perf_counter()
        row = {"name": s["name"], "style": s["style"], "extrusions": s["extrusions"]}
        if args.mode == "mask":
            from core.render.compare import foreground_mask
            from core.render.normalise import part_mask

            row["iou"] = iou(part_mask(picture), s["mask"])
            row["iou_before"] = iou(foreground_mask(picture), s["mask"])
        elif args.mode == "camera":
            from core.render.camera import Camera
            from core.render.camera_search import estimate_camera

            found = estimate_camera(picture)
            row["error_deg"] = angle_between(found, s["camera"])
            row["error_iso_deg"] = angle_between(Camera(), s["camera"])
            row["perspective"] = s["camera"].perspective
        else:
            brep, info = answer_grounded(picture, normalise=not args.raw)
            row["iou"] = iou_of(brep, s["brep"])
            row.update(info)
        row["seconds"] = time.perf_counter() - t0
        rows.append(row)
        print(json.dumps(row, default=str), flush=True)
    summary: dict = {"mode": args.mode, "n": len(rows)}
    for style in STYLES:
        mine = [r for r in rows if r["style"] == style]
        if not mine:
            continue
        for key in ("iou", "iou_before", "error_deg", "error_iso_deg"):
            if key in mine[0]:
                summary[f"{style}.{key}"] = round(statistics.fmean(r[key] for r in mine), 4)
        if "iou" in mine[0] and args.mode == "grounded":
            single = [r["iou"] for r in mine if r["extrusions"] == 1]
            summary[f"{style}.single"] = round(statistics.fmean(single), 4) if single else None
        secs = sorted(r["seconds"] for r in mine)
        summary[f"{style}.p50_s"] = round(secs[len(secs) // 2], 3)
    print(json.dumps(summary))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1, default=str))


if __name__ == "__main__":
    main()
