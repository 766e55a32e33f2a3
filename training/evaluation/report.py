"""What an evaluation leaves on disk besides the answers: per-sample CSV, a markdown table beside
the paper's Table 2, and two plots (IoU histogram; IoU against ground-truth code length).

The scores come from ``core.metrics`` (``ScoreReport``) unchanged; this module only lays them out.
"""

from __future__ import annotations

import csv
from pathlib import Path

from core.metrics.benchmark import BenchmarkSample
from core.metrics.scoring import ScoreReport
from training.evaluation.paper import GROUND_TRUTH_CEILING, TABLE_2

CSV_FIELDS = (
    "question_id",
    "valid",
    "valid_solid",
    "status",
    "iou_best",
    "iou_robust",
    "gt_code_chars",
    "answer_chars",
    "message",
)


def write_csv(
    path: Path, report: ScoreReport, samples: list[BenchmarkSample], answers: dict[int, str]
) -> None:
    by_id = {s.question_id: s for s in samples}
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for s in report.samples:
            writer.writerow(
                {
                    "question_id": s.question_id,
                    "valid": int(s.valid),
                    "valid_solid": int(s.valid_solid),
                    "status": s.status,
                    "iou_best": "" if s.iou_best is None else f"{s.iou_best:.4f}",
                    "iou_robust": "" if s.iou_robust is None else f"{s.iou_robust:.4f}",
                    "gt_code_chars": len(by_id[s.question_id].ground_truth),
                    "answer_chars": len(answers.get(s.question_id, "")),
                    "message": s.message.replace("\n", " ")[:300],
                }
            )


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.0f} %"


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f}"


def markdown_table(report: ScoreReport, model_id: str) -> str:
    lines = [
        f"# Evaluation of `{model_id}` on GenCAD-Code test100 ({report.n} samples)",
        "",
        "| model | VSR (ran to a solid) | VSR (valid solid) | IOU_best | IOU_robust |",
        "|---|---|---|---|---|",
        f"| **{model_id}** (this run) | **{_pct(report.vsr)}** | **{_pct(report.vsr_valid_solid)}** "
        f"| **{_num(report.iou_best)}** | **{_num(report.iou_robust)}** |",
    ]
    lines += [f"| {r.model} (paper) | {_pct(r.vsr)} | - | {r.iou_best:.3f} | - |" for r in TABLE_2]
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(report.status_counts.items()))
    lines += [
        "",
        "Means are over valid scripts only, as in the paper. Paper rows: CAD-Coder Table 2 (100 samples).",
        "VSR (ran to a solid) is the paper's count; VSR (valid solid) also requires OCCT's checker"
        " (BRepCheck) to accept the solid. The paper reports only the first.",
        f"Ground-truth code scored against the ground-truth STEP files reaches IOU_best {GROUND_TRUTH_CEILING:.3f}: the practical ceiling.",
        f"Statuses: {counts}.",
    ]
    if report.n < 100:
        lines.append(
            f"Only {report.n} of the 100 samples were evaluated: not comparable with the paper's numbers."
        )
    return "\n".join(lines) + "\n"


def plot_histogram(path: Path, report: ScoreReport) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    values = [s.iou_best for s in report.samples if s.valid and s.iou_best is not None]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.hist(values, bins=20, range=(0.0, 1.0), color="#4a78b0", edgecolor="white")
    ax.set_xlabel("IOU_best")
    ax.set_ylabel("samples")
    ax.set_title(f"IOU_best of {len(values)} valid answers (of {report.n})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_iou_vs_length(path: Path, report: ScoreReport, samples: list[BenchmarkSample]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_id = {s.question_id: s for s in samples}
    valid = [s for s in report.samples if s.valid and s.iou_best is not None]
    invalid = [s for s in report.samples if not s.valid]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(
        [len(by_id[s.question_id].ground_truth) for s in valid],
        [s.iou_best for s in valid],
        s=14,
        label="valid",
    )
    ax.scatter(
        [len(by_id[s.question_id].ground_truth) for s in invalid],
        [0.0] * len(invalid),
        s=14,
        marker="x",
        color="#c0392b",
        label="invalid (no IoU)",
    )
    ax.set_xlabel("ground-truth code length (characters)")
    ax.set_ylabel("IOU_best")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
