"""Model inputs for a LLaVA-1.5 prompt, tokenised the way LLaVA tokenised its training data (heavy).

LLaVA's ``tokenizer_image_token`` splits the prompt at ``<image>`` and tokenises every chunk on its
own, dropping the BOS each later chunk gets. With Llama's SentencePiece model the text after the
image therefore starts with a word-boundary token (``"\\nGenerate"`` -> ``▁ <0x0A> Gener ...``), which
a single-pass HF processor call does not produce unless the tokenizer is in legacy mode. CAD-Coder
saw the chunked form in every training sample, so the backend builds ``input_ids`` the same way and
uses the HF processor only for pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from PIL import Image
from transformers import PreTrainedTokenizerBase

from core.models.prompt import IMAGE_TOKEN


def llava_input_ids(
    prompt: str, tokenizer: PreTrainedTokenizerBase, image_token_id: int, tokens_per_image: int
) -> list[int]:
    """``tokenizer_image_token`` with each ``<image>`` expanded to the model's feature count."""
    ids: list[int] = []
    for i, chunk in enumerate(prompt.split(IMAGE_TOKEN)):
        piece = tokenizer(chunk).input_ids
        if i > 0:
            ids.extend([image_token_id] * tokens_per_image)
            if piece and piece[0] == tokenizer.bos_token_id:
                piece = piece[1:]
        ids.extend(piece)
    return ids


def pixel_values(image_processor, images: Sequence[Image.Image]) -> torch.Tensor | None:
    if not images:
        return None
    return image_processor(images=list(images), return_tensors="pt")["pixel_values"]
