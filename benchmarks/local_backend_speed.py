"""Decoding speed of the local LLaVA backend: new tokens per second, fp / 8-bit / 4-bit NF4.

    .venv/bin/python benchmarks/local_backend_speed.py [--model DIR] [--device cpu|cuda] [--tokens 64]

Without ``--model`` it builds the tiny random test model (hidden 32), which measures the per-token
overhead of the loop (Python, generate(), streaming) rather than arithmetic; pass a converted
CAD-Coder folder on a GPU for real figures. Every run decodes exactly ``--tokens`` tokens greedily
(``min_new_tokens``) after the CAD-Coder prompt with one benchmark image, streaming included, and
prints one JSON line per precision.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from core.models.base import ImageInput
from core.models.generation_hooks import CandidateStreamer
from core.models.images import prepare_image
from core.models.llava_inputs import llava_input_ids, pixel_values
from core.models.local import LocalLlavaBackend
from core.models.prompt import image_question, render_prompt
from core.paths import benchmark_dir


def inputs_for(loaded, image: ImageInput) -> dict[str, torch.Tensor]:
    prompt = render_prompt(image_question(image))
    ids = llava_input_ids(prompt, loaded.tokenizer, loaded.image_token_id, loaded.tokens_per_image)
    pixels = pixel_values(loaded.image_processor, [prepare_image(image, loaded.image_mean)])
    return {
        "input_ids": torch.tensor([ids], device=loaded.device),
        "pixel_values": pixels.to(loaded.device, loaded.dtype),
    }


def measure(
    model_dir: Path, device: str, quantization: str | None, tokens: int, repeats: int, image: ImageInput
) -> dict:
    start = time.perf_counter()
    loaded = LocalLlavaBackend(model_dir, device=device, quantization=quantization).load()
    load_s = time.perf_counter() - start
    inputs = inputs_for(loaded, image)
    rates = []
    for _ in range(repeats + 1):  # the first run warms up kernels and lazy imports
        streamer = CandidateStreamer(loaded.tokenizer, 1, lambda _i, _piece: None)
        if loaded.device.type == "cuda":
            torch.cuda.synchronize()
        begin = time.perf_counter()
        with torch.inference_mode():
            loaded.model.generate(
                **inputs, max_new_tokens=tokens, min_new_tokens=tokens, do_sample=False, streamer=streamer
            )
        if loaded.device.type == "cuda":
            torch.cuda.synchronize()
        rates.append(tokens / (time.perf_counter() - begin))
    return {
        "model": str(model_dir),
        "device": str(loaded.device),
        "dtype": str(loaded.dtype).removeprefix("torch."),
        "quantization": quantization or "none",
        "prompt_tokens": int(inputs["input_ids"].shape[1]),
        "new_tokens": tokens,
        "load_s": round(load_s, 2),
        "tokens_per_s_median": round(sorted(rates[1:])[len(rates[1:]) // 2], 1),
        "threads": torch.get_num_threads(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, help="HF-layout LLaVA folder (default: a tiny random one)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, help="torch CPU threads")
    parser.add_argument("--precisions", default="none,8bit,4bit")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    picture = sorted((benchmark_dir() / "images").glob("*.png"))[0]
    image = ImageInput(picture.read_bytes())
    with tempfile.TemporaryDirectory(prefix="local-backend-speed-") as tmp:
        model_dir = args.model
        if model_dir is None:
            from core.models.tiny import build_tiny_llava

            model_dir = build_tiny_llava(Path(tmp) / "tiny")
        for precision in args.precisions.split(","):
            quantization = None if precision == "none" else precision
            print(
                json.dumps(measure(model_dir, args.device, quantization, args.tokens, args.repeats, image)),
                flush=True,
            )


if __name__ == "__main__":
    main()
