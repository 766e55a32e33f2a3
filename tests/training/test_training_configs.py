"""Every recipe and accelerate file loads, validates, and says what the paper says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from training.config import ConfigError, config_from_dict, load_config

CONFIGS = Path(__file__).resolve().parents[2] / "training" / "configs"
RECIPES = sorted(CONFIGS.glob("*.yaml"))
ACCELERATE = sorted((CONFIGS / "accelerate").glob("*.yaml"))


def test_the_recipes_are_there() -> None:
    names = {p.stem for p in RECIPES}
    assert {"paper_stage1", "paper_stage2", "cadcoder_mini", "tiny_cpu"} <= names
    assert len(ACCELERATE) >= 4


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.stem)
def test_every_recipe_loads_and_its_effective_batch_adds_up(path: Path) -> None:
    config = load_config(path)
    o = config.optim
    assert o.effective_batch_size == o.per_device_batch_size * o.gradient_accumulation_steps * o.world_size
    assert config.data.sources


def test_paper_stage1_is_projector_only_alignment() -> None:
    c = load_config(CONFIGS / "paper_stage1.yaml")
    assert c.model.init == "compose"
    assert c.model.vision_model == "openai/clip-vit-large-patch14-336"
    assert c.model.language_model == "lmsys/vicuna-13b-v1.5"
    assert c.optim.trainable == ["projector"]
    assert (c.optim.learning_rate, c.optim.effective_batch_size, c.optim.epochs) == (1e-3, 256, 1.0)
    assert c.data.template == "plain" and c.data.max_length == 4096


def test_paper_stage2_matches_the_published_script() -> None:
    c = load_config(CONFIGS / "paper_stage2.yaml")
    o = c.optim
    assert c.model.init == "pretrained" and c.model.path.endswith("paper-stage1/final")
    assert o.trainable == ["projector", "language_model"]  # vision tower frozen
    assert (o.learning_rate, o.effective_batch_size, o.epochs) == (2e-5, 128, 1.0)
    assert (o.per_device_batch_size, o.gradient_accumulation_steps, o.world_size) == (4, 8, 4)
    assert (o.lr_scheduler, o.warmup_ratio, o.weight_decay) == ("cosine", 0.03, 0.0)
    assert o.mixed_precision == "bf16" and o.tf32 and o.gradient_checkpointing
    assert c.data.max_length == 4096 and c.data.template == "vicuna_v1"


def test_cadcoder_mini_trains_everything_from_scratch() -> None:
    c = load_config(CONFIGS / "cadcoder_mini.yaml")
    assert c.model.init == "scratch" and set(c.optim.trainable) == {"vision", "projector", "language_model"}
    assert c.data.sources[0].kind == "shards"


def test_overrides_are_typed_and_unknown_keys_rejected() -> None:
    c = load_config(
        CONFIGS / "paper_stage2.yaml", ["optim.learning_rate=1e-5", "optim.trainable=[projector]"]
    )
    assert c.optim.learning_rate == 1e-5 and c.optim.trainable == ["projector"]
    with pytest.raises(ConfigError, match="learnin_rate"):
        load_config(CONFIGS / "paper_stage2.yaml", ["optim.learnin_rate=1e-5"])
    with pytest.raises(ConfigError, match="trainable"):
        load_config(CONFIGS / "paper_stage2.yaml", ["optim.trainable=[decoder]"])
    with pytest.raises(ConfigError, match="key=value"):
        load_config(CONFIGS / "paper_stage2.yaml", ["optim.learning_rate"])
    with pytest.raises(ConfigError, match=r"model\.path"):
        config_from_dict(
            {"model": {"init": "pretrained"}, "data": {"sources": [{"kind": "shards", "path": "x"}]}}
        )


@pytest.mark.parametrize("path", ACCELERATE, ids=lambda p: p.stem)
def test_accelerate_configs_parse_with_accelerates_own_classes(path: Path) -> None:
    from accelerate.commands.config.config_args import ClusterConfig
    from accelerate.commands.launch import launch_command_parser
    from accelerate.utils import DistributedType

    config = ClusterConfig.from_yaml_file(str(path))
    assert config.distributed_type in (DistributedType.DEEPSPEED, DistributedType.FSDP)
    assert config.mixed_precision == "bf16"
    gpus = int(re.search(r"(\d+)gpu|2x(\d+)", path.stem).group(0).removesuffix("gpu").split("x")[-1])
    assert config.num_processes == gpus * config.num_machines
    options = {action.dest for action in launch_command_parser()._actions}
    raw = yaml.safe_load(path.read_text())
    for section in ("deepspeed_config", "fsdp_config"):
        unknown = set(raw.get(section, {})) - options
        assert not unknown, f"{section} keys accelerate launch does not know: {unknown}"
    if config.distributed_type == DistributedType.DEEPSPEED:
        assert config.deepspeed_config["zero_stage"] == 3
    header = "".join(line for line in path.read_text().splitlines(keepends=True) if line.startswith("#"))
    assert f"accelerate launch --config_file training/configs/accelerate/{path.name}" in header
    assert "-m training train training/configs/" in header
