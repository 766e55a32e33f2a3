"""bitsandbytes 8-bit and 4-bit NF4 on CPU: the decoder's Linear layers become bnb layers and the
model still generates; the vision tower, projector and lm_head stay full precision."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import torch

from core.models.base import GenerationConfig, GenerationRequest, ImageInput
from core.models.local import LocalLlavaBackend
from core.models.prompt import image_question

pytestmark = pytest.mark.timeout(180)

BNB_LAYERS = {"8bit": ("Linear8bitLt", torch.int8), "4bit": ("Linear4bit", torch.uint8)}


@pytest.fixture(scope="module")
def mixed_llava(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hidden size 64 with an MLP width of 37: the attention projections (64 -> 64) fit bitsandbytes'
    CPU 4-bit packing, the MLP (64 -> 37, 37 -> 64) does not, like a model with an odd MLP width."""
    from core.models.tiny import build_tiny_llava

    return build_tiny_llava(tmp_path_factory.mktemp("mixed-llava") / "model", hidden=64)


def test_packability_follows_bitsandbytes_cpu_kernel(mixed_llava: Path) -> None:
    from core.models.quantization import cpu_packable, unpackable_linears

    assert cpu_packable(64, 64) and cpu_packable(512, 192) and cpu_packable(192, 512)
    assert not cpu_packable(32, 64)  # input narrower than one block: the reported reshape error
    assert not cpu_packable(64, 37) and not cpu_packable(96, 64)
    names = unpackable_linears(mixed_llava)
    assert names and all(".mlp." in name for name in names)
    assert not any(name.startswith(("model.vision_tower", "lm_head")) for name in names)


@pytest.mark.parametrize("quantization", ["8bit", "4bit"])
def test_quantized_tiny_model_loads_and_generates(
    mixed_llava: Path, part_image: ImageInput, quantization: str, caplog: pytest.LogCaptureFixture
) -> None:
    import bitsandbytes as bnb

    caplog.set_level(logging.WARNING, logger="core.models.quantization")
    backend = LocalLlavaBackend(mixed_llava, device="cpu", quantization=quantization)
    loaded = backend.load()
    model = loaded.model
    layer_name, storage = BNB_LAYERS[quantization]
    decoder = dict(model.model.language_model.named_modules())
    decoder_linears = {n: m for n, m in decoder.items() if isinstance(m, torch.nn.Linear)}
    assert decoder_linears
    quantized = {
        n: m for n, m in decoder_linears.items() if isinstance(m, (bnb.nn.Linear8bitLt, bnb.nn.Linear4bit))
    }
    if quantization == "8bit":
        assert quantized.keys() == decoder_linears.keys()
    else:
        # 4-bit on CPU: attention packs, the odd-width MLP stays full precision and the log names it.
        assert quantized and all(".self_attn." in n for n in quantized)
        full = {n: m for n, m in decoder_linears.items() if n not in quantized}
        assert full and all(type(m) is torch.nn.Linear and ".mlp." in n for n, m in full.items())
        assert "kept in full precision" in caplog.text and "mlp.down_proj" in caplog.text
    assert {type(m).__name__ for m in quantized.values()} == {layer_name}
    assert {m.weight.dtype for m in quantized.values()} == {storage}
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
