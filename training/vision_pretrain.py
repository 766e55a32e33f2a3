"""Stage 0 for from-scratch models: teach the vision tower to see parts before it meets the LM.

Why: a small LLaVA trained from scratch end to end learns the code's grammar long before its
random vision tower says anything useful, and settles on the most common program whatever the
picture (measured: cadcoder-mini's first CPU run wrote a hole plate for every picture). The paper
never meets this because its tower is a pretrained CLIP. Here the tower (the very
``CLIPVisionModel`` the recipe describes) is trained first on what the synthetic engine knows
about each picture: the part's family (box, washer, L-bracket...) and its extents along x, y and
z (log, relative to their mean: proportions and which way it lies). Those are exactly the facts
the first tokens of the program must encode. ``model.vision_init`` then starts LLaVA training
from the saved tower.

    python -m training pretrain-vision training/configs/cadcoder_mini_cpu.yaml --out runs/mini/vision
"""

from __future__ import annotations

import io
import json
import math
import shutil
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn
from transformers import CLIPVisionConfig, CLIPVisionModel

from core.models.llava_hf import clip_image_processor
from training.config import TrainConfig
from training.model_setup import SCRATCH_VISION
from training.synth.shards import completed_shards, shard_path


@dataclass(frozen=True)
class VisionPretrainSettings:
    steps: int = 1500
    batch_size: int = 64
    learning_rate: float = 2e-3
    weight_decay: float = 0.05
    validation_fraction: float = 0.05
    seed: int = 0


@dataclass(frozen=True)
class Labelled:
    pixels: torch.Tensor  # (N, 3, S, S), the processor's normalisation
    family: torch.Tensor  # (N,) class index
    extents: torch.Tensor  # (N, 3) log extent minus the mean log extent
    families: list[str]


def vision_config(config: TrainConfig) -> CLIPVisionConfig:
    """The tower exactly as ``model_setup.scratch`` builds it for this recipe."""
    m = config.model
    return CLIPVisionConfig(**{**SCRATCH_VISION, "image_size": m.image_size, "patch_size": 16, **m.vision})


def load_labelled(folder: Path, image_size: int, use_augmented: bool = True) -> Labelled:
    """Every picture of the complete shards with its family and extents (from the sample's JSON)."""
    processor = clip_image_processor(image_size)
    images: list[Image.Image] = []
    families: list[str] = []
    extents: list[list[float]] = []
    for summary in completed_shards(folder):
        with tarfile.open(shard_path(folder, summary.shard)) as tar:
            members = {m.name: m for m in tar if m.isfile()}
            for name, member in members.items():
                if not name.endswith(".json"):
                    continue
                meta = json.load(tar.extractfile(member))  # type: ignore[arg-type]
                box = np.array(meta["bbox"], dtype=float)
                ext = np.log(np.maximum(box[3:] - box[:3], 1e-3))
                stem = name[: -len(".json")]
                for suffix in (".png", ".aug.png") if use_augmented else (".png",):
                    if stem + suffix in members:
                        data = tar.extractfile(members[stem + suffix]).read()  # type: ignore[union-attr]
                        with Image.open(io.BytesIO(data)) as im:
                            images.append(im.convert("RGB").resize((image_size, image_size), Image.BICUBIC))
                        families.append(meta["family"])
                        extents.append(list(ext - ext.mean()))
    if not images:
        raise FileNotFoundError(f"{folder}: no complete shards with pictures")
    names = sorted(set(families))
    pixels = torch.cat(
        [
            processor(images=images[i : i + 512], return_tensors="pt")["pixel_values"]
            for i in range(0, len(images), 512)
        ]
    )
    return Labelled(
        pixels,
        torch.tensor([names.index(f) for f in families]),
        torch.tensor(extents, dtype=torch.float32),
        names,
    )


class _Probe(nn.Module):
    """Tower + two linear heads on the mean patch feature: family logits and the three extents."""

    def __init__(self, tower: CLIPVisionModel, families: int) -> None:
        super().__init__()
        self.tower = tower
        width = tower.config.hidden_size
        self.family = nn.Linear(width, families)
        self.extents = nn.Linear(width, 3)

    def forward(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.tower(pixel_values=pixels).last_hidden_state[:, 1:].mean(dim=1)
        return self.family(hidden), self.extents(hidden)


def load_tower(path: Path) -> CLIPVisionModel:
    """The vision tower of a LLaVA folder, or a ``CLIPVisionModel`` folder as it is."""
    model_type = json.loads((path / "config.json").read_text()).get("model_type")
    if model_type == "llava":
        from transformers import LlavaForConditionalGeneration

        llava = LlavaForConditionalGeneration.from_pretrained(str(path), dtype=torch.float32)
        return llava.model.vision_tower
    return CLIPVisionModel.from_pretrained(str(path), dtype=torch.float32)


def transplant_tower(llava_dir: Path, tower: CLIPVisionModel, out: Path) -> Path:
    """A copy of the LLaVA folder ``llava_dir`` (weights, tokenizer, processor) with ``tower`` as its
    vision tower: a session starts from it to teach its projector and language model the new features."""
    from transformers import AutoProcessor, LlavaForConditionalGeneration

    llava = LlavaForConditionalGeneration.from_pretrained(str(llava_dir), dtype=torch.float32)
    llava.model.vision_tower.load_state_dict(tower.state_dict())
    out.mkdir(parents=True, exist_ok=True)
    llava.save_pretrained(str(out))
    AutoProcessor.from_pretrained(str(llava_dir)).save_pretrained(str(out))
    for extra in ("train_config.yaml",):
        if (llava_dir / extra).is_file():
            shutil.copy2(llava_dir / extra, out / extra)
    return out


def pretrain_vision(
    config: TrainConfig,
    data_folder: Path,
    out: Path,
    settings: VisionPretrainSettings | None = None,
    log=print,
    start_from: Path | None = None,
) -> dict[str, float]:
    """Train the recipe's tower on family + extents; save it (``CLIPVisionModel`` format) in ``out``.

    ``start_from`` (a LLaVA or tower folder) continues that tower instead of a scratch one: the
    tower of a trained model reads proportions to ~0.2 in log after the LLaVA sessions, and
    ~0.14 after 3,000 more steps of 64 on this objective (``benchmarks/tower_extents_probe.py``),
    because the language-model loss reaches it through a handful of number tokens per picture."""
    s = settings or VisionPretrainSettings()
    torch.manual_seed(s.seed)
    started = time.perf_counter()
    data = load_labelled(data_folder, config.model.image_size)
    log(
        f"{len(data.family)} pictures, families {data.families} ({time.perf_counter() - started:.0f} s to load)"
    )
    order = torch.randperm(len(data.family), generator=torch.Generator().manual_seed(s.seed))
    held = max(1, int(len(order) * s.validation_fraction))
    val, train = order[:held], order[held:]
    tower = load_tower(start_from) if start_from is not None else CLIPVisionModel(vision_config(config))
    probe = _Probe(tower, len(data.families))
    optimizer = torch.optim.AdamW(probe.parameters(), lr=s.learning_rate, weight_decay=s.weight_decay)
    warmup = max(1, s.steps // 30)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda k: min(1.0, (k + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, k / s.steps))),
    )
    generator = torch.Generator().manual_seed(s.seed + 1)
    probe.train()
    for step in range(1, s.steps + 1):
        batch = train[torch.randint(len(train), (s.batch_size,), generator=generator)]
        logits, extents = probe(data.pixels[batch])
        loss = nn.functional.cross_entropy(logits, data.family[batch]) + nn.functional.smooth_l1_loss(
            extents, data.extents[batch]
        )
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(probe.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if step % 100 == 0 or step == s.steps:
            log(f"step {step}: loss {loss.item():.4f} ({time.perf_counter() - started:.0f} s)")
    metrics = evaluate_probe(probe, data, val)
    log(
        f"held-out: family accuracy {metrics['family_accuracy']:.3f}, extent error {metrics['extent_mae']:.3f}"
    )
    out.mkdir(parents=True, exist_ok=True)
    probe.tower.save_pretrained(str(out))
    (out / "pretrain_metrics.json").write_text(json.dumps(metrics | {"families": data.families}, indent=1))
    return metrics


@torch.no_grad()
def evaluate_probe(probe: _Probe, data: Labelled, rows: torch.Tensor) -> dict[str, float]:
    probe.eval()
    logits, extents = zip(
        *(probe(data.pixels[rows[i : i + 256]]) for i in range(0, len(rows), 256)), strict=True
    )
    predicted = torch.cat(logits).argmax(dim=1)
    return {
        "family_accuracy": float((predicted == data.family[rows]).float().mean()),
        "extent_mae": float((torch.cat(extents) - data.extents[rows]).abs().mean()),
        "held_out": len(rows),
    }
