"""bitsandbytes 8-bit and 4-bit NF4 on CPU: the decoder's Linear layers become bnb layers and the
model still generates; the vision tower, projector and lm_head stay full precision."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from core.models.base import GenerationConfig, GenerationRequest, ImageInput
from core.models.local import LocalLlavaBackend
from core.models.prompt import image_question

pytestmark = pytest.mark.timeout(180)

BNB_LAYERS = {"8bit": ("Linear8bitLt", torch.int8), "4bit": ("Linear4bit", torch.uint8)}


@pytest.mark.parametrize("quantization", ["8bit", "4bit"])
def test_quantized_tiny_model_loads_and_generates(
    tiny_llava: Path, part_image: ImageInput, quantization: str
) -> None:
    import bitsandbytes as bnb

    backend = LocalLlavaBackend(tiny_llava, device="cpu", quantization=quantization)
    loaded = backend.load()
    model = loaded.model
    layer_name, storage = BNB_LAYERS[quantization]
    decoder_linears = [m for m in model.model.language_model.modules() if isinstance(m, torch.nn.Linear)]
    assert decoder_linears
    assert {type(m).__name__ for m in decoder_linears} == {layer_name}
    assert all(isinstance(m, (bnb.nn.Linear8bitLt, bnb.nn.Linear4bit)) for m in decoder_linears)
    assert {m.weight.dtype for m in decoder_linears} == {storage}
    kept = [model.lm_head, model.model.multi_modal_projector.linear_1, *model.model.vision_tower.modules()]
    assert all(type(m) is torch.nn.Linear for m in kept if isinstance(m, torch.nn.Linear))
    assert model.lm_head.weight.dtype == loaded.dtype

    request = GenerationRequest(image_question(part_image), GenerationConfig(n=2, max_new_tokens=12, seed=0))
    replies = backend.generate(request)
    assert len(replies) == 2
    assert all(isinstance(r, str) for r in replies)
    assert any(replies)
    assert backend.generate(request) == replies


def test_eight_bit_defaults_to_fp16_compute(tiny_llava: Path) -> None:
    """LLM.int8 computes in fp16; any other dtype is cast (with a warning) on every matmul."""
    assert LocalLlavaBackend(tiny_llava, device="cpu", quantization="8bit").load().dtype == torch.float16
    assert LocalLlavaBackend(tiny_llava, device="cpu", quantization="4bit").load().dtype == torch.float32
