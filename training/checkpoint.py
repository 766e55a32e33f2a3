"""Checkpoints that are both resumable and usable: an HF LLaVA folder with the trainer state beside it.

Layout of ``OUTPUT/checkpoints/step-00000100/``::

    config.json, model.safetensors, generation_config.json   the model (``save_pretrained``)
    tokenizer*, processor_config.json, ...                    the processor
    train_config.yaml                                         the recipe that produced it
    trainer_state.json                                        step, epoch, batches seen in the epoch
    state/                                                    ``accelerator.save_state``: optimizer,
                                                              scheduler, RNG, (sharded) weights

``LocalLlavaBackend(checkpoint_dir)`` loads it as is; ``resume`` continues from ``state/``, which also
works under DeepSpeed ZeRO-3 and FSDP, where only accelerate can gather the sharded optimizer.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

STATE_DIR = "state"
TRAINER_STATE = "trainer_state.json"
TRAIN_CONFIG = "train_config.yaml"


@dataclass
class TrainerState:
    global_step: int = 0
    epoch: int = 0
    # Micro-batches of ``epoch`` already consumed (skipped on resume, so no sample is seen twice).
    batches_in_epoch: int = 0
    total_steps: int = 0

    def write(self, directory: Path) -> None:
        (directory / TRAINER_STATE).write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def read(cls, directory: Path) -> TrainerState:
        return cls(**json.loads((directory / TRAINER_STATE).read_text()))


def checkpoint_dir(output: Path, step: int) -> Path:
    return output / "checkpoints" / f"step-{step:08d}"


def list_checkpoints(output: Path) -> list[Path]:
    """Complete checkpoints (trainer state written last), oldest first."""
    root = output / "checkpoints"
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.name.startswith("step-") and (p / TRAINER_STATE).is_file()]
    return sorted(found, key=lambda p: int(p.name.removeprefix("step-")))


def resolve_resume(output: Path, resume: str) -> Path | None:
    """``""``: no resume; ``"latest"``: newest checkpoint under ``output`` (none: start fresh); else a path."""
    if not resume:
        return None
    if resume == "latest":
        found = list_checkpoints(output)
        return found[-1] if found else None
    path = Path(resume)
    if not (path / TRAINER_STATE).is_file() or not (path / STATE_DIR).is_dir():
        raise FileNotFoundError(f"{path}: not a training checkpoint (needs {TRAINER_STATE} and {STATE_DIR}/)")
    return path


def export_model(
    accelerator: Any, model: Any, processor: Any, directory: Path, config: dict[str, Any]
) -> None:
    """Save the model in HF format from any distributed setup (ZeRO-3 weights are gathered first)."""
    directory.mkdir(parents=True, exist_ok=True)
    state_dict = accelerator.get_state_dict(model)
    unwrapped = accelerator.unwrap_model(model)
    unwrapped.save_pretrained(
        str(directory),
        state_dict=state_dict,
        is_main_process=accelerator.is_main_process,
        save_function=accelerator.save,
    )
    if accelerator.is_main_process:
        processor.save_pretrained(str(directory))
        (directory / TRAIN_CONFIG).write_text(yaml.safe_dump(config, sort_keys=False))


def save_checkpoint(
    accelerator: Any, model: Any, processor: Any, output: Path, state: TrainerState, config: dict[str, Any]
) -> Path:
    directory = checkpoint_dir(output, state.global_step)
    export_model(accelerator, model, processor, directory, config)
    accelerator.save_state(str(directory / STATE_DIR))
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        state.write(directory)
    accelerator.wait_for_everyone()
    return directory


def prune_checkpoints(output: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` checkpoints (``keep = 0``: keep all)."""
    found = list_checkpoints(output)
    doomed = found[:-keep] if keep and len(found) > keep else []
    for path in doomed:
        shutil.rmtree(path)
    return doomed
