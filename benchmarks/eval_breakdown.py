"""An eval run broken down: IOU_best by the number of extrusions in the ground truth, the share of
answers won by the model's, the grounded and the structure search's candidates, and seconds per
stage (median over the questions where the stage ran).

    .venv/bin/python benchmarks/eval_breakdown.py runs/eval/<run> [--limit K]

Reads the run's ``samples.csv`` and ``answers.jsonl`` (``cadcoder eval --system``). The ground
truth is only counted (``extrude(`` calls) to name the subsets; nothing here feeds back into the
system. ``--limit K``: only the first K questions of the benchmark (a run stopped early).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from core.paths import benchmark_dir

    ap = argparse.ArgumentParser()
    ap.add_argument("run", type=Path)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    lines = (benchmark_dir() / "test100.jsonl").read_text(encoding="utf-8").splitlines()
    truth = [json.loads(line) for line in lines if line.strip()]
    if args.limit:
        truth = truth[: args.limit]
    extrusions = {int(r["question_id"]): r["ground_truth"].count("extrude(") for r in truth}
    with open(args.run / "samples.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if int(r["question_id"]) in extrusions]
    iou = {int(r["question_id"]): float(r["iou_best"]) for r in rows if r["valid"] == "1"}

    def mean(values: list[float]) -> float | None:
        return round(statistics.fmean(values), 3) if values else None

    subsets = {
        "1": lambda n: n == 1,
        "2": lambda n: n == 2,
        "<=2": lambda n: n <= 2,
        ">=3": lambda n: n >= 3,
    }
    by_extrusions = {
        k: (len(v), mean(v)) for k, f in subsets.items() for v in [[iou[q] for q in iou if f(extrusions[q])]]
    }
    won = {"model": 0, "grounded": 0, "searched": 0}
    stages: dict[str, list[float]] = {}
    seconds = []
    with open(args.run / "answers.jsonl", encoding="utf-8") as fh:
        answers = [json.loads(line) for line in fh if line.strip()]
    for a in answers:
        if int(a["question_id"]) not in extrusions:
            continue
        meta = a["metadata"]
        chosen = meta["candidates"][meta.get("chosen") or 0] if meta.get("candidates") else {}
        kind = "searched" if chosen.get("searched") else "grounded" if chosen.get("grounded") else "model"
        won[kind] += 1
        for stage, t in meta.get("timings", {}).items():
            stages.setdefault(stage, []).append(t)
        seconds.append(meta.get("seconds", 0.0))
    seconds.sort()
    print(
        json.dumps(
            {
                "run": str(args.run),
                "questions": len(rows),
                "valid": len(iou),
                "iou_best": mean(list(iou.values())),
                "by_extrusions": by_extrusions,
                "won_by": won,
                "seconds_p50": round(statistics.median(seconds), 2) if seconds else None,
                "seconds_p95": round(seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))], 2)
                if seconds
                else None,
                "stage_p50_s": {k: round(statistics.median(v), 3) for k, v in stages.items()},
                "stage_runs": {k: len(v) for k, v in stages.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
