"""Fine-tuning on the user's parts, end to end on CPU: keep examples, score, fine-tune, score again.

    .venv/bin/python benchmarks/finetune_user.py [--parts tests/data/user_parts] \
        [--replay runs/replay/data] [--out runs/finetune_user] [--steps 60]

Each ``--parts`` program is drawn in the benchmark's look (the picture a user would keep) and kept
with ``training.data.user_dataset.keep_example``; the embedded model's greedy answer on each picture
is scored (render-and-compare with the picture, IOU_best against the kept solid), the model is
fine-tuned with ``training/configs/finetune_user.yaml`` into ``--out/model`` (never the shipped
folder), and the fine-tuned model's answers are scored the same way. Figures go to
``--out/results.json``. The replay set comes from ``cadcoder datagen`` (command in the recipe).
"""

from __future__ import annotations

import argparse
import io
import json
import time
from dataclasses import asdict
from pathlib import Path

from core.paths import EMBEDDED_MODEL_DIR
from core.render import render_mesh
from core.sandbox import run_code
from training.config import load_config
from training.data.user_dataset import keep_example
from training.evaluation.kept import kept_examples, score_kept

ROOT = Path(__file__).resolve().parents[1]


def keep_parts(parts: Path, dataset: Path) -> None:
    for path in sorted(parts.glob("*.py")):
        code = path.read_text(encoding="utf-8")
        run = run_code(code, outputs=("mesh",))
        if not run.ok:
            raise SystemExit(f"{path}: {run.status.value}: {run.message}")
        buffer = io.BytesIO()
        render_mesh(run.mesh).save(buffer, format="PNG")
        keep_example(dataset, buffer.getvalue(), code, {"image": path.stem})


def summary(scores) -> dict:
    n = len(scores) or 1
    return {
        "mean_match": round(sum(s.match for s in scores) / n, 4),
        "mean_iou_best": round(sum(s.iou for s in scores) / n, 4),
        "samples": [asdict(s) for s in scores],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", type=Path, default=ROOT / "tests" / "data" / "user_parts")
    parser.add_argument("--replay", type=Path, default=ROOT / "runs" / "replay" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "finetune_user")
    parser.add_argument("--steps", type=int, default=0, help="max_steps (0: the recipe's)")
    args = parser.parse_args()
    dataset, model_out = args.out / "examples", args.out / "model"
    keep_parts(args.parts, dataset)
    examples = kept_examples(dataset)
    results: dict = {"examples": len(examples)}
    results["before"] = summary(score_kept(EMBEDDED_MODEL_DIR, examples))
    overrides = [
        f"data.sources.0.path={dataset}",
        f"data.sources.1.path={args.replay}",
        f"output.dir={model_out}",
    ]
    if args.steps:
        overrides.append(f"optim.max_steps={args.steps}")
    config = load_config(ROOT / "training" / "configs" / "finetune_user.yaml", overrides)
    from training.trainer import train

    t0 = time.perf_counter()
    outcome = train(config, log=print)
    results["train_seconds"] = round(time.perf_counter() - t0, 1)
    results["steps"] = outcome.global_step
    results["loss_first_last"] = [outcome.losses[0], outcome.losses[-1]] if outcome.losses else []
    results["after"] = summary(score_kept(outcome.final_dir, examples))
    results["model"] = str(outcome.final_dir)
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps({k: v for k, v in results.items() if k not in ("before", "after")}))
    for stage in ("before", "after"):
        print(stage, results[stage]["mean_match"], results[stage]["mean_iou_best"])


if __name__ == "__main__":
    main()
