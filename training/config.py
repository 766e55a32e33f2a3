"""Training configuration: validated dataclasses with defaults, loaded from YAML, overridable.

The schema is the documentation: every field has a default and a comment, a YAML file only states
what differs, and ``--override section.field=value`` changes one value from the command line (the
value is parsed as YAML, so ``1e-4``, ``true`` and ``[projector]`` have their natural types).
Unknown keys are errors, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from pydantic.dataclasses import dataclass

_STRICT = ConfigDict(extra="forbid")
Module = Literal["vision", "projector", "language_model"]


class ConfigError(ValueError):
    """A config file or override is invalid; the message names the field."""


@dataclass(config=_STRICT)
class TokenizerConfig:
    # Folder of a saved tokenizer; for ``init: scratch`` it is trained there first when missing.
    path: str = ""
    train_if_missing: bool = True
    vocab_size: int = Field(4096, ge=256)
    # How many training answers the BPE sees when it has to be trained.
    train_samples: int = Field(50_000, ge=1)


@dataclass(config=_STRICT)
class ModelConfig:
    # pretrained: an HF LLaVA folder (``path``), e.g. stage 1's output for stage 2.
    # compose:    a CLIP vision tower and a causal LM (paths or hub ids) joined by a new projector.
    # scratch:    small random vision encoder + Llama decoder from ``vision``/``text`` (cadcoder-mini).
    init: Literal["pretrained", "compose", "scratch"] = "scratch"
    path: str = ""
    vision_model: str = ""
    language_model: str = ""
    # Extra kwargs for CLIPVisionConfig / LlamaConfig (scratch only).
    vision: dict[str, Any] = Field(default_factory=dict)
    text: dict[str, Any] = Field(default_factory=dict)
    tokenizer: TokenizerConfig = Field(default_factory=TokenizerConfig)
    image_size: int = Field(224, ge=8)  # scratch: the encoder's input size
    # scratch: start the vision tower from this folder (`pretrain-vision` output) instead of random.
    vision_init: str = ""
    projector_hidden_act: str = "gelu"  # LLaVA-1.5's mlp2x_gelu
    vision_feature_layer: int = -2  # second-to-last layer, as in LLaVA-1.5
    vision_feature_select_strategy: Literal["default", "full"] = "default"

    @model_validator(mode="after")
    def _needs(self) -> ModelConfig:
        if self.init == "pretrained" and not self.path:
            raise ValueError("init 'pretrained' needs model.path")
        if self.init == "compose" and not (self.vision_model and self.language_model):
            raise ValueError("init 'compose' needs model.vision_model and model.language_model")
        if self.init == "scratch" and not self.tokenizer.path:
            raise ValueError("init 'scratch' needs model.tokenizer.path")
        return self


@dataclass(config=_STRICT)
class SourceConfig:
    # llava_json: ``path`` is the conversation JSON, ``image_folder`` its images.
    # hf_disk:    ``path`` is a ``save_to_disk`` folder (``answer_column`` for code-only datasets).
    # shards:     ``path`` is a ``cadcoder datagen`` output folder.
    kind: Literal["llava_json", "hf_disk", "shards"]
    path: str
    image_folder: str = ""
    split: str = ""
    answer_column: str = ""
    use_augmented: bool = True
    # Each example appears this many times per epoch: a handful of user examples mixed with a
    # large replay set get their share of the steps (training/configs/finetune_user.yaml).
    repeat: int = Field(1, ge=1)
    # Show the pictures as inference shows them to a local model (core.render.model_view: other
    # styles redrawn in the training look). For a user's own pictures (FreeCAD snapshots); our
    # synthetic shards are drawn in the training look already (and too small to tell it).
    redraw: bool = False

    @model_validator(mode="after")
    def _expand(self) -> SourceConfig:
        self.path, self.image_folder = _expand_path(self.path), _expand_path(self.image_folder)
        return self


@dataclass(config=_STRICT)
class DataConfig:
    sources: list[SourceConfig] = Field(default_factory=list)
    # vicuna_v1: LLaVA-1.5 chat (stage 2, CAD-Coder); plain: image then caption (stage 1 pretraining).
    template: Literal["vicuna_v1", "plain"] = "vicuna_v1"
    # Samples whose prompt + image tokens + answer exceed this are dropped (and counted).
    max_length: int = Field(4096, ge=16)
    # The question for sources without one (shards, code columns); empty: CAD-Coder's question.
    question: str = ""
    num_workers: int = Field(2, ge=0)
    # Hold-out share for a validation loss (0: none).
    validation_fraction: float = Field(0.0, ge=0.0, lt=1.0)


@dataclass(config=_STRICT)
class OptimConfig:
    trainable: list[Module] = Field(default_factory=lambda: ["vision", "projector", "language_model"])
    learning_rate: float = Field(2e-5, gt=0)
    weight_decay: float = Field(0.0, ge=0)
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    max_grad_norm: float = Field(1.0, ge=0)
    lr_scheduler: Literal["cosine", "linear", "constant", "constant_with_warmup"] = "cosine"
    warmup_ratio: float = Field(0.03, ge=0, le=1)
    epochs: float = Field(1.0, gt=0)
    # Stop after this many optimizer steps (0: run the epochs).
    max_steps: int = Field(0, ge=0)
    per_device_batch_size: int = Field(4, ge=1)
    gradient_accumulation_steps: int = Field(1, ge=1)
    # GPUs the recipe was written for: effective batch = per-device x accumulation x world_size.
    # The trainer warns when it runs on another number of processes.
    world_size: int = Field(1, ge=1)
    mixed_precision: Literal["no", "bf16", "fp16"] = "no"
    tf32: bool = False
    gradient_checkpointing: bool = False
    # Weight of the auxiliary extents loss (training/extents_loss.py): the language model's state
    # just before it writes the answer must predict the part's proportions. 0: off (the paper's loss).
    extents_loss_weight: float = Field(0.0, ge=0)

    @property
    def effective_batch_size(self) -> int:
        return self.per_device_batch_size * self.gradient_accumulation_steps * self.world_size


@dataclass(config=_STRICT)
class OutputConfig:
    dir: str = "runs/train"
    save_steps: int = Field(500, ge=1)
    # Keep this many step checkpoints (0: all); the final model is always kept.
    save_total_limit: int = Field(2, ge=0)
    logging_steps: int = Field(10, ge=1)
    tensorboard: bool = True
    progress: bool = True


@dataclass(config=_STRICT)
class TrainConfig:
    model: ModelConfig
    data: DataConfig
    optim: OptimConfig = Field(default_factory=OptimConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    seed: int = 0
    # A checkpoint folder to continue from, or "latest" (the newest under output.dir; none: start).
    resume: str = ""
    name: str = ""

    @model_validator(mode="after")
    def _sources(self) -> TrainConfig:
        if not self.data.sources:
            raise ValueError("data.sources is empty: name at least one dataset")
        self.output.dir = _expand_path(self.output.dir)
        self.model.path = _expand_path(self.model.path)
        shipped = (Path(__file__).resolve().parent.parent / "resources" / "models").resolve()
        if Path(self.output.dir).resolve().is_relative_to(shipped):
            raise ValueError(
                f"output.dir {self.output.dir} is inside {shipped}: the shipped models are never overwritten"
            )
        return self


USER_DATA = "{user_data}"


def _expand_path(path: str) -> str:
    """``{user_data}``, ``~`` and ``$VARS`` in paths, so a recipe can name the user's folders
    (finetune_user.yaml). ``{user_data}`` is the folder the workbench keeps examples in and looks
    for the fine-tuned copy in (``core.user_paths``), so both follow ``$CADCODER_USER_DATA``."""
    if not path:
        return path
    if USER_DATA in path:
        from core.user_paths import user_data_dir

        path = path.replace(USER_DATA, str(user_data_dir()))
    return os.path.expanduser(os.path.expandvars(path))


_ADAPTER = TypeAdapter(TrainConfig)


def parse_override(text: str) -> tuple[list[str], Any]:
    if "=" not in text:
        raise ConfigError(f"override {text!r} is not key=value")
    key, raw = text.split("=", 1)
    path = [p for p in key.strip().split(".") if p]
    if not path:
        raise ConfigError(f"override {text!r} has an empty key")
    return path, yaml.safe_load(raw) if raw.strip() else ""


def apply_overrides(raw: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    data = copy.deepcopy(raw)
    for text in overrides:
        path, value = parse_override(text)
        node = data
        for part in path[:-1]:
            if isinstance(node, list):  # data.sources.0.path: a list element by its index
                node = _element(node, part, text)
                continue
            child = node.setdefault(part, {})
            if not isinstance(child, (dict, list)):
                raise ConfigError(f"override {text!r}: {part!r} is not a section")
            node = child
        if isinstance(node, list):
            node[_index(node, path[-1], text)] = value
        else:
            node[path[-1]] = value
    return data


def _index(items: list, part: str, text: str) -> int:
    if not part.isdigit() or int(part) >= len(items):
        raise ConfigError(f"override {text!r}: {part!r} is not an index of a {len(items)}-item list")
    return int(part)


def _element(items: list, part: str, text: str) -> Any:
    child = items[_index(items, part, text)]
    if not isinstance(child, (dict, list)):
        raise ConfigError(f"override {text!r}: item {part} is not a section")
    return child


def config_from_dict(raw: dict[str, Any], overrides: Sequence[str] = ()) -> TrainConfig:
    try:
        return _ADAPTER.validate_python(apply_overrides(raw, overrides))
    except ValidationError as exc:
        raise ConfigError(str(exc)) from exc


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> TrainConfig:
    """Read a YAML recipe; relative paths inside it stay relative to the working directory."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    try:
        return config_from_dict(raw, overrides)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def config_to_dict(config: TrainConfig) -> dict[str, Any]:
    return _ADAPTER.dump_python(config, mode="json")
