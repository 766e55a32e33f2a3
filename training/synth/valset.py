"""A synthetic validation set in the benchmark's folder layout, so ``cadcoder eval`` scores it.

Checkpoints are selected on this set, never on test100 (issue 13's honesty rule). Writing it in the
benchmark's layout (``test100.jsonl``, ``images/NNNNNNNN_0.png``, ``steps/NNNNNNNN.step``) means
the model-alone IOU_best and VSR on it come from exactly the code that scores test100.

    python -m training.synth.valset --shards runs/v3/valdata --out runs/v3/valbench
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from core.models.prompt import CADCODER_QUESTION
from training.synth.shards import completed_shards, iter_shard, shard_path
from training.synth.trusted_build import build_shape


def write_valset(shards: Path, out: Path, limit: int = 0) -> int:
    """Write the samples of a datagen folder as a benchmark folder; returns how many."""
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "steps").mkdir(parents=True, exist_ok=True)
    from core.geometry.properties import export_bytes

    records = []
    for summary in completed_shards(shards):
        for sample in iter_shard(shard_path(shards, summary.shard)):
            if limit and len(records) >= limit:
                break
            code = sample.files["py"].decode()
            stem = f"{int(sample.key):08d}"
            (out / "images" / f"{stem}_0.png").write_bytes(sample.files["png"])
            (out / "steps" / f"{stem}.step").write_bytes(export_bytes(build_shape(code), "step"))
            records.append(
                {
                    "question_id": int(sample.key),
                    "image": f"{stem}_0.png",
                    "text": CADCODER_QUESTION,
                    "category": json.loads(sample.files["json"])["family"],
                    "ground_truth": code,
                }
            )
    (out / "test100.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return len(records)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shards", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    print(f"{write_valset(args.shards, args.out, args.limit)} samples in {args.out}")


if __name__ == "__main__":
    main()
