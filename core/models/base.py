"""The one small interface every model backend implements (light: standard library only).

The local LLaVA backend, the remote OpenAI-compatible client and the embedded default all answer
the same request, so the pipeline, the server and the workbench never care which one runs.
Images travel as encoded file bytes (PNG/JPEG) rather than PIL images so that FreeCAD's Python,
which may lack Pillow, can build requests for a remote endpoint.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]

# Called with (candidate index, new text piece) as tokens arrive.
TokenCallback = Callable[[int, str], None]


class BackendError(RuntimeError):
    """A backend could not produce text; the message says what to do next."""


class GenerationCancelled(BackendError):
    """The caller's cancel event was set before generation finished."""


class BackendInputError(BackendError):
    """The request itself is unusable for this model (e.g. the prompt exceeds its context), so
    retrying cannot help; servers answer it as a 400 with ``code`` instead of a 500."""

    def __init__(self, message: str, code: str = "invalid_input") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ImageInput:
    data: bytes
    mime: str = "image/png"


@dataclass(frozen=True)
class Message:
    role: Role
    text: str
    images: tuple[ImageInput, ...] = ()


@dataclass(frozen=True)
class GenerationConfig:
    n: int = 1
    temperature: float = 0.0  # 0 = greedy, the paper's setting
    max_new_tokens: int = 3450  # the paper's budget: prompt + image + answer = 4096
    top_p: float = 1.0
    seed: int | None = None


@dataclass(frozen=True)
class GenerationRequest:
    """A conversation (the last message is the user's) and how to sample the reply."""

    messages: tuple[Message, ...]
    config: GenerationConfig = field(default_factory=GenerationConfig)


@runtime_checkable
class Backend(Protocol):
    name: str
    # True when the backend follows free-form follow-up instructions (chat models, remote APIs);
    # the embedded CAD-only model does not, so the pipeline skips self-repair and model edits.
    supports_chat: bool

    def generate(
        self,
        request: GenerationRequest,
        *,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> list[str]:
        """Return ``request.config.n`` replies; raise :class:`BackendError` with a clear message."""
        ...
