"""Cancelling a blocked HTTP read (light: standard library only).

A 13B model on a busy GPU can take minutes before the first byte of a non-streamed reply, and a
stalled stream blocks inside ``recv``; checking a flag between lines would never run. A small
watcher thread shuts the socket down when the caller's event is set, which makes the blocked read
return at once; the client then reports the cancellation instead of a broken connection.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from types import TracebackType

POLL_SECONDS = 0.05


class CancelWatch:
    """``with CancelWatch(cancel) as watch: watch.attach(connection); ...``; a no-op without an event."""

    def __init__(self, cancel: threading.Event | None) -> None:
        self.cancel = cancel
        self._connection: http.client.HTTPConnection | None = None
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def attach(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            self._connection = connection
        if self.cancelled:
            self._shutdown()

    def __enter__(self) -> CancelWatch:
        if self.cancel is not None:
            self._thread = threading.Thread(target=self._watch, name="cadcoder-cancel-watch", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()

    def _watch(self) -> None:
        assert self.cancel is not None
        while not self._done.is_set():
            if self.cancel.wait(POLL_SECONDS):
                self._shutdown()
                return

    def _shutdown(self) -> None:
        with self._lock:
            sock = self._connection.sock if self._connection is not None else None
        if sock is None:
            return
        with contextlib.suppress(OSError):  # already closed by the reader: nothing to interrupt
            sock.shutdown(socket.SHUT_RDWR)

    def sleep(self, seconds: float) -> None:
        """A retry's back-off that ends early when the caller cancels."""
        if self.cancel is None:
            time.sleep(seconds)
        else:
            self.cancel.wait(seconds)
