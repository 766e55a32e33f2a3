"""Stage 0: the from-scratch vision tower learns what the shards' labels say, and LLaVA starts from it."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import torch
import yaml
from PIL import Image, ImageDraw
from training_helpers import box_code, tiny_recipe
from transformers import CLIPVisionModel

from training.config import config_to_dict
from training.model_setup import build
from training.synth.shards import SampleFiles, ShardSummary, ShardWriter, write_manifest
from training.vision_pretrain import VisionPretrainSettings, load_labelled, pretrain_vision


def _picture(i: int, wide: bool) -> bytes:
    image = Image.new("RGB", (64, 64), "white")
    w, h = (40 + i % 5, 12) if wide else (12, 40 + i % 5)
    ImageDraw.Draw(image).rectangle([8, 8, 8 + w, 8 + h], fill=(150, 150, 150), outline="black")
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _labelled_shards(out: Path, n: int = 32) -> None:
    """Wide rectangles are 'plate' parts (x long), tall ones 'post' parts (z long)."""
    out.mkdir(parents=True, exist_ok=True)
    write_manifest(out, {"format": "test"})
    writer = ShardWriter(out, 0)
    for i in range(n):
        wide = i % 2 == 0
        bbox = [0, 0, 0, 4, 1, 1] if wide else [0, 0, 0, 1, 1, 4]
        meta = {"family": "plate" if wide else "post", "bbox": bbox}
        files = {"py": box_code(1.0).encode(), "png": _picture(i, wide), "json": json.dumps(meta).encode()}
        writer.add(SampleFiles(f"{i:09d}", files))
    writer.close()
    ShardSummary(0, n, 0, n).write(out)


def test_tower_learns_the_labels_and_llava_starts_from_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _labelled_shards(data)
    recipe = tiny_recipe(data, tmp_path)
    labelled = load_labelled(data, recipe.model.image_size)
    assert labelled.families == ["plate", "post"] and labelled.pixels.shape == (32, 3, 32, 32)
    # log extents relative to their mean: a 4 x 1 x 1 plate is long in x, a post in z
    assert labelled.extents[0].argmax() == 0 and labelled.extents[1].argmax() == 2

    settings = VisionPretrainSettings(steps=80, batch_size=8, validation_fraction=0.25, learning_rate=3e-3)
    metrics = pretrain_vision(recipe, data, tmp_path / "vision", settings, log=lambda _m: None)
    assert metrics["family_accuracy"] == 1.0 and metrics["held_out"] == 8

    tower = CLIPVisionModel.from_pretrained(str(tmp_path / "vision"))
    model_config = dataclasses.replace(recipe.model, vision_init=str(tmp_path / "vision"))
    model, _ = build(model_config, lambda: iter([box_code(1.0)]))
    started = model.model.vision_tower.state_dict()
    assert all(torch.equal(started[k], v) for k, v in tower.state_dict().items())


def test_a_trained_models_tower_continues_and_goes_back_into_a_copy_of_the_model(tmp_path: Path) -> None:
    from transformers import LlavaForConditionalGeneration
    from typer.testing import CliRunner

    from training.__main__ import app
    from training.trainer import train

    data = tmp_path / "data"
    _labelled_shards(data)
    recipe = tiny_recipe(data, tmp_path, max_steps=1)
    trained = train(recipe, log=lambda _l: None).final_dir
    recipe_file = tmp_path / "recipe.yaml"
    recipe_file.write_text(yaml.safe_dump(config_to_dict(recipe)))
    result = CliRunner().invoke(
        app,
        [
            "pretrain-vision",
            str(recipe_file),
            "--out",
            str(tmp_path / "tower"),
            "--steps",
            "20",
            "--batch-size",
            "8",
            "--from",
            str(trained),
            "--into",
            str(tmp_path / "moved"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["into"] == str(tmp_path / "moved")
    before = LlavaForConditionalGeneration.from_pretrained(str(trained))
    moved = LlavaForConditionalGeneration.from_pretrained(str(tmp_path / "moved"))
    tower = CLIPVisionModel.from_pretrained(str(tmp_path / "tower"))
    new = moved.model.vision_tower.state_dict()
    assert all(torch.equal(new[k], v) for k, v in tower.state_dict().items())
    old = before.model.vision_tower.state_dict()
    assert any(not torch.equal(old[k], v) for k, v in new.items())  # the tower did learn
    kept = moved.model.language_model.state_dict()
    assert all(torch.equal(kept[k], v) for k, v in before.model.language_model.state_dict().items())
    assert (tmp_path / "moved" / "processor_config.json").is_file()
