"""``cadcoder eval --system`` with the model's replies replayed from an earlier run of the same
model, so a change to the rest of the system (grounding, structure search, effort) is measured in
minutes instead of hours on a loaded 2-core machine.

    .venv/bin/python benchmarks/replay_eval.py --replies runs/eval/final-t100 \
        --out runs/eval/search-t100-high --effort high

Greedy decoding is deterministic: the replayed reply is the one the model gives (the first
candidate, the model's own program, of each answer in ``--replies``; a run made with the same model
and ``--max-new-tokens``). Check it on a few questions answered live: their first candidates must be
identical. Everything after generation (sandbox, grounding, search, ranking, fitting, scoring) runs
as in ``cadcoder eval``; answers already in ``--out`` are kept (a live run can be continued).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class ReplayBackend:
    """Answers each picture with the reply recorded for it; a picture it has none for is an error."""

    name = "replay"
    supports_chat = False

    def __init__(self, replies: dict[str, str]) -> None:
        self.replies = replies

    def generate(self, request, *, on_token=None, cancel=None) -> list[str]:
        from core.models.base import BackendError

        image = next(i for m in request.messages for i in m.images)
        reply = self.replies.get(hashlib.sha256(image.data).hexdigest())
        if reply is None:
            raise BackendError("no recorded reply for this picture")
        return [reply] * request.config.n


def main() -> None:
    from core.metrics.benchmark import load_benchmark
    from core.paths import benchmark_dir
    from core.pipeline.image_to_cad import read_picture
    from training.evaluation.run import EvalSettings, evaluate

    ap = argparse.ArgumentParser()
    ap.add_argument("--replies", type=Path, required=True, help="an earlier `eval --system` run folder")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--effort", choices=("low", "default", "high"), default="default")
    ap.add_argument("--max-new-tokens", type=int, default=400, help="as the replayed run")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--benchmark", type=Path, default=None, help="benchmark folder (default: test100)")
    ap.add_argument("--search-runs", type=int, default=None, help="structure search runs (0: off)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    recorded = {}
    with open(args.replies / "answers.jsonl", encoding="utf-8") as fh:
        for line in fh:
            answer = json.loads(line)
            recorded[int(answer["question_id"])] = answer["metadata"]["candidates"][0]["code"]
    replies = {}
    bench = args.benchmark or benchmark_dir()
    for sample in load_benchmark(bench):
        image, _picture, _size = read_picture(sample.image.read_bytes())
        if sample.question_id in recorded:
            replies[hashlib.sha256(image.data).hexdigest()] = recorded[sample.question_id]
    settings = EvalSettings(
        benchmark=bench,
        out=args.out,
        model_id="cadcoder-mini",
        limit=args.limit,
        workers=args.workers,
        gallery=False,
        max_new_tokens=args.max_new_tokens,
        system=True,
        effort=args.effort,
        search_runs=args.search_runs,
    )
    evaluate(ReplayBackend(replies), settings, on_answer=lambda qid: print("answered", qid, flush=True))
    print((args.out / "results.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
