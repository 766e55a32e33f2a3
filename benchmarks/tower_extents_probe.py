"""How well does a vision tower read a part's proportions? (issue 13's plateau diagnosis)

The stage-0 protocol of ``training/vision_pretrain.py`` (family + centred log extents from the mean
patch feature, linear heads) on the pictures of a ``cadcoder datagen`` folder, for either

- the tower of a trained LLaVA folder (``--model DIR``), its heads trained on frozen features
  (``--steps`` of 64; add ``--fine-tune`` to train the tower too), or
- a tower from scratch (``--size S --patch P``; the v3 width and depth), to compare pixel counts on
  the same programs (make the folders with ``cadcoder datagen --image-size S`` and one seed).

Prints one JSON line: held-out family accuracy and ``extent_mae`` (mean absolute error of the
centred log extents: 0.21 is about 21 % off in each proportion). Measured 2026-12-02 (model card of
cadcoder-mini v3, "Why it plateaus"):

    python benchmarks/tower_extents_probe.py runs/v3/data-s32 --model training/checkpoints/cadcoder-mini-v3/best --limit 4000
    python benchmarks/tower_extents_probe.py /tmp/d96 --size 96 --patch 8 --steps 800
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

from training.synth.shards import completed_shards, shard_path, summary_path
from training.vision_pretrain import _Probe, evaluate_probe, load_labelled

V3_TOWER = {"hidden_size": 128, "intermediate_size": 384, "num_hidden_layers": 3, "num_attention_heads": 4}


def _first_shards(folder: Path, limit: int) -> Path:
    """A folder of links to the first complete shards holding at least ``limit`` samples."""
    out = Path(tempfile.mkdtemp(prefix="probe-"))
    total = 0
    for summary in completed_shards(folder):
        if limit and total >= limit:
            break
        for path in (shard_path(folder, summary.shard), summary_path(folder, summary.shard)):
            (out / path.name).symlink_to(path.resolve())
        total += summary.samples
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path, help="a cadcoder datagen folder")
    parser.add_argument("--model", type=Path, help="LLaVA folder whose tower is probed")
    parser.add_argument("--fine-tune", action="store_true", help="train the tower too (lr 5e-4)")
    parser.add_argument("--size", type=int, default=96, help="picture side for a scratch tower")
    parser.add_argument("--patch", type=int, default=16, help="patch side for a scratch tower")
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--limit", type=int, default=0, help="use the first shards up to this many samples")
    parser.add_argument("--held-out", type=int, default=300)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    if args.model is not None:
        from transformers import LlavaForConditionalGeneration

        tower = LlavaForConditionalGeneration.from_pretrained(
            str(args.model), dtype=torch.float32
        ).model.vision_tower
        size = tower.config.image_size
    else:
        from transformers import CLIPVisionConfig, CLIPVisionModel

        tower = CLIPVisionModel(CLIPVisionConfig(**V3_TOWER, image_size=args.size, patch_size=args.patch))
        size = args.size
    folder = _first_shards(args.data, args.limit) if args.limit else args.data
    data = load_labelled(folder, size, use_augmented=False)
    if folder != args.data:
        shutil.rmtree(folder)  # links only; the pictures are in memory now
    order = torch.randperm(len(data.family), generator=torch.Generator().manual_seed(0))
    val, train = order[: args.held_out], order[args.held_out :]
    probe = _Probe(tower, len(data.families))
    frozen = args.model is not None and not args.fine_tune
    params = [p for n, p in probe.named_parameters() if not (frozen and n.startswith("tower"))]
    peak = 3e-3 if frozen else 5e-4 if args.model is not None else 2e-3
    optimizer = torch.optim.AdamW(params, lr=peak, weight_decay=0.05)
    generator = torch.Generator().manual_seed(1)
    started = time.perf_counter()
    for step in range(args.steps):
        for group in optimizer.param_groups:
            group["lr"] = peak * min(1.0, (step + 1) / 50) * 0.5 * (1 + math.cos(math.pi * step / args.steps))
        batch = train[torch.randint(len(train), (64,), generator=generator)]
        logits, extents = probe(data.pixels[batch])
        loss = nn.functional.cross_entropy(logits, data.family[batch]) + nn.functional.smooth_l1_loss(
            extents, data.extents[batch]
        )
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
    metrics = evaluate_probe(probe, data, val)
    tokens = (size // tower.config.patch_size) ** 2
    print(
        json.dumps(
            {
                "tower": str(args.model) if args.model else "scratch",
                "trained": "heads" if frozen else "tower and heads",
                "size": size,
                "patch": tower.config.patch_size,
                "tokens": tokens,
                "pictures": len(data.family),
                "steps": args.steps,
                "seconds": round(time.perf_counter() - started),
                **metrics,
            }
        )
    )


if __name__ == "__main__":
    main()
