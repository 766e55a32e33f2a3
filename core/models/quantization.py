"""bitsandbytes 8-bit (LLM.int8) and 4-bit (NF4) loading of the language model (heavy).

Only the Llama decoder is quantised, as LLaVA's own ``load_8bit``/``load_4bit`` did: the CLIP tower
and the projector are small and feed every image token, and ``lm_head`` decides each token, so they
keep the model's dtype. bitsandbytes >= 0.45 also runs these layers on CPU.
"""

from __future__ import annotations

from typing import Literal

import torch
from transformers import BitsAndBytesConfig

from core.models.base import BackendError

Quantization = Literal["8bit", "4bit"]
QUANTIZATIONS: tuple[str, ...] = ("8bit", "4bit")
# transformers matches these from the start of the module path (then as regex, then as suffix).
KEEP_UNQUANTIZED = ["model.vision_tower", "model.multi_modal_projector", "lm_head"]


def bnb_config(quantization: str | None, compute_dtype: torch.dtype) -> BitsAndBytesConfig | None:
    if quantization is None:
        return None
    if quantization == "8bit":
        return BitsAndBytesConfig(load_in_8bit=True, llm_int8_skip_modules=KEEP_UNQUANTIZED)
    if quantization == "4bit":
        return BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=compute_dtype,
            llm_int8_skip_modules=KEEP_UNQUANTIZED,
        )
    raise BackendError(f"quantization {quantization!r} is not one of None, {', '.join(QUANTIZATIONS)}")
