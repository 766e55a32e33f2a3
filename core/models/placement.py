"""Where a local model runs and in which precision (heavy: torch).

Defaults follow what each device does well: bf16 on CUDA where supported (the paper trained in bf16),
fp16 on older GPUs, fp32 on CPU (bf16 matmuls on most CPUs are slower than fp32 and less exact).
"""

from __future__ import annotations

import torch

from core.models.base import BackendError

DTYPES = {
    "float32": torch.float32,
    "fp32": torch.float32,
    "bfloat16": torch.bfloat16,
    "bf16": torch.bfloat16,
    "float16": torch.float16,
    "fp16": torch.float16,
}


def resolve_device(device: str) -> torch.device:
    """``auto`` -> the first CUDA device if there is one, else CPU; ``cuda`` without a GPU is an error."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise BackendError(
            f"device {device!r} requested but CUDA is not available (torch {torch.__version__})"
        )
    if resolved.type not in ("cpu", "cuda"):
        raise BackendError(f"device {device!r} is not supported; use auto, cpu, cuda or cuda:N")
    return resolved


def resolve_dtype(
    dtype: str | torch.dtype, device: torch.device, quantization: str | None = None
) -> torch.dtype:
    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype == "auto":
        if quantization == "8bit":
            # LLM.int8 computes in fp16 and casts anything else once per matmul, warning each time.
            return torch.float16
        if device.type == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32
    if dtype not in DTYPES:
        raise BackendError(f"dtype {dtype!r} is not one of auto, {', '.join(DTYPES)}")
    return DTYPES[dtype]
