"""The paper's benchmark with its pictures redrawn as users would send them, for robustness numbers.

    .venv/bin/python benchmarks/restyle_benchmark.py --style freecad|freecad-white|photo --out DIR

Each ground-truth STEP is rendered again from the same isometric camera in FreeCAD 0.20's viewport
style (grey part lit from the viewer, on the default blue-grey gradient or on white), or as a
"photo" (``core.render.augment.random_view``: camera turned by up to 20 degrees, sometimes
perspective, coloured part, background, lighting, blur and noise; seeded per question). Questions,
answers and STEP files are the benchmark's own (linked, not copied), so
``cadcoder eval --benchmark DIR`` scores against the same targets. Evaluation only, never training.
"""

from __future__ import annotations

import argparse
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np

from core.geometry.io import read_shape
from core.geometry.tessellate import tessellate
from core.metrics.benchmark import load_benchmark
from core.paths import benchmark_dir
from core.render import STYLE_FREECAD, render_mesh
from core.render.augment import random_view

STYLES = ("freecad", "freecad-white", "photo")


def restyle(mesh: dict, style: str, question_id: int):
    if style == "freecad":
        return render_mesh(mesh, style=STYLE_FREECAD)
    if style == "freecad-white":
        return render_mesh(
            mesh, style=replace(STYLE_FREECAD, background=(255, 255, 255), background_bottom=None)
        )
    image, _ = random_view(mesh, np.random.default_rng([question_id, 7]))
    return image


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--style", choices=STYLES, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--benchmark", type=Path, default=None)
    args = parser.parse_args()
    source = args.benchmark or benchmark_dir()
    (args.out / "images").mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "test100.jsonl", args.out / "test100.jsonl")
    steps = args.out / "steps"
    if not steps.exists():
        steps.symlink_to((source / "steps").resolve())
    for sample in load_benchmark(source):
        mesh = tessellate(read_shape(sample.step))
        restyle(mesh, args.style, sample.question_id).convert("RGB").save(
            args.out / "images" / sample.image.name
        )
    print(f"{args.out}: {args.style} pictures of the benchmark's parts")


if __name__ == "__main__":
    main()
