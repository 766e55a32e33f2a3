"""Builders shared by the training tests: small programs, drawn images, a shard folder written
without the data engine, and a tiny from-scratch recipe (hidden sizes 32-64, 32 px images)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image, ImageDraw

from training.config import TrainConfig, config_from_dict
from training.synth.shards import SampleFiles, ShardSummary, ShardWriter, write_manifest


def box_code(length: float, moves: int = 0) -> str:
    """A box program; ``moves`` extra translate lines make programs of different token lengths."""
    lines = [
        "import cadquery as cq",
        "",
        f"length = {length:.2f}",
        "",
        'solid = cq.Workplane("XY").box(length, 1, 0.25)',
    ]
    lines += ["solid = solid.translate((0, 0, 0.5))"] * moves
    return "\n".join(lines) + "\n"


def box_meta(length: float) -> bytes:
    """The data engine's metadata of ``box_code(length)``: its bounding box (min xyz, max xyz)."""
    bbox = [-length / 2, -0.5, -0.125, length / 2, 0.5, 0.125]
    return json.dumps({"bbox": bbox}).encode()


def drawn_png(i: int, size: int = 96) -> bytes:
    image = Image.new("RGB", (size, size), "white")
    ImageDraw.Draw(image).rectangle([8, 8, 20 + 8 * i, 60], fill=(150, 150, 150), outline="black")
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def write_drawn_shards(out: Path, n: int, per_shard: int = 4, augmented: set[int] = frozenset()) -> None:
    """A datagen-like folder without running datagen: box programs and drawn rectangles."""
    out.mkdir(parents=True, exist_ok=True)
    write_manifest(out, {"format": "test"})
    for shard in range((n + per_shard - 1) // per_shard):
        writer = ShardWriter(out, shard)
        ids = range(shard * per_shard, min(n, (shard + 1) * per_shard))
        for i in ids:
            length = 0.5 + 0.1 * i
            files = {"py": box_code(length, i % 4).encode(), "png": drawn_png(i), "json": box_meta(length)}
            if i in augmented:
                files["aug.png"] = drawn_png(i + 1)
            writer.add(SampleFiles(f"{i:09d}", files))
        writer.close()
        ShardSummary(shard, len(ids), ids[0], ids[-1] + 1).write(out)


def tiny_recipe(data: Path, work: Path, validation_fraction: float = 0.0, **optim) -> TrainConfig:
    raw = {
        "model": {
            "init": "scratch",
            "image_size": 32,
            "vision": {
                "hidden_size": 32,
                "intermediate_size": 64,
                "num_hidden_layers": 2,
                "num_attention_heads": 2,
                "patch_size": 8,
            },
            "text": {
                "hidden_size": 64,
                "intermediate_size": 128,
                "num_hidden_layers": 2,
                "num_attention_heads": 2,
                "num_key_value_heads": 2,
                "max_position_embeddings": 512,
            },
            "tokenizer": {"path": str(work / "tokenizer"), "vocab_size": 320},
        },
        "data": {
            "sources": [{"kind": "shards", "path": str(data)}],
            "num_workers": 0,
            "max_length": 512,
            "validation_fraction": validation_fraction,
        },
        "optim": {
            "learning_rate": 3e-3,
            "per_device_batch_size": 4,
            "gradient_accumulation_steps": 2,
            "warmup_ratio": 0.0,
            **optim,
        },
        "output": {"dir": str(work / "run"), "save_steps": 3, "tensorboard": False, "progress": False},
        "seed": 1,
    }
    return config_from_dict(raw)
