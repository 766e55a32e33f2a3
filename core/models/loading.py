"""Loading a LLaVA checkpoint from a local folder, once per (folder, device, dtype, quantization).

Loading CAD-Coder (13B) takes tens of seconds and 26 GB: the pipeline, the server and the benchmark
runner each build backends freely and must share one copy. Loading a folder never touches the network
(``local_files_only``): a missing folder becomes a :class:`BackendError` that names it and gives
the commands that fetch and convert the weights on a machine with internet access. Only a Hugging
Face model id (not a folder here) goes through the Hub, in :mod:`core.models.hub`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import torch
from transformers import AutoProcessor, LlavaForConditionalGeneration, PreTrainedTokenizerBase

from core.models.base import BackendError
from core.models.convert_llava import is_original_layout
from core.models.hub import resolve_model_dir
from core.models.llava_hf import image_token_count
from core.models.placement import resolve_device, resolve_dtype
from core.models.quantization import bnb_config

HF_WEIGHT_NAMES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)


def fetch_instructions(model_dir: Path) -> str:
    original, clip = f"{model_dir}-original", f"{model_dir}-clip"
    return (
        "On a machine with internet access, fetch and convert the weights (about 27 GB), then copy "
        f"{model_dir} here:\n"
        f"  hf download CADCODER/CAD-Coder --local-dir {original}\n"
        f"  hf download openai/clip-vit-large-patch14-336 --local-dir {clip}\n"
        f"  cadcoder convert-llava {original} {model_dir} --vision-tower {clip}\n"
        "Online, --model CADCODER/CAD-Coder (the Hugging Face id) fetches and converts them itself."
    )


@dataclass
class LoadedLlava:
    model: LlavaForConditionalGeneration
    tokenizer: PreTrainedTokenizerBase
    image_processor: object
    image_mean: tuple[float, ...]
    image_token_id: int
    tokens_per_image: int
    device: torch.device
    dtype: torch.dtype
    quantization: str | None
    # One generation at a time per loaded model: concurrent generate() calls on one GPU only thrash.
    lock: threading.Lock = field(default_factory=threading.Lock)


_CACHE: dict[tuple[str, str, str, str | None], LoadedLlava] = {}
_CACHE_LOCK = threading.Lock()


def check_model_dir(model_dir: Path) -> None:
    """Fail early, with the way out, on the mistakes one actually makes with model folders."""
    config_path = model_dir / "config.json"
    if not config_path.is_file():
        what = "does not exist" if not model_dir.exists() else "has no config.json"
        raise BackendError(f"no model weights: {model_dir} {what}.\n{fetch_instructions(model_dir)}")
    config = json.loads(config_path.read_text())
    model_type = config.get("model_type")
    if is_original_layout(config):
        raise BackendError(
            f"{model_dir} holds an original LLaVA checkpoint (model_type {model_type!r}); convert it first:\n"
            f"  cadcoder convert-llava {model_dir} {model_dir}-hf --vision-tower CLIP_DIR"
        )
    if model_type != "llava":
        raise BackendError(f"{model_dir}: model_type {model_type!r} is not a LLaVA checkpoint")
    if not any((model_dir / name).is_file() for name in HF_WEIGHT_NAMES):
        raise BackendError(f"{model_dir} has a config but no weights.\n{fetch_instructions(model_dir)}")


def load_llava(
    model_dir: str | Path,
    *,
    device: str = "auto",
    dtype: str | torch.dtype = "auto",
    quantization: str | None = None,
) -> LoadedLlava:
    """The cached model for these settings, loading it on first use; ``model_dir`` may also be a
    Hugging Face model id (``CADCODER/CAD-Coder``), fetched and converted once (:mod:`core.models.hub`)."""
    path = resolve_model_dir(model_dir).resolve()
    resolved_device = resolve_device(device)
    resolved_dtype = resolve_dtype(dtype, resolved_device, quantization)
    key = (str(path), str(resolved_device), str(resolved_dtype), quantization)
    with _CACHE_LOCK:
        if key not in _CACHE:
            check_model_dir(path)
            _CACHE[key] = _load(path, resolved_device, resolved_dtype, quantization)
        return _CACHE[key]


def clear_cache() -> None:
    """Forget every loaded model (their memory is freed once no backend holds them)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _load(path: Path, device: torch.device, dtype: torch.dtype, quantization: str | None) -> LoadedLlava:
    kwargs: dict[str, object] = {"dtype": dtype, "local_files_only": True, "device_map": {"": str(device)}}
    quant = bnb_config(quantization, dtype, model_dir=path, device=device)
    if quant is not None:
        kwargs["quantization_config"] = quant
    try:
        model = LlavaForConditionalGeneration.from_pretrained(str(path), **kwargs)
        processor = AutoProcessor.from_pretrained(str(path), local_files_only=True)
    except (OSError, ValueError, ImportError, RuntimeError) as exc:
        raise BackendError(f"cannot load the LLaVA model in {path}: {exc}") from exc
    model.eval()
    config = model.config
    image_processor = processor.image_processor
    return LoadedLlava(
        model=model,
        tokenizer=processor.tokenizer,
        image_processor=image_processor,
        image_mean=tuple(image_processor.image_mean),
        image_token_id=config.image_token_id,
        tokens_per_image=image_token_count(config.vision_config, config.vision_feature_select_strategy),
        device=device,
        dtype=dtype,
        quantization=quantization,
    )
