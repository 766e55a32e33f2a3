"""Length-prefixed JSON frames over pipes: the only language client, zygote and job child share.

JSON rather than pickle because the job child runs hostile code: unpickling its bytes would hand
it code execution in the zygote. Every reader caps the frame size and can give up at a deadline.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import Any

_HEADER = struct.Struct(">Q")


class FrameError(RuntimeError):
    """The peer sent something that is not a frame, or went away mid-frame."""


class FrameTimeout(FrameError):
    """No complete frame before the deadline."""


class FrameTooLarge(FrameError):
    """The announced frame is larger than the reader accepts."""


def encode_frame(obj: dict[str, Any]) -> bytes:
    payload = json.dumps(obj, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return _HEADER.pack(len(payload)) + payload


def write_frame(fd: int, obj: dict[str, Any]) -> None:
    data = memoryview(encode_frame(obj))
    while data:
        written = os.write(fd, data)
        data = data[written:]


class FrameReader:
    """Incremental decoder: feed bytes as they arrive, take the frame when it is complete."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._buf = bytearray()
        self._size: int | None = None

    @property
    def started(self) -> bool:
        return bool(self._buf) or self._size is not None

    def wanted(self) -> int:
        """Bytes still missing for the current frame (a read size hint)."""
        if self._size is None:
            return _HEADER.size - len(self._buf)
        return self._size - len(self._buf)

    def feed(self, data: bytes) -> None:
        self._buf += data
        if self._size is None and len(self._buf) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buf)
            if size > self.max_bytes:
                raise FrameTooLarge(f"frame of {size} bytes exceeds the limit of {self.max_bytes}")
            self._size = size
            del self._buf[: _HEADER.size]
        if self._size is not None and len(self._buf) > self._size:
            raise FrameError("bytes after the end of a frame")

    def frame(self) -> dict[str, Any] | None:
        if self._size is None or len(self._buf) < self._size:
            return None
        try:
            obj = json.loads(bytes(self._buf))
        except ValueError as exc:
            raise FrameError(f"frame is not JSON: {exc}") from exc
        if not isinstance(obj, dict):
            raise FrameError("frame is not a JSON object")
        self._buf.clear()
        self._size = None
        return obj


def wait_readable(fd: int, timeout: float) -> bool:
    """``poll`` rather than ``select``: FreeCAD may hold more than FD_SETSIZE descriptors."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    return bool(poller.poll(max(0, int(timeout * 1000) + 1)))


def read_frame(fd: int, *, max_bytes: int, deadline: float | None = None) -> dict[str, Any] | None:
    """One frame from ``fd``; ``None`` on a clean end of file before any byte of a frame.

    ``deadline`` is a ``time.monotonic()`` value; :class:`FrameTimeout` when it passes first.
    """
    reader = FrameReader(max_bytes)
    while True:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not wait_readable(fd, remaining):
                raise FrameTimeout("no frame before the deadline")
        chunk = os.read(fd, min(max(reader.wanted(), 1), 1 << 20))
        if not chunk:
            if reader.started:
                raise FrameError("end of file inside a frame")
            return None
        reader.feed(chunk)
        frame = reader.frame()
        if frame is not None:
            return frame
