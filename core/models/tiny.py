"""Tiny random LLaVA checkpoints, built locally in seconds, for tests and training smoke runs.

No hub download is possible on CI, and a real 13B checkpoint cannot be loaded there anyway; these
builders make every layer of the real thing at transformers-test sizes (hidden 32, 2 layers, 16 px
images): a Llama-style tokenizer (Metaspace BPE with byte fallback, ``<s>``/``</s>``/``<unk>`` at
0-2 and the 256 byte tokens after them, like Llama's), a CLIP vision tower, and either

* the Hugging Face ``LlavaForConditionalGeneration`` layout that ``LocalLlavaBackend`` loads, or
* the original LLaVA repository layout (``llava_llama`` config, ``model.mm_projector.*`` keys,
  sharded weights, no ``<image>`` token) that ``cadcoder convert-llava`` reads, plus the separate CLIP
  tower folder that layout refers to.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import (
    CLIPConfig,
    CLIPModel,
    CLIPVisionConfig,
    CLIPVisionModel,
    LlamaConfig,
    LlamaForCausalLM,
    LlamaTokenizer,
    LlavaConfig,
    LlavaForConditionalGeneration,
)

from core.models.llava_hf import (
    IMAGE_TOKEN_KWARGS,
    clip_image_processor,
    image_token_count,
    llava_processor,
    with_pad_token,
)
from core.models.prompt import CADCODER_QUESTION, IMAGE_TOKEN, VICUNA_SYSTEM

LLAMA_SPECIALS = ("<unk>", "<s>", "</s>")
# What the tokenizer's merges are learned from: the prompt, and CadQuery in the dataset's verbose
# style with made-up numbers (nothing from the benchmark).
TOKENIZER_CORPUS = (
    VICUNA_SYSTEM,
    f"USER: {CADCODER_QUESTION} ASSISTANT:",
    "import cadquery as cq\n"
    "# Generating a workplane for sketch 0\n"
    "wp_sketch0 = cq.Workplane(cq.Plane(cq.Vector(-0.5, 0.125, 0.0), cq.Vector(1.0, 0.0, 0.0), "
    "cq.Vector(0.0, 0.0, 1.0)))\n"
    "loop0=wp_sketch0.moveTo(0.25, 0.0).lineTo(0.25, 0.375).lineTo(0.0, 0.375).lineTo(0.0, 0.0).close()\n"
    "solid0=wp_sketch0.add(loop0).extrude(0.0625)\n"
    "solid=solid0\n",
)


def tiny_tokenizer(vocab_size: int = 384, *, llava_tokens: bool = False) -> LlamaTokenizer:
    """A Llama-layout tokenizer; without ``llava_tokens`` it lacks ``<image>``, as Vicuna's does."""
    trainer_tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    trainer_tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first")
    learned_size = max(vocab_size - 256, len(LLAMA_SPECIALS) + 1)
    trainer = trainers.BpeTrainer(
        vocab_size=learned_size, special_tokens=list(LLAMA_SPECIALS), show_progress=False
    )
    trainer_tok.train_from_iterator(TOKENIZER_CORPUS, trainer)
    learned = json.loads(trainer_tok.to_str())["model"]
    vocab = {token: i for i, token in enumerate(LLAMA_SPECIALS)}
    for byte in range(256):
        vocab[f"<0x{byte:02X}>"] = len(vocab)
    for token, _ in sorted(learned["vocab"].items(), key=lambda item: item[1]):
        vocab.setdefault(token, len(vocab))
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in learned["merges"]]
    extra = IMAGE_TOKEN_KWARGS if llava_tokens else {}
    tokenizer = LlamaTokenizer(vocab=vocab, merges=merges, add_bos_token=True, legacy=False, **extra)
    return with_pad_token(tokenizer) if llava_tokens else tokenizer


def tiny_vision_config(image_size: int = 16, patch_size: int = 4, hidden: int = 32, layers: int = 2):
    return CLIPVisionConfig(
        image_size=image_size,
        patch_size=patch_size,
        hidden_size=hidden,
        intermediate_size=37,
        num_hidden_layers=layers,
        num_attention_heads=4,
        projection_dim=hidden,
    )


def tiny_text_config(vocab_size: int, hidden: int = 32, layers: int = 2) -> LlamaConfig:
    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=hidden,
        intermediate_size=37,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=512,
        bos_token_id=1,
        eos_token_id=2,
        tie_word_embeddings=False,
    )


def build_tiny_llava(
    out_dir: str | Path,
    *,
    vocab_size: int = 384,
    hidden: int = 32,
    layers: int = 2,
    image_size: int = 16,
    patch_size: int = 4,
    seed: int = 0,
) -> Path:
    """A random ``LlavaForConditionalGeneration`` with tokenizer and processor, saved in HF format."""
    out = Path(out_dir)
    tokenizer = tiny_tokenizer(vocab_size, llava_tokens=True)
    vision = tiny_vision_config(image_size, patch_size, hidden, layers)
    text = tiny_text_config(len(tokenizer), hidden, layers)
    text.pad_token_id = tokenizer.pad_token_id
    config = LlavaConfig(
        vision_config=vision,
        text_config=text,
        image_token_id=tokenizer.convert_tokens_to_ids(IMAGE_TOKEN),
        image_seq_length=image_token_count(vision, "default"),
        vision_feature_layer=-2,
        vision_feature_select_strategy="default",
        projector_hidden_act="gelu",
    )
    torch.manual_seed(seed)
    model = LlavaForConditionalGeneration(config).eval()
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(out)
    llava_processor(tokenizer, vision, clip_image_processor(image_size), pad=True).save_pretrained(out)
    return out


def build_tiny_clip_tower(
    out_dir: str | Path, *, image_size: int = 16, hidden: int = 32, full_clip: bool = True, seed: int = 1
) -> Path:
    """A CLIP folder as ``openai/clip-vit-large-patch14-336`` is: a whole ``CLIPModel`` (text tower
    included) with its processor; ``full_clip=False`` saves a bare ``CLIPVisionModel`` instead."""
    out = Path(out_dir)
    torch.manual_seed(seed)
    vision = tiny_vision_config(image_size, hidden=hidden)
    if full_clip:
        text = {
            "hidden_size": hidden,
            "intermediate_size": 37,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "vocab_size": 99,
            "bos_token_id": 0,
            "eos_token_id": 1,
            "pad_token_id": 1,
        }
        tower = CLIPModel(CLIPConfig(text_config=text, vision_config=vision.to_dict(), projection_dim=hidden))
    else:
        tower = CLIPVisionModel(vision)
    tower.eval().save_pretrained(out)
    clip_image_processor(image_size).save_pretrained(out)
    return out


def original_llava_config(text: LlamaConfig, vision: CLIPVisionConfig, tower: str) -> dict:
    """``config.json`` of a checkpoint written by LLaVA's training code (the CAD-Coder release)."""
    config = text.to_dict()
    config.update(
        {
            "architectures": ["LlavaLlamaForCausalLM"],
            "model_type": "llava_llama",
            "mm_hidden_size": vision.hidden_size,
            "mm_projector_type": "mlp2x_gelu",
            "mm_vision_tower": tower,
            "mm_vision_select_layer": -2,
            "mm_vision_select_feature": "patch",
            "mm_use_im_start_end": False,
            "mm_use_im_patch_token": False,
            "mm_patch_merge_type": "flat",
            "image_aspect_ratio": "pad",
            "freeze_mm_mlp_adapter": False,
            "tune_mm_mlp_adapter": False,
            "use_mm_proj": True,
            "tokenizer_padding_side": "right",
            "tokenizer_model_max_length": 4096,
        }
    )
    return config


def original_llava_state_dict(text: LlamaConfig, vision_hidden: int, seed: int) -> dict[str, torch.Tensor]:
    """Weights under LLaVA's names: the Llama keys plus ``model.mm_projector.0/2`` (Linear-GELU-Linear)."""
    torch.manual_seed(seed)
    state = {k: v.contiguous() for k, v in LlamaForCausalLM(text).state_dict().items()}
    projector = torch.nn.Sequential(
        torch.nn.Linear(vision_hidden, text.hidden_size),
        torch.nn.GELU(),
        torch.nn.Linear(text.hidden_size, text.hidden_size),
    )
    for key, value in projector.state_dict().items():
        state[f"model.mm_projector.{key}"] = value.contiguous()
    return state


def build_tiny_original_llava(
    out_dir: str | Path,
    tower_dir: str | Path,
    *,
    vocab_size: int = 384,
    hidden: int = 32,
    layers: int = 2,
    shards: int = 2,
    include_vision_tower: bool = False,
    seed: int = 2,
) -> Path:
    """A random checkpoint in the original LLaVA layout, ``shards`` safetensors files and an index.

    ``include_vision_tower`` also stores the tower under ``model.vision_tower.vision_tower.*``, as
    LLaVA's trainer does when it saves the whole module tree.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = tiny_tokenizer(vocab_size)
    tokenizer.pad_token = tokenizer.unk_token  # LLaVA's v1 training sets pad = unk
    tokenizer.save_pretrained(out)
    vision = CLIPVisionConfig.from_pretrained(tower_dir)
    text = tiny_text_config(len(tokenizer), hidden, layers)
    state = original_llava_state_dict(text, vision.hidden_size, seed)
    if include_vision_tower:
        tower = CLIPVisionModel.from_pretrained(tower_dir)
        for key, value in tower.state_dict().items():
            # LLaVA saved CLIP as transformers 4.x named it, inside a ``vision_model`` module.
            state[f"model.vision_tower.vision_tower.vision_model.{key}"] = value.contiguous()
    (out / "config.json").write_text(
        json.dumps(original_llava_config(text, vision, str(tower_dir)), indent=2)
    )
    keys = sorted(state)
    weight_map = {}
    for i in range(shards):
        name = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
        part = {k: state[k] for k in keys[i::shards]}
        save_file(part, str(out / name), metadata={"format": "pt"})
        weight_map.update(dict.fromkeys(part, name))
    total = sum(t.numel() * t.element_size() for t in state.values())
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    (out / "model.safetensors.index.json").write_text(json.dumps(index, indent=2))
    return out
