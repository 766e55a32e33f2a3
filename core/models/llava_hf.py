"""What a LLaVA-1.5 checkpoint in Hugging Face layout holds besides its weights (heavy: transformers).

The converter and the tiny-model builder both write these pieces, so every checkpoint the local
backend loads has the same tokenizer tokens, processor settings and chat template, whichever way it
was made.
"""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoTokenizer, CLIPVisionConfig, LlavaProcessor, PreTrainedTokenizerBase
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil
from transformers.models.llava.image_processing_pil_llava import LlavaImageProcessorPil

from core.models.prompt import IMAGE_TOKEN, VICUNA_V1_CHAT_TEMPLATE

PAD_TOKEN = "<pad>"
# transformers keeps named model-specific tokens (``tokenizer.image_token``) from this mapping and
# adds the ones missing from the vocabulary after it, so ``<image>`` gets the first free id.
IMAGE_TOKEN_KWARGS = {"extra_special_tokens": {"image_token": IMAGE_TOKEN}}
# transformers' conversion script pads the vocabulary to a multiple of 64 for fast matmuls.
VOCAB_MULTIPLE = 64


def load_llava_tokenizer(src: str | Path) -> PreTrainedTokenizerBase:
    """The LM's tokenizer with ``<image>`` (and ``<pad>`` where it has none of its own) appended."""
    tokenizer = AutoTokenizer.from_pretrained(str(src), **IMAGE_TOKEN_KWARGS)
    return with_pad_token(tokenizer)


def with_pad_token(tokenizer: PreTrainedTokenizerBase) -> PreTrainedTokenizerBase:
    """LLaVA trained with pad = unk; a dedicated ``<pad>`` keeps padding distinguishable, as in the script."""
    if tokenizer.pad_token is None or tokenizer.pad_token in (tokenizer.unk_token, tokenizer.eos_token):
        tokenizer.add_special_tokens({"pad_token": PAD_TOKEN})
    return tokenizer


def padded_vocab_size(n_tokens: int, multiple: int = VOCAB_MULTIPLE) -> int:
    return -(-n_tokens // multiple) * multiple


def clip_image_processor(image_size: int) -> CLIPImageProcessorPil:
    """CLIP's own pre-processing (shortest edge, centre crop, OpenAI mean/std) at ``image_size``."""
    return CLIPImageProcessorPil(
        size={"shortest_edge": image_size}, crop_size={"height": image_size, "width": image_size}
    )


def llava_image_processor(base: CLIPImageProcessorPil, *, pad: bool) -> LlavaImageProcessorPil:
    """The vision tower's CLIP settings plus ``do_pad`` (LLaVA's ``image_aspect_ratio: pad``)."""
    return LlavaImageProcessorPil(
        size=dict(base.size),
        crop_size=dict(base.crop_size),
        image_mean=list(base.image_mean),
        image_std=list(base.image_std),
        resample=base.resample,
        do_pad=pad,
    )


def llava_processor(
    tokenizer: PreTrainedTokenizerBase,
    vision: CLIPVisionConfig,
    base: CLIPImageProcessorPil,
    *,
    pad: bool,
    select_strategy: str = "default",
) -> LlavaProcessor:
    return LlavaProcessor(
        image_processor=llava_image_processor(base, pad=pad),
        tokenizer=tokenizer,
        patch_size=vision.patch_size,
        vision_feature_select_strategy=select_strategy,
        # CLIP's CLS token: counted by the processor, dropped again by the "default" strategy.
        num_additional_image_tokens=1,
        chat_template=VICUNA_V1_CHAT_TEMPLATE,
    )


def image_token_count(vision: CLIPVisionConfig, select_strategy: str) -> int:
    """Features per image LLaVA splices in: one per patch, plus CLS unless "default" drops it."""
    patches = (vision.image_size // vision.patch_size) ** 2
    return patches if select_strategy == "default" else patches + 1


def mean_rows(matrix: torch.Tensor, rows: int) -> torch.Tensor:
    """``matrix`` grown to ``rows`` rows, new rows set to the mean of the old ones.

    transformers' script samples them from N(mean, 1e-5 * covariance); the mean itself is that
    distribution's centre, needs no d x d covariance (5120^2 for 13B), and is deterministic.
    """
    grown = torch.empty((rows, *matrix.shape[1:]), dtype=matrix.dtype)
    grown[: matrix.shape[0]] = matrix
    grown[matrix.shape[0] :] = matrix.float().mean(dim=0).to(matrix.dtype)
    return grown
