"""The model and processor a run starts from, always a Hugging Face ``LlavaForConditionalGeneration``.

Three ways in (``model.init``): a saved LLaVA folder (stage 2 continues stage 1); *compose* — a CLIP
vision tower and a causal LM joined by a fresh two-layer GELU projector, the paper's stage 1 start
(CLIP ViT-L/14-336 + Vicuna-13B-v1.5); *scratch* — a small randomly initialised CLIP-style ViT and
Llama decoder with our CadQuery tokenizer (cadcoder-mini). Whatever the start, the run saves the
same HF layout, so ``LocalLlavaBackend`` loads every checkpoint unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from pathlib import Path

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoProcessor,
    AutoTokenizer,
    CLIPVisionConfig,
    CLIPVisionModel,
    LlamaConfig,
    LlavaConfig,
    LlavaForConditionalGeneration,
    LlavaProcessor,
    PreTrainedTokenizerBase,
)
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil
from transformers.models.llava.modeling_llava import LlavaMultiModalProjector

from core.models.llava_hf import (
    clip_image_processor,
    llava_processor,
    load_llava_tokenizer,
    padded_vocab_size,
)
from training.config import ModelConfig
from training.tokenizer import IMAGE, train_and_save

# The smallest sensible defaults for a from-scratch model; a recipe overrides them in model.vision/text.
SCRATCH_VISION = {
    "hidden_size": 256,
    "intermediate_size": 1024,
    "num_hidden_layers": 6,
    "num_attention_heads": 4,
}
SCRATCH_TEXT = {
    "hidden_size": 384,
    "intermediate_size": 1024,
    "num_hidden_layers": 6,
    "num_attention_heads": 6,
    "num_key_value_heads": 6,
    "max_position_embeddings": 2048,
    "rope_theta": 10000.0,
    "tie_word_embeddings": True,
}


def build(
    config: ModelConfig, answers: Callable[[], Iterable[str]]
) -> tuple[LlavaForConditionalGeneration, LlavaProcessor]:
    """``answers`` yields training texts, used only when a scratch tokenizer must be trained first."""
    if config.init == "pretrained":
        model = LlavaForConditionalGeneration.from_pretrained(config.path, dtype=torch.float32)
        return model, AutoProcessor.from_pretrained(config.path)
    if config.init == "compose":
        return compose(config)
    return scratch(config, answers)


def prompt_texts(copies: int = 200) -> Iterable[str]:
    """The chat template around every answer, often enough that each of its words becomes one
    token: without it a code-only vocabulary spells the 40-word system prompt in ~130 pieces, which
    a small model pays for at every step (it is longer than most answers)."""
    from core.models.base import ImageInput
    from core.models.prompt import image_question, render_prompt

    text = render_prompt(list(image_question(ImageInput(b"", "image/png"))), add_generation_prompt=True)
    return itertools.repeat(text, copies)


def scratch(
    config: ModelConfig, answers: Callable[[], Iterable[str]]
) -> tuple[LlavaForConditionalGeneration, LlavaProcessor]:
    tok_dir = Path(config.tokenizer.path)
    if (tok_dir / "tokenizer.json").is_file():
        tokenizer = AutoTokenizer.from_pretrained(str(tok_dir))
    elif config.tokenizer.train_if_missing:
        tokenizer = train_and_save(
            itertools.chain(answers(), prompt_texts()), tok_dir, config.tokenizer.vocab_size
        )
    else:
        raise FileNotFoundError(
            f"{tok_dir}: no tokenizer (set model.tokenizer.train_if_missing or train one)"
        )
    vision = CLIPVisionConfig(
        **{**SCRATCH_VISION, "image_size": config.image_size, "patch_size": 16, **config.vision}
    )
    text = LlamaConfig(
        **{
            **SCRATCH_TEXT,
            **config.text,
            "vocab_size": len(tokenizer),
            "bos_token_id": tokenizer.bos_token_id,
            "eos_token_id": tokenizer.eos_token_id,
            "pad_token_id": tokenizer.pad_token_id,
        }
    )
    llava = _llava_config(config, vision, text, tokenizer)
    model = LlavaForConditionalGeneration(llava)
    if config.vision_init:
        # A tower from `pretrain-vision` (same recipe): strict, so a size mismatch is an error.
        tower = CLIPVisionModel.from_pretrained(config.vision_init, dtype=torch.float32)
        model.model.vision_tower.load_state_dict(tower.state_dict(), strict=True)
    processor = llava_processor(
        tokenizer,
        vision,
        clip_image_processor(vision.image_size),
        pad=True,
        select_strategy=config.vision_feature_select_strategy,
    )
    return model, processor


def compose(config: ModelConfig) -> tuple[LlavaForConditionalGeneration, LlavaProcessor]:
    """Vision tower and LM weights as published, a new projector; ``<image>`` and pad tokens added."""
    vision = CLIPVisionModel.from_pretrained(config.vision_model, dtype=torch.float32)
    lm = AutoModelForCausalLM.from_pretrained(config.language_model, dtype=torch.float32)
    tokenizer = load_llava_tokenizer(config.language_model)
    lm.resize_token_embeddings(padded_vocab_size(len(tokenizer)), mean_resizing=False)
    text = lm.config
    text.pad_token_id = tokenizer.pad_token_id
    llava = _llava_config(config, vision.config, text, tokenizer)
    with torch.device("meta"):
        model = LlavaForConditionalGeneration(llava)
    model.model.vision_tower = vision
    model.model.language_model = lm.model
    model.lm_head = lm.lm_head
    model.model.multi_modal_projector = LlavaMultiModalProjector(llava)
    base = CLIPImageProcessorPil.from_pretrained(config.vision_model)
    processor = llava_processor(
        tokenizer, vision.config, base, pad=True, select_strategy=config.vision_feature_select_strategy
    )
    return model, processor


def _llava_config(config: ModelConfig, vision, text, tokenizer: PreTrainedTokenizerBase) -> LlavaConfig:
    patches = (vision.image_size // vision.patch_size) ** 2
    return LlavaConfig(
        vision_config=vision,
        image_seq_length=patches if config.vision_feature_select_strategy == "default" else patches + 1,
        text_config=text,
        image_token_id=tokenizer.convert_tokens_to_ids(IMAGE),
        projector_hidden_act=config.projector_hidden_act,
        vision_feature_layer=config.vision_feature_layer,
        vision_feature_select_strategy=config.vision_feature_select_strategy,
    )


def set_trainable(model: LlavaForConditionalGeneration, modules: Iterable[str]) -> int:
    """Freeze everything but ``modules``; returns the number of trainable parameters."""
    wanted = set(modules)
    parts = {
        "vision": [model.model.vision_tower],
        "projector": [model.model.multi_modal_projector],
        "language_model": [model.model.language_model, model.lm_head],
    }
    for name, mods in parts.items():
        for mod in mods:
            mod.requires_grad_(name in wanted)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
