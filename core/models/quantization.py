"""bitsandbytes 8-bit (LLM.int8) and 4-bit (NF4) loading of the language model (heavy).

Only the Llama decoder is quantised, as LLaVA's own ``load_8bit``/``load_4bit`` did: the CLIP tower
and the projector are small and feed every image token, and ``lm_head`` decides each token, so they
keep the model's dtype. bitsandbytes >= 0.45 also runs these layers on CPU.

On CPU, bitsandbytes repacks each 4-bit weight for its AVX-512 kernel on the first forward pass, and
that repacking only handles layers whose output width is a multiple of 32 and whose input width is a
multiple of the quantisation block (64): anything else fails mid-generation with a reshape error.
Such layers are kept in full precision, and the loader says which.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

import torch
from transformers import AutoConfig, BitsAndBytesConfig, LlavaForConditionalGeneration

from core.models.base import BackendError

Quantization = Literal["8bit", "4bit"]
QUANTIZATIONS: tuple[str, ...] = ("8bit", "4bit")
# transformers matches these from the start of the module path (then as regex, then as suffix).
KEEP_UNQUANTIZED = ["model.vision_tower", "model.multi_modal_projector", "lm_head"]
# bitsandbytes' NF4 block size (its default; transformers does not expose it) and its CPU packing tile.
NF4_BLOCKSIZE = 64
CPU_PACK_ROWS = 32

log = logging.getLogger(__name__)


def cpu_packable(in_features: int, out_features: int) -> bool:
    """Whether bitsandbytes' CPU 4-bit kernel can repack a Linear of this shape."""
    return in_features % NF4_BLOCKSIZE == 0 and out_features % CPU_PACK_ROWS == 0


def unpackable_linears(model_dir: Path) -> list[str]:
    """Decoder Linear layers that 4-bit on CPU must leave unquantised (built on the meta device:
    shapes only, no memory, no weights read)."""
    config = AutoConfig.from_pretrained(str(model_dir), local_files_only=True)
    with torch.device("meta"):
        model = LlavaForConditionalGeneration(config)
    return [
        name
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear)
        and not any(name.startswith(kept) for kept in KEEP_UNQUANTIZED)
        and not cpu_packable(module.in_features, module.out_features)
    ]


def bnb_config(
    quantization: str | None,
    compute_dtype: torch.dtype,
    *,
    model_dir: Path | None = None,
    device: torch.device | None = None,
) -> BitsAndBytesConfig | None:
    """The quantisation config for ``from_pretrained``; for 4-bit on CPU (``model_dir`` and
    ``device`` given) the layers the CPU kernel cannot pack are added to the skip list."""
    if quantization is None:
        return None
    if quantization == "8bit":
        return BitsAndBytesConfig(load_in_8bit=True, llm_int8_skip_modules=KEEP_UNQUANTIZED)
    if quantization == "4bit":
        skip = list(KEEP_UNQUANTIZED)
        if model_dir is not None and device is not None and device.type == "cpu":
            unpackable = unpackable_linears(model_dir)
            if unpackable:
                log.warning(
                    "4-bit on CPU: %d decoder layer(s) kept in full precision, their shapes are not "
                    "multiples of %d (inputs) and %d (outputs), which bitsandbytes' CPU kernel needs: %s",
                    len(unpackable),
                    NF4_BLOCKSIZE,
                    CPU_PACK_ROWS,
                    ", ".join(unpackable),
                )
            skip += unpackable
        return BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=compute_dtype,
            llm_int8_skip_modules=skip,
        )
    raise BackendError(f"quantization {quantization!r} is not one of None, {', '.join(QUANTIZATIONS)}")
