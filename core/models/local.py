"""CAD-Coder (or any LLaVA-1.5 checkpoint in HF layout) running in this process, on CPU or CUDA.

Candidates: with ``temperature == 0`` (the paper's greedy setting) candidate 0 is the greedy reply
and, when ``n > 1``, the others are sampled at ``extra_temperature`` (0.7): n identical greedy
copies would be useless, and keeping the greedy one first means "take the first candidate that
runs" never does worse than the paper. With ``temperature > 0`` all n are sampled. Sampled
candidates run as one batch (``num_return_sequences``, at most ``batch_size`` rows at a time).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import torch

from core.models.base import (
    BackendError,
    BackendInputError,
    GenerationCancelled,
    GenerationConfig,
    GenerationRequest,
    TokenCallback,
)
from core.models.generation_hooks import CancelCriteria, CandidateStreamer
from core.models.images import prepare_image
from core.models.llava_inputs import llava_input_ids, pixel_values
from core.models.loading import LoadedLlava, load_llava
from core.models.prompt import render_prompt
from core.models.quantization import QUANTIZATIONS

EXTRA_TEMPERATURE = 0.7
# transformers 4.x's default, which LLaVA's evaluation script (and so the paper) sampled with.
TOP_K = 50


@dataclass(frozen=True)
class Pass:
    """One ``generate`` call: ``count`` rows, greedy or sampled at ``temperature``."""

    count: int
    sample: bool
    temperature: float = 1.0


def sampling_plan(
    config: GenerationConfig, extra_temperature: float = EXTRA_TEMPERATURE, batch_size: int = 4
) -> list[Pass]:
    if config.n < 1:
        raise BackendError(f"n must be at least 1, got {config.n}")
    if config.temperature < 0:
        raise BackendError(f"temperature must be >= 0, got {config.temperature}")
    if config.temperature == 0:
        passes, sampled, temperature = [Pass(1, False)], config.n - 1, extra_temperature
    else:
        passes, sampled, temperature = [], config.n, config.temperature
    while sampled > 0:
        count = min(sampled, batch_size)
        passes.append(Pass(count, True, temperature))
        sampled -= count
    return passes


class LocalLlavaBackend:
    """:class:`core.models.base.Backend` over ``LlavaForConditionalGeneration`` from ``model_dir``."""

    def __init__(
        self,
        model_dir: str | Path,
        *,
        device: str = "auto",
        dtype: str | torch.dtype = "auto",
        quantization: str | None = None,
        batch_size: int = 4,
        extra_temperature: float = EXTRA_TEMPERATURE,
        supports_chat: bool = False,
        name: str | None = None,
        redraw: bool = True,
    ) -> None:
        if quantization is not None and quantization not in QUANTIZATIONS:
            raise BackendError(
                f"quantization {quantization!r} is not one of None, {', '.join(QUANTIZATIONS)}"
            )
        if batch_size < 1:
            raise BackendError(f"batch_size must be at least 1, got {batch_size}")
        self.model_dir = Path(model_dir)
        self.device = device
        self.dtype = dtype
        self.quantization = quantization
        self.batch_size = batch_size
        self.extra_temperature = extra_temperature
        # CAD-Coder's full fine-tune follows free-form edit instructions poorly (the paper's known
        # limitations); pass True for general LLaVA checkpoints.
        self.supports_chat = supports_chat
        self.name = name or f"local:{self.model_dir.name}"
        # Models trained on GenCAD-Code-style renders see any other picture redrawn in that style
        # (core.render.model_view); False hands the picture over as given (a model trained on photos).
        self.redraw = redraw

    def load(self) -> LoadedLlava:
        """Load now (cached per folder, device, dtype and quantization) instead of on first use."""
        return load_llava(
            self.model_dir, device=self.device, dtype=self.dtype, quantization=self.quantization
        )

    def generate(
        self,
        request: GenerationRequest,
        *,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> list[str]:
        loaded = self.load()
        inputs = self._inputs(loaded, request)
        replies: list[str] = []
        with loaded.lock:
            for step in sampling_plan(request.config, self.extra_temperature, self.batch_size):
                if cancel is not None and cancel.is_set():
                    raise GenerationCancelled("generation cancelled before it started")
                replies += self._run(loaded, inputs, step, request.config, len(replies), on_token, cancel)
        return replies

    def _inputs(self, loaded: LoadedLlava, request: GenerationRequest) -> dict[str, torch.Tensor]:
        try:
            prompt = render_prompt(request.messages)
        except ValueError as exc:
            raise BackendError(f"malformed conversation: {exc}") from exc
        images = [
            prepare_image(image, loaded.image_mean, redraw=self.redraw)
            for m in request.messages
            for image in m.images
        ]
        ids = llava_input_ids(prompt, loaded.tokenizer, loaded.image_token_id, loaded.tokens_per_image)
        inputs = {
            "input_ids": torch.tensor([ids], device=loaded.device),
            "attention_mask": torch.ones((1, len(ids)), dtype=torch.long, device=loaded.device),
        }
        pixels = pixel_values(loaded.image_processor, images)
        if pixels is not None:
            inputs["pixel_values"] = pixels.to(loaded.device, loaded.dtype)
        return inputs

    def _run(
        self,
        loaded: LoadedLlava,
        inputs: dict[str, torch.Tensor],
        step: Pass,
        config: GenerationConfig,
        first_index: int,
        on_token: TokenCallback | None,
        cancel: threading.Event | None,
    ) -> list[str]:
        tokenizer = loaded.tokenizer
        stop_ids = _stop_ids(loaded)
        prompt_length = inputs["input_ids"].shape[1]
        kwargs: dict[str, object] = {
            "max_new_tokens": _token_budget(loaded, prompt_length, config.max_new_tokens),
            "do_sample": step.sample,
            "num_return_sequences": step.count,
            "pad_token_id": tokenizer.pad_token_id,
            "eos_token_id": sorted(stop_ids),
        }
        if step.sample:
            kwargs.update(temperature=step.temperature, top_p=config.top_p, top_k=TOP_K)
        else:
            kwargs.update(temperature=None, top_p=None, top_k=None)
        if on_token is not None:
            kwargs["streamer"] = CandidateStreamer(
                tokenizer, step.count, on_token, first_index=first_index, stop_ids=stop_ids
            )
        if cancel is not None:
            kwargs["stopping_criteria"] = [CancelCriteria(cancel)]
        devices = [loaded.device] if loaded.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices), torch.inference_mode():
            if config.seed is not None:
                torch.manual_seed(config.seed + first_index)
            output = loaded.model.generate(**inputs, **kwargs)
        if cancel is not None and cancel.is_set():
            raise GenerationCancelled("generation cancelled")
        return [_decode(tokenizer, row[prompt_length:].tolist(), stop_ids) for row in output]


def _token_budget(loaded: LoadedLlava, prompt_length: int, wanted: int) -> int:
    """New tokens that fit the LM's context after the prompt and image (the paper: 4096 in all).

    A budget that reaches past the context is cut to what fits (the pipeline asks for the paper's
    3450 whatever the model); a prompt that leaves no room for one token is the caller's error."""
    context = loaded.model.config.text_config.max_position_embeddings
    if prompt_length + 1 > context:
        raise BackendInputError(
            f"the prompt takes {prompt_length} tokens (image included) and the model's context is "
            f"{context} tokens, which leaves no room for a reply; shorten the conversation",
            code="context_length_exceeded",
        )
    return min(wanted, context - prompt_length)


def _stop_ids(loaded: LoadedLlava) -> frozenset[int]:
    eos = loaded.model.generation_config.eos_token_id
    ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
    if loaded.tokenizer.eos_token_id is not None:
        ids.add(loaded.tokenizer.eos_token_id)
    return frozenset(ids)


def _decode(tokenizer, tokens: list[int], stop_ids: frozenset[int]) -> str:
    """The reply up to (not including) its first stop token; rows that stopped early are padded."""
    end = next((i for i, token in enumerate(tokens) if token in stop_ids), len(tokens))
    return tokenizer.decode(tokens[:end], skip_special_tokens=True)
