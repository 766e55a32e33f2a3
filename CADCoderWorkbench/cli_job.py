"""Running `cadcoder` from the project's .venv without blocking FreeCAD's GUI thread.

The model and CadQuery live in .venv; FreeCAD talks to them through the CLI's JSON output
(``image2cad --events``, ``run --json``). QProcess delivers output through signals on the GUI
thread, so only the GUI thread ever touches the document, and Cancel just kills the process.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide import QtCore

from CADCoderWorkbench.bootstrap import REPO_ROOT

CADCODER = REPO_ROOT / ".venv" / "bin" / "cadcoder"
SETUP_HINT = f"The CAD-Coder engine is not installed. In a terminal run:\n\n  bash {REPO_ROOT / 'scripts' / 'setup.sh'}"


def engine_installed() -> bool:
    return CADCODER.is_file()


class CliJob(QtCore.QObject):
    """One `cadcoder` run; ``on_event`` gets each JSON line, ``on_finished`` the exit code and stderr."""

    def __init__(
        self, args: list[str], on_event: Callable[[dict], None], on_finished: Callable[[int, str], None]
    ):
        super().__init__()
        self._buffer = b""
        self._on_event, self._on_finished = on_event, on_finished
        self.process = QtCore.QProcess(self)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._done)
        self.process.start(str(CADCODER), args)

    def cancel(self) -> None:
        if self.process.state() != QtCore.QProcess.NotRunning:
            self.process.kill()

    def _read(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                self._on_event(json.loads(line))
            except ValueError:
                continue  # a stray line (a library's warning) is not an event

    def _done(self, code: int, _status=None) -> None:
        self._read()
        self._on_finished(code, bytes(self.process.readAllStandardError()).decode(errors="replace"))
