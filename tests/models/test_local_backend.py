"""LocalLlavaBackend on a tiny random LLaVA (CPU, fp32): candidates, streaming, cancellation, errors."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from core.models.base import (
    Backend,
    BackendError,
    GenerationCancelled,
    GenerationConfig,
    GenerationRequest,
    ImageInput,
)
from core.models.local import LocalLlavaBackend, Pass, sampling_plan
from core.models.prompt import follow_up, image_question

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def backend(tiny_llava: Path) -> LocalLlavaBackend:
    return LocalLlavaBackend(tiny_llava, device="cpu")


def request(image: ImageInput, **config) -> GenerationRequest:
    return GenerationRequest(image_question(image), GenerationConfig(**{"max_new_tokens": 24, **config}))


def test_implements_the_backend_protocol(backend: LocalLlavaBackend) -> None:
    assert isinstance(backend, Backend)
    assert backend.name == "local:model"
    assert backend.supports_chat is False


def test_sampling_plan_keeps_greedy_first() -> None:
    assert sampling_plan(GenerationConfig(n=1)) == [Pass(1, False)]
    assert sampling_plan(GenerationConfig(n=6), batch_size=4) == [
        Pass(1, False),
        Pass(4, True, 0.7),
        Pass(1, True, 0.7),
    ]
    assert sampling_plan(GenerationConfig(n=3, temperature=0.2)) == [Pass(3, True, 0.2)]
    with pytest.raises(BackendError):
        sampling_plan(GenerationConfig(n=0))


def test_greedy_is_deterministic_and_first_of_n(backend: LocalLlavaBackend, part_image: ImageInput) -> None:
    [greedy] = backend.generate(request(part_image))
    assert greedy
    again = backend.generate(request(part_image))
    assert again == [greedy]
    candidates = backend.generate(request(part_image, n=3, seed=5))
    assert len(candidates) == 3
    assert candidates[0] == greedy
    assert candidates[1:] != [greedy, greedy]  # sampled at 0.7 from a flat random model
    assert backend.generate(request(part_image, n=3, seed=5)) == candidates


def test_streaming_pieces_make_up_each_candidate(backend: LocalLlavaBackend, part_image: ImageInput) -> None:
    """Random models emit byte-fallback tokens and broken UTF-8: the hardest case for a streamer."""
    for seed in range(3):
        pieces: dict[int, list[str]] = {}

        def collect(i: int, piece: str, pieces: dict[int, list[str]] = pieces) -> None:
            pieces.setdefault(i, []).append(piece)

        replies = backend.generate(
            request(part_image, n=4, temperature=1.0, seed=seed, max_new_tokens=40), on_token=collect
        )
        assert sorted(pieces) == [i for i, reply in enumerate(replies) if reply]
        for i, reply in enumerate(replies):
            assert "".join(pieces.get(i, [])) == reply
        assert max(len(p) for p in pieces.values()) > 1


def test_cancellation_raises(backend: LocalLlavaBackend, part_image: ImageInput) -> None:
    cancel = threading.Event()
    seen: list[str] = []

    def stop_after_first_piece(_i: int, piece: str) -> None:
        seen.append(piece)
        cancel.set()

    with pytest.raises(GenerationCancelled):
        backend.generate(
            request(part_image, max_new_tokens=200), on_token=stop_after_first_piece, cancel=cancel
        )
    assert 1 <= len(seen) <= 3
    with pytest.raises(GenerationCancelled):
        backend.generate(request(part_image), cancel=cancel)  # already set: nothing runs


def test_follow_up_conversation_generates(backend: LocalLlavaBackend, part_image: ImageInput) -> None:
    conversation = follow_up(image_question(part_image), "solid = cq.Workplane().box(1, 1, 1)", "Taller.")
    replies = backend.generate(GenerationRequest(conversation, GenerationConfig(max_new_tokens=8)))
    assert len(replies) == 1


def test_missing_directory_names_it_and_the_fetch_commands(tmp_path: Path, part_image: ImageInput) -> None:
    missing = tmp_path / "cad-coder"
    with pytest.raises(BackendError) as info:
        LocalLlavaBackend(missing, device="cpu").generate(request(part_image))
    message = str(info.value)
    assert str(missing) in message
    assert "hf download CADCODER/CAD-Coder" in message
    assert f"cadcoder convert-llava {missing}-original {missing}" in message


def test_original_layout_directory_asks_for_conversion(tmp_path: Path, part_image: ImageInput) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llava_llama", "mm_vision_tower": "x"}))
    with pytest.raises(BackendError, match="convert-llava"):
        LocalLlavaBackend(tmp_path, device="cpu").generate(request(part_image))


def test_bad_settings_are_backend_errors(tiny_llava: Path) -> None:
    with pytest.raises(BackendError, match="quantization"):
        LocalLlavaBackend(tiny_llava, quantization="3bit")
    with pytest.raises(BackendError, match="dtype"):
        LocalLlavaBackend(tiny_llava, device="cpu", dtype="float8").load()


def test_prompt_is_tokenised_like_llava(backend: LocalLlavaBackend) -> None:
    """tokenizer_image_token: the text after <image> is tokenised on its own, so it starts with the
    word-boundary token a single HF processor call would not put there."""
    from core.models.llava_inputs import llava_input_ids

    loaded = backend.load()
    tok = loaded.tokenizer
    before, after = "A chat. USER: ", "\nGenerate the code. ASSISTANT:"
    ids = llava_input_ids(before + "<image>" + after, tok, loaded.image_token_id, loaded.tokens_per_image)
    head = tok(before).input_ids
    tail = tok(after).input_ids
    assert tail[0] == tok.bos_token_id
    assert ids == head + [loaded.image_token_id] * loaded.tokens_per_image + tail[1:]
    assert tok.convert_ids_to_tokens(tail[1]) == "▁"
    single_call = tok(before + "<image>" + after).input_ids
    assert single_call[len(head) + 1] != tail[1]
    assert loaded.tokens_per_image == (16 // 4) ** 2


def test_device_and_dtype_defaults() -> None:
    import torch

    from core.models.placement import resolve_device, resolve_dtype

    cpu = torch.device("cpu")
    assert resolve_dtype("auto", cpu) == torch.float32
    assert resolve_dtype("auto", cpu, "8bit") == torch.float16
    assert resolve_dtype("bf16", cpu) == torch.bfloat16
    if not torch.cuda.is_available():
        assert resolve_device("auto") == cpu
        with pytest.raises(BackendError, match="CUDA is not available"):
            resolve_device("cuda")


def test_cuda_defaults_to_half_precision_and_generates(tiny_llava: Path, part_image: ImageInput) -> None:
    import torch

    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU")
    backend = LocalLlavaBackend(tiny_llava, quantization="4bit")
    loaded = backend.load()
    assert loaded.device.type == "cuda"
    assert loaded.dtype == (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16)
    assert len(backend.generate(request(part_image, n=2, seed=0))) == 2


def test_prompt_longer_than_the_context_is_an_error(
    backend: LocalLlavaBackend, part_image: ImageInput
) -> None:
    long_question = "Generate the code. " * 300  # > 512 tokens, the tiny model's context
    too_long = GenerationRequest(
        image_question(part_image, long_question), GenerationConfig(max_new_tokens=4)
    )
    with pytest.raises(BackendError, match="context"):
        backend.generate(too_long)
