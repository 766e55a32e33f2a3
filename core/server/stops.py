"""``stop`` sequences, applied by the server because the model backends know only token ids.

Streaming cannot send a piece that might be the start of a stop sequence until the next piece
shows whether it is; :class:`StopFilter` holds back exactly that suffix, so a client sees the same
text streamed or not.
"""

from __future__ import annotations


def truncate_at_stop(text: str, stops: tuple[str, ...]) -> tuple[str, bool]:
    """The text before the earliest stop sequence, and whether one was found."""
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
    return (text, False) if cut < 0 else (text[:cut], True)


class StopFilter:
    """Per-candidate stream filter: ``feed`` returns what is safe to send now."""

    def __init__(self, stops: tuple[str, ...]) -> None:
        self.stops = stops
        self.stopped = False
        self._held = ""

    def feed(self, piece: str) -> str:
        if self.stopped:
            return ""
        text, self.stopped = truncate_at_stop(self._held + piece, self.stops)
        if self.stopped:
            self._held = ""
            return text
        keep = max((_overlap(text, s) for s in self.stops), default=0)
        self._held = text[len(text) - keep :] if keep else ""
        return text[: len(text) - keep]

    def flush(self) -> str:
        """The held-back tail once generation ended without a stop sequence."""
        held, self._held = self._held, ""
        return held


def _overlap(text: str, stop: str) -> int:
    """Length of the longest end of ``text`` that begins ``stop`` (shorter than ``stop``)."""
    for size in range(min(len(text), len(stop) - 1), 0, -1):
        if stop.startswith(text[-size:]):
            return size
    return 0
