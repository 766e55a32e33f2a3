"""Score checkpoints model-alone on our own validation sets, pooled: the gate for choosing weights.

Why: the training sessions keep ``best/`` by the synthetic validation set alone (24 parts), and in
session 7 of cadcoder-mini v3 that gate rose (0.471 -> 0.479) while the hand-modelled FreeCAD parts
and test100 fell; 24 synthetic parts swing by 0.04 between neighbouring checkpoints. This scores each
checkpoint, greedy, on the synthetic set and on FreeCAD's own pictures of the hand-modelled parts
(white and gradient: real parts, as users send them), failures counted 0, and pools them by picture.
Never test100 (measuring only).

    python benchmarks/model_gate.py training/checkpoints/cadcoder-mini-v3/best resources/models/cadcoder-mini \\
        --synthetic runs/v3/valbench --out runs/gate

Prints one JSON line per checkpoint: per-set ``iou_all`` (failures 0), ``vsr``, and ``gate`` (pooled
over every picture).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HAND_MODELLED = (ROOT / "benchmarks/freecad_parts/white", ROOT / "benchmarks/freecad_parts/gradient")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("models", nargs="+", type=Path, help="LLaVA folders (checkpoints)")
    parser.add_argument("--synthetic", type=Path, required=True, help="synthetic validation benchmark folder")
    parser.add_argument("--synthetic-limit", type=int, default=40, help="its first K parts (0: all)")
    parser.add_argument("--out", type=Path, default=Path("runs/gate"))
    parser.add_argument("--max-new-tokens", type=int, default=512)
    args = parser.parse_args()

    from training.session import gate_iou

    sets = [(args.synthetic, args.synthetic_limit), *((p, 0) for p in HAND_MODELLED)]
    for model in args.models:
        scored = gate_iou(model, sets, args.out / f"{model.parent.name}-{model.name}", args.max_new_tokens)
        print(
            json.dumps({"model": str(model), "gate": round(scored["gate"], 4), "sets": scored["sets"]}),
            flush=True,
        )


if __name__ == "__main__":
    main()
