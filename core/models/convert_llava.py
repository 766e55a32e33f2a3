"""Original LLaVA checkpoints (the CAD-Coder release) -> Hugging Face ``LlavaForConditionalGeneration``.

The published CAD-Coder weights are in the LLaVA repository's layout: a ``llava_llama`` config whose
``mm_*`` keys describe the projector and name the CLIP tower, Llama keys (``model.layers.*``,
``model.embed_tokens``, ``lm_head``) plus ``model.mm_projector.0/2``, a tokenizer without ``<image>``.
transformers (and vLLM) load only the HF layout, so this does what transformers'
``convert_llava_weights_to_hf.py`` does, against the key names transformers 5 expects:

==============================================  ==============================================
original                                        Hugging Face (transformers 5)
==============================================  ==============================================
``model.embed_tokens`` / ``layers`` / ``norm``  ``model.language_model.*``
``model.mm_projector.0`` / ``.2``               ``model.multi_modal_projector.linear_1`` / ``_2``
``model.vision_tower.vision_tower.vision_model``  ``model.vision_tower`` (else from the tower dir)
``lm_head``                                     ``lm_head``
==============================================  ==============================================

and adds ``<image>`` and ``<pad>``, pads the vocabulary to a multiple of 64 (new rows = mean row),
writes the LLaVA config, the processor (CLIP settings + pad-to-square + Vicuna v1 chat template).
Shards are converted one at a time, so a 13B model is never held in memory twice.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file
from transformers import (
    CLIPVisionConfig,
    CLIPVisionModel,
    GenerationConfig,
    LlamaConfig,
    LlavaConfig,
    LlavaForConditionalGeneration,
)
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

from core.models.llava_hf import (
    image_token_count,
    llava_processor,
    load_llava_tokenizer,
    mean_rows,
    padded_vocab_size,
)
from core.models.prompt import IMAGE_TOKEN

# Keys of the original config that describe LLaVA's multimodal wrapper, not the Llama LM.
LLAVA_ONLY_KEYS = frozenset(
    {
        "model_type",
        "architectures",
        "_name_or_path",
        "transformers_version",
        "image_aspect_ratio",
        "image_grid_pinpoints",
        "freeze_mm_mlp_adapter",
        "freeze_mm_vision_resampler",
        "tune_mm_mlp_adapter",
        "tune_mm_vision_resampler",
        "unfreeze_mm_vision_tower",
        "use_mm_proj",
        "tokenizer_padding_side",
        "tokenizer_model_max_length",
    }
)
# Renames applied to the first matching prefix, in order (the vision tower before the generic "model.").
KEY_PREFIXES = (
    ("model.vision_tower.vision_tower.vision_model.", "model.vision_tower."),
    ("model.mm_projector.0.", "model.multi_modal_projector.linear_1."),
    ("model.mm_projector.2.", "model.multi_modal_projector.linear_2."),
    ("model.", "model.language_model."),
    ("lm_head.", "lm_head."),
)
# Buffers older checkpoints saved that current transformers recomputes.
DROPPED_SUFFIXES = (".rotary_emb.inv_freq", "embeddings.position_ids")
EMBEDDING_KEYS = ("model.language_model.embed_tokens.weight", "lm_head.weight")


class ConversionError(RuntimeError):
    """The source is not an original-layout LLaVA-1.5 checkpoint this converter understands."""


@dataclass(frozen=True)
class ConversionReport:
    dst: Path
    tensors: int
    shards: int
    vocab_size: int  # rows of the converted embedding (padded)
    original_vocab_size: int
    image_token_id: int
    pad_token_id: int
    vision_weights: str  # "checkpoint" or the tower directory they came from
    dtype: str


def is_original_layout(config: dict) -> bool:
    """LLaVA's own configs name the tower (``mm_vision_tower``) where HF ones nest ``vision_config``;
    ``model_type`` alone is ambiguous (early LLaVA releases also said ``llava``)."""
    return config.get("model_type") == "llava_llama" or (
        "mm_vision_tower" in config and "vision_config" not in config
    )


def read_original_config(src: Path) -> dict:
    path = src / "config.json"
    if not path.is_file():
        raise ConversionError(f"{src}: no config.json; expected an original LLaVA checkpoint folder")
    config = json.loads(path.read_text())
    if not is_original_layout(config):
        raise ConversionError(
            f"{src}: model_type {config.get('model_type')!r} without mm_vision_tower is not an original "
            "LLaVA checkpoint; HF-layout folders need no conversion"
        )
    unsupported = {
        "mm_projector_type": (config.get("mm_projector_type", "linear"), ("mlp2x_gelu",)),
        "mm_use_im_start_end": (config.get("mm_use_im_start_end", False), (False,)),
        "mm_patch_merge_type": (config.get("mm_patch_merge_type", "flat"), ("flat",)),
        "mm_vision_select_feature": (config.get("mm_vision_select_feature", "patch"), ("patch", "cls_patch")),
    }
    for key, (value, allowed) in unsupported.items():
        if value not in allowed:
            raise ConversionError(f"{src}: {key}={value!r} is not supported (LLaVA-1.5 uses {allowed[0]!r})")
    return config


def source_tokenizer(src: Path):
    """The LM's tokenizer plus ``<image>``/``<pad>``; LLaVA saved a slow SentencePiece tokenizer
    (``tokenizer.model`` only), which transformers 5 converts with the ``sentencepiece`` package."""
    try:
        return load_llava_tokenizer(src)
    except (OSError, ValueError, ImportError) as exc:
        sentencepiece_only = (src / "tokenizer.model").is_file() and not (src / "tokenizer.json").is_file()
        hint = "; its tokenizer.model needs the sentencepiece package (pip install sentencepiece)"
        raise ConversionError(
            f"{src}: cannot load the tokenizer: {exc}{hint if sentencepiece_only else ''}"
        ) from exc


def text_config(original: dict) -> LlamaConfig:
    """The Llama LM's config: the original minus LLaVA's wrapper keys."""
    kept = {k: v for k, v in original.items() if k not in LLAVA_ONLY_KEYS and not k.startswith("mm_")}
    return LlamaConfig.from_dict(kept)


def llava_config(original: dict, tokenizer, vision: CLIPVisionConfig) -> LlavaConfig:
    """The HF config: LLaVA's ``mm_*`` settings as LlavaConfig fields, the vocabulary grown to hold
    ``<image>`` and ``<pad>`` and padded to a multiple of 64."""
    if original.get("mm_hidden_size", vision.hidden_size) != vision.hidden_size:
        raise ConversionError(
            f"vision tower hidden size {vision.hidden_size} != mm_hidden_size {original['mm_hidden_size']}"
        )
    text = text_config(original)
    text.vocab_size = padded_vocab_size(max(len(tokenizer), text.vocab_size))
    text.pad_token_id = tokenizer.pad_token_id
    text.use_cache = True  # LLaVA's trainer saves use_cache=false; decoding without a KV cache crawls
    strategy = "full" if original.get("mm_vision_select_feature") == "cls_patch" else "default"
    return LlavaConfig(
        vision_config=vision,
        text_config=text,
        image_token_id=tokenizer.convert_tokens_to_ids(IMAGE_TOKEN),
        image_seq_length=image_token_count(vision, strategy),
        vision_feature_layer=original.get("mm_vision_select_layer", -2),
        vision_feature_select_strategy=strategy,
        projector_hidden_act="gelu",
        tie_word_embeddings=bool(original.get("tie_word_embeddings", False)),
    )


def weight_files(src: Path) -> list[Path]:
    """Shards in index order, or the single weights file."""
    for index_name in ("model.safetensors.index.json", "pytorch_model.bin.index.json"):
        index = src / index_name
        if index.is_file():
            names = dict.fromkeys(json.loads(index.read_text())["weight_map"].values())
            missing = [n for n in names if not (src / n).is_file()]
            if missing:
                raise ConversionError(f"{src}: shards listed in {index_name} are missing: {missing}")
            return [src / n for n in names]
    for single in ("model.safetensors", "pytorch_model.bin"):
        if (src / single).is_file():
            return [src / single]
    raise ConversionError(
        f"{src}: no weights (model*.safetensors or pytorch_model*.bin, with or without index)"
    )


def read_tensors(path: Path) -> Iterator[tuple[str, torch.Tensor]]:
    """One shard's tensors; ``.bin`` files are memory-mapped, so only touched pages are read."""
    if path.suffix == ".safetensors":
        with safe_open(str(path), framework="pt", device="cpu") as fh:
            for key in fh.keys():  # noqa: SIM118 - safe_open handles are not iterable
                yield key, fh.get_tensor(key)
    else:
        try:
            state = torch.load(str(path), map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError:  # pre-1.6 (non-zip) pickles cannot be memory-mapped
            state = torch.load(str(path), map_location="cpu", weights_only=True)
        yield from state.items()


def source_dtype(path: Path) -> torch.dtype:
    """The LM's dtype (of the first floating tensor): the converted model keeps it unless told."""
    for _key, tensor in read_tensors(path):
        if tensor.is_floating_point():
            return tensor.dtype
    raise ConversionError(f"{path}: no floating-point tensors")


def hf_key(key: str) -> str | None:
    """The HF name of an original key; None for buffers to drop."""
    if key.endswith(DROPPED_SUFFIXES):
        return None
    for old, new in KEY_PREFIXES:
        if key.startswith(old):
            return new + key[len(old) :]
    raise ConversionError(f"unexpected key {key!r} in the original checkpoint")


def tower_tensors(tower_dir: Path, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """The CLIP tower's vision weights under their HF names. transformers reads every CLIP layout
    (a full ``CLIPModel`` checkpoint such as OpenAI's, or a bare vision model); ViT-L is 0.3B, cheap."""
    tower, info = CLIPVisionModel.from_pretrained(str(tower_dir), dtype=dtype, output_loading_info=True)
    if info["missing_keys"]:
        raise ConversionError(f"{tower_dir}: no weights for {sorted(info['missing_keys'])[:8]}")
    return {"model.vision_tower." + k: v.contiguous() for k, v in tower.state_dict().items()}


def expected_shapes(config: LlavaConfig) -> dict[str, tuple[int, ...]]:
    with torch.device("meta"):
        model = LlavaForConditionalGeneration(config)
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def convert_llava(
    src: str | Path,
    dst: str | Path,
    vision_tower: str | Path,
    *,
    dtype: str | None = None,
    overwrite: bool = False,
    log: Callable[[str], None] = lambda _msg: None,
) -> ConversionReport:
    """Convert ``src`` (original layout) into ``dst`` (HF layout); ``vision_tower`` is the CLIP folder
    the checkpoint's ``mm_vision_tower`` names. ``dtype`` casts every tensor (default: the LM's)."""
    src, dst, tower = Path(src), Path(dst), Path(vision_tower)
    original = read_original_config(src)
    if not (tower / "config.json").is_file():
        raise ConversionError(f"{tower}: no CLIP vision tower config ({original.get('mm_vision_tower')})")
    if dst.exists() and any(dst.iterdir()):
        if not overwrite:
            raise ConversionError(f"{dst} exists and is not empty (pass overwrite to replace it)")
        shutil.rmtree(dst)
    files = weight_files(src)

    tokenizer = source_tokenizer(src)
    config = llava_config(original, tokenizer, CLIPVisionConfig.from_pretrained(str(tower)))
    text = config.text_config
    old_vocab = text_config(original).vocab_size
    expected = expected_shapes(config)
    dst.mkdir(parents=True, exist_ok=True)

    target = getattr(torch, dtype) if dtype else source_dtype(files[0])
    written: dict[str, str] = {}
    total_bytes = 0
    parts: list[Path] = []

    def write(tensors: dict[str, torch.Tensor]) -> None:
        nonlocal total_bytes
        part = dst / f"part-{len(parts):05d}.safetensors"
        save_file(tensors, str(part), metadata={"format": "pt"})
        parts.append(part)
        written.update(dict.fromkeys(tensors, part.name))
        total_bytes += sum(t.numel() * t.element_size() for t in tensors.values())

    for path in files:
        log(f"converting {path.name}")
        converted: dict[str, torch.Tensor] = {}
        for key, tensor in read_tensors(path):
            new = hf_key(key)
            if new is None:
                continue
            if new in EMBEDDING_KEYS:
                tensor = mean_rows(tensor, text.vocab_size)
            converted[new] = tensor.to(target).contiguous()
        write(converted)
        del converted

    has_tower = any(k.startswith("model.vision_tower.") for k in written)
    if not has_tower:
        log(f"vision tower weights from {tower}")
        write(tower_tensors(tower, target))

    missing = sorted(
        set(expected) - set(written) - ({"lm_head.weight"} if config.tie_word_embeddings else set())
    )
    unexpected = sorted(set(written) - set(expected))
    if missing or unexpected:
        raise ConversionError(
            f"converted keys do not match LlavaForConditionalGeneration: "
            f"missing {missing[:8]}, unexpected {unexpected[:8]}"
        )
    _check_shapes(dst, written, expected)
    _name_shards(dst, parts, written, total_bytes)

    dtype_name = str(target).removeprefix("torch.")
    config.dtype = dtype_name
    config.save_pretrained(dst)
    GenerationConfig(
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    ).save_pretrained(dst)
    base = CLIPImageProcessorPil.from_pretrained(str(tower))
    processor = llava_processor(
        tokenizer,
        config.vision_config,
        base,
        pad=original.get("image_aspect_ratio") == "pad",
        select_strategy=config.vision_feature_select_strategy,
    )
    processor.save_pretrained(dst)
    return ConversionReport(
        dst=dst,
        tensors=len(written),
        shards=len(parts),
        vocab_size=text.vocab_size,
        original_vocab_size=old_vocab,
        image_token_id=config.image_token_id,
        pad_token_id=tokenizer.pad_token_id,
        vision_weights="checkpoint" if has_tower else str(tower),
        dtype=dtype_name,
    )


def _check_shapes(dst: Path, written: dict[str, str], expected: dict[str, tuple[int, ...]]) -> None:
    for name in sorted(set(written.values())):
        with safe_open(str(dst / name), framework="pt", device="cpu") as fh:
            for key in fh.keys():  # noqa: SIM118 - safe_open handles are not iterable
                shape = tuple(fh.get_slice(key).get_shape())
                if shape != expected[key]:
                    raise ConversionError(
                        f"{key}: shape {shape}, LlavaForConditionalGeneration expects {expected[key]}"
                    )


def _name_shards(dst: Path, parts: list[Path], written: dict[str, str], total_bytes: int) -> None:
    """Rename parts to HF's ``model-0000i-of-0000n`` (n is known only now) and write the index."""
    names = {p.name: f"model-{i + 1:05d}-of-{len(parts):05d}.safetensors" for i, p in enumerate(parts)}
    for part in parts:
        part.rename(dst / names[part.name])
    weight_map = {key: names[part] for key, part in sorted(written.items())}
    index = {"metadata": {"total_size": total_bytes}, "weight_map": weight_map}
    (dst / "model.safetensors.index.json").write_text(json.dumps(index, indent=2) + "\n")
