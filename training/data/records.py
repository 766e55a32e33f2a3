"""One training example, whatever file format it came from: an image reference and its turns.

Sources index lazily (an image is read only when the example is batched), so a 150k-sample
GenCAD-Code file or a folder of shards costs a few megabytes of memory to open.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image


@dataclass(frozen=True)
class ImageRef:
    """Bytes ``[offset, offset + size)`` of a file (``size = -1``: to the end), or inline bytes."""

    path: str = ""
    offset: int = 0
    size: int = -1
    data: bytes | None = None
    # Shown to the model as inference shows it (core.render.model_view): a user's FreeCAD snapshot
    # is redrawn in the training look at inference, so a fine-tune on it must see the same picture.
    redraw: bool = False

    def read_bytes(self) -> bytes:
        if self.data is not None:
            return self.data
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            return fh.read(self.size) if self.size >= 0 else fh.read()

    def open(self) -> Image.Image:
        if self.redraw:
            return _redrawn(self).copy()
        return Image.open(io.BytesIO(self.read_bytes())).convert("RGB")


@functools.lru_cache(maxsize=64)
def _redrawn(ref: ImageRef) -> Image.Image:
    """A redraw costs ~0.1-0.2 s and a kept picture comes back every epoch (``repeat: 32``)."""
    from core.render.model_view import model_view

    return model_view(Image.open(io.BytesIO(ref.read_bytes())).convert("RGB"))


@dataclass(frozen=True)
class Turn:
    """A user question (without the ``<image>`` marker) and the assistant's answer."""

    question: str
    answer: str


@dataclass(frozen=True)
class Example:
    id: str
    image: ImageRef
    turns: tuple[Turn, ...]
    # The part's bounding-box size along the program's axes, where the source knows it (our data
    # engine records it): the target of the auxiliary extents loss. None for other sources.
    extents: tuple[float, float, float] | None = None

    @property
    def answer_text(self) -> str:
        return "\n".join(t.answer for t in self.turns)


class ExampleSource(Protocol):
    """A map-style collection of examples (``len`` and indexing), cheap to open."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> Example: ...

    def conversation(self, index: int) -> tuple[Turn, ...]:
        """The turns of example ``index`` without touching its image (for length filtering)."""
        ...


@dataclass(frozen=True)
class LoadReport:
    """What a loader kept and what it dropped, by reason (over-long, no image, malformed...)."""

    source: str
    kept: int
    dropped: dict[str, int]

    def line(self) -> str:
        drops = ", ".join(f"{k}: {v}" for k, v in sorted(self.dropped.items())) or "none"
        return f"{self.source}: kept {self.kept}, dropped {sum(self.dropped.values())} ({drops})"


def resolve(folder: Path, name: str) -> Path:
    return Path(name) if Path(name).is_absolute() else folder / name
