"""Tiny random LLaVA checkpoints built once per session (no hub download, seconds on CPU)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from PIL import Image

from core.models.base import ImageInput


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Hidden size 32 makes every op tiny: on the shared 2-core CI machine, OpenMP threads waiting
    for each other made a forward pass 20x slower (100 ms vs 5 ms). Restored after each module."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="session")
def tiny_llava(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from core.models.tiny import build_tiny_llava

    return build_tiny_llava(tmp_path_factory.mktemp("tiny-llava") / "model")


@pytest.fixture(scope="session")
def part_image() -> ImageInput:
    """A wide picture (grey part on white), so pad-to-square matters."""
    picture = Image.new("RGB", (48, 32), (255, 255, 255))
    picture.paste((128, 128, 128), (10, 8, 38, 24))
    buf = io.BytesIO()
    picture.save(buf, "PNG")
    return ImageInput(buf.getvalue())
