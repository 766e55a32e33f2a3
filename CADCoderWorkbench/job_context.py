"""What a long job (generation, a sandbox run, parsing) sees of the world: report and be cancelled.

Jobs are plain functions ``fn(context) -> result`` so they run the same on a ``QThread`` in the GUI
(``jobs.py`` turns the callbacks into Qt signals) and on a plain thread or inline headless. A job
never touches a FreeCAD document: it returns data, and the GUI thread applies it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class JobCancelled(Exception):
    """Raised inside a job when the user pressed Cancel."""


def _ignore(_value: Any) -> None:
    return None


class JobContext:
    def __init__(
        self,
        on_progress: Callable[[str], None] = _ignore,
        on_text: Callable[[str], None] = _ignore,
        on_event: Callable[[dict], None] = _ignore,
    ) -> None:
        self._on_progress, self._on_text, self._on_event = on_progress, on_text, on_event
        self.cancel_event = threading.Event()

    def progress(self, message: str) -> None:
        """A one-line status ("Generating...", "Candidate 2: ok")."""
        self._on_progress(message)

    def text(self, piece: str) -> None:
        """Streamed output, e.g. the code as the model writes it."""
        self._on_text(piece)

    def event(self, payload: dict) -> None:
        """A structured event for callers that want more than text."""
        self._on_event(payload)

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def check(self) -> None:
        if self.cancel_event.is_set():
            raise JobCancelled("cancelled")
