"""Evaluation split into shards that any scheduler runs, merged into the report of a single run.

Shard ``i`` of ``k`` takes the benchmark's questions at positions ``i, i + k, i + 2k, ...`` (after
``--limit``), so the split depends only on the benchmark file, never on timing. Each shard is an
ordinary ``cadcoder eval`` output folder; :func:`merge_shards` reads their per-question scores and
answers (no re-scoring), checks that together they hold every question exactly once, and writes
the files a single run writes, from the same summarising code: ``answers.jsonl`` (in benchmark
order), ``scores.json``, ``samples.csv``, ``results.md`` and the plots.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.metrics.benchmark import BenchmarkSample, read_answers
from core.metrics.scoring import SampleScore, ScoreReport, summarise
from training.evaluation.report import markdown_table, plot_histogram, plot_iou_vs_length, write_csv


class ShardMergeError(ValueError):
    """The shard folders do not add up to one evaluation (a question missing or answered twice)."""


def shard_of(samples: list[BenchmarkSample], index: int, count: int) -> list[BenchmarkSample]:
    """The questions of shard ``index`` of ``count`` (round robin over the benchmark order)."""
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"shard index {index} is not in 0..{count - 1}")
    return samples[index::count]


def merge_shards(
    shard_dirs: list[Path], samples: list[BenchmarkSample], out: Path, model_id: str
) -> ScoreReport:
    """Merge shard folders into ``out`` (the report a single run over ``samples`` would write)."""
    scores: dict[int, SampleScore] = {}
    unanswered: set[int] = set()  # questions a shard covered but got no answer for (a single run's "missing")
    answers: dict[int, str] = {}
    raw_lines: dict[int, str] = {}
    for directory in shard_dirs:
        data = json.loads((directory / "scores.json").read_text())
        for item in data["samples"]:
            score = SampleScore(**item)
            if score.question_id in scores:
                raise ShardMergeError(f"question {score.question_id} is scored in two shards ({directory})")
            scores[score.question_id] = score
        unanswered.update(int(q) for q in data.get("missing", []))
        answers.update(read_answers(directory / "answers.jsonl"))
        for line in (directory / "answers.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                raw_lines[int(json.loads(line)["question_id"])] = line
    order = [s.question_id for s in samples]
    uncovered = [q for q in order if q not in scores and q not in unanswered]
    if uncovered:
        raise ShardMergeError(f"{len(uncovered)} questions are in no shard, e.g. {uncovered[:5]}")
    extra = sorted(set(scores) - set(order))
    if extra:
        raise ShardMergeError(f"shards score questions not in the benchmark subset: {extra[:5]}")
    wanted = [q for q in order if q in scores]
    report = summarise([scores[q] for q in wanted], missing=[q for q in order if q not in scores])
    out.mkdir(parents=True, exist_ok=True)
    (out / "answers.jsonl").write_text("".join(raw_lines[q] + "\n" for q in wanted if q in raw_lines))
    (out / "scores.json").write_text(json.dumps(report.to_json(), indent=1))
    kept = {q: answers[q] for q in wanted if q in answers}
    write_csv(out / "samples.csv", report, samples, kept)
    (out / "results.md").write_text(markdown_table(report, model_id), encoding="utf-8")
    plot_histogram(out / "iou_hist.png", report)
    plot_iou_vs_length(out / "iou_vs_length.png", report, samples)
    return report
