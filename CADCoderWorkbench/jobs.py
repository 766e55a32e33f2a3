"""Running a job off FreeCAD's GUI thread: a ``QObject`` worker on a ``QThread``.

The worker calls ``fn(context)`` on its thread and reports through signals; ``Job`` lives on the GUI
thread, so Qt queues those signals to it and every callback (which may touch the document) runs
on the GUI thread. Cancel sets the context's flag; the job function decides how to stop (kill its
process, skip the next step) and the ``cancelled`` callback follows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide import QtCore

from CADCoderWorkbench.job_context import JobCancelled, JobContext

# Jobs whose thread may still run: a panel closed mid-job must not free a running QThread.
_running: set[Job] = set()
_SHUTDOWN_WAIT_MS = 5000
_quit_hooked = False


def stop_all() -> None:
    """Cancel every running job and give it a moment to end (FreeCAD is quitting: a QThread
    destroyed while it runs aborts the process)."""
    for job in list(_running):
        job.cancel()
    for job in list(_running):
        job.wait(_SHUTDOWN_WAIT_MS)


def _stop_all_when_quitting() -> None:
    global _quit_hooked
    app = QtCore.QCoreApplication.instance()
    if app is not None and not _quit_hooked:
        app.aboutToQuit.connect(stop_all)
        _quit_hooked = True


class _Worker(QtCore.QObject):
    progress = QtCore.Signal(str)
    text = QtCore.Signal(str)
    payload = QtCore.Signal(object)  # not "event": that would shadow QObject.event()
    finished = QtCore.Signal(object)
    failed = QtCore.Signal(str)
    cancelled = QtCore.Signal()

    def __init__(self, fn: Callable[[JobContext], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.context = JobContext(self.progress.emit, self.text.emit, self.payload.emit)

    @QtCore.Slot()
    def run(self) -> None:
        try:
            result = self.fn(self.context)
        except JobCancelled:
            self.cancelled.emit()
        except Exception as exc:  # reported to the panel; a job must never die silently
            self.failed.emit(str(exc) or type(exc).__name__)
        else:
            if self.context.cancelled:
                self.cancelled.emit()
            else:
                self.finished.emit(result)


class Job(QtCore.QObject):
    """Start with ``start()``; callbacks run on the GUI thread; ``running`` until one of
    finished/failed/cancelled has been delivered."""

    def __init__(
        self,
        fn: Callable[[JobContext], Any],
        *,
        on_finished: Callable[[Any], None],
        on_failed: Callable[[str], None],
        on_cancelled: Callable[[], None] | None = None,
        on_progress: Callable[[str], None] | None = None,
        on_text: Callable[[str], None] | None = None,
        on_event: Callable[[dict], None] | None = None,
    ) -> None:
        super().__init__()
        self._callbacks = {
            "finished": on_finished,
            "failed": on_failed,
            "cancelled": on_cancelled,
            "progress": on_progress,
            "text": on_text,
            "event": on_event,
        }
        self.running = False
        self._thread = QtCore.QThread()
        self._worker = _Worker(fn)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progress.connect(self._progress)
        self._worker.text.connect(self._text)
        self._worker.payload.connect(self._event)
        self._worker.finished.connect(self._finished)
        self._worker.failed.connect(self._failed)
        self._worker.cancelled.connect(self._cancelled)

    def start(self) -> Job:
        _stop_all_when_quitting()
        self.running = True
        _running.add(self)
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._worker.context.cancel()

    def wait(self, milliseconds: int) -> bool:
        """Block until the thread has ended (shutdown and tests; the GUI never waits)."""
        return self._thread.wait(milliseconds)

    @QtCore.Slot(str)
    def _progress(self, message: str) -> None:
        self._call("progress", message)

    @QtCore.Slot(str)
    def _text(self, piece: str) -> None:
        self._call("text", piece)

    @QtCore.Slot(object)
    def _event(self, payload: dict) -> None:
        self._call("event", payload)

    @QtCore.Slot(object)
    def _finished(self, result: Any) -> None:
        self._end("finished", result)

    @QtCore.Slot(str)
    def _failed(self, message: str) -> None:
        self._end("failed", message)

    @QtCore.Slot()
    def _cancelled(self) -> None:
        self._end("cancelled")

    def _end(self, name: str, *args: Any) -> None:
        self._thread.quit()
        self._thread.wait(5000)
        self.running = False
        _running.discard(self)
        self._call(name, *args)

    def _call(self, name: str, *args: Any) -> None:
        callback = self._callbacks[name]
        if callback is not None:
            callback(*args)
