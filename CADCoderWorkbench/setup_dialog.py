"""First use without an engine: say exactly what to run, or run it and show its output.

The engine (CadQuery, torch, the model) is a separate Python environment installed by
``scripts/setup.sh``; the Addon Manager cannot install it. The dialog shows the command; "Run setup
now" starts it as a ``QProcess`` (asynchronous, GUI stays responsive) in a log window.
"""

from __future__ import annotations

import FreeCADGui as Gui
from PySide import QtCore, QtGui

from CADCoderWorkbench import engine
from CADCoderWorkbench.bootstrap import REPO_ROOT
from CADCoderWorkbench.settings import Settings

RUN_BUTTON_TEXT = "Run setup now"


def engine_missing_dialog(settings: Settings, parent=None) -> QtGui.QMessageBox:
    box = QtGui.QMessageBox(parent or Gui.getMainWindow())
    box.setIcon(QtGui.QMessageBox.Information)
    box.setWindowTitle("CAD-Coder: set up the engine")
    box.setText(
        "CAD-Coder runs the model and CadQuery in their own Python environment, which is not installed yet."
    )
    box.setInformativeText(
        f"In a terminal run:\n\n{engine.setup_command()}\n\n"
        "It needs a few GB of disk and installs Debian packages with apt. "
        "Or let FreeCAD run it now and show its output."
    )
    box.setDetailedText(f"Missing interpreter: {engine.engine_python(settings)}")
    box.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
    box.addButton(RUN_BUTTON_TEXT, QtGui.QMessageBox.AcceptRole)
    box.addButton(QtGui.QMessageBox.Close)
    return box


class SetupLog(QtGui.QDialog):
    """``bash scripts/setup.sh`` with its output streamed into a read-only log."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent or Gui.getMainWindow())
        self.setWindowTitle("CAD-Coder: installing the engine")
        self.resize(760, 420)
        layout = QtGui.QVBoxLayout(self)
        self.log = QtGui.QPlainTextEdit(readOnly=True)
        self.log.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.FixedFont))
        self.state = QtGui.QLabel("Running...")
        buttons = QtGui.QDialogButtonBox(QtGui.QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        for widget in (self.log, self.state, buttons):
            layout.addWidget(widget)
        self.process = QtCore.QProcess(self)
        self.process.setWorkingDirectory(str(REPO_ROOT))
        self.process.setProcessChannelMode(QtCore.QProcess.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._done)
        self.process.start("bash", [str(engine.SETUP_SCRIPT)])

    def _read(self) -> None:
        self.log.moveCursor(QtGui.QTextCursor.End)
        self.log.insertPlainText(bytes(self.process.readAllStandardOutput()).decode(errors="replace"))

    def _done(self, code: int, _status=None) -> None:
        self._read()
        self.state.setText(
            "Done: the engine is ready." if code == 0 else f"setup.sh failed (exit status {code})."
        )

    def reject(self) -> None:
        if self.process.state() != QtCore.QProcess.NotRunning:
            self.process.kill()
            self.process.waitForFinished(5000)
        super().reject()


def ensure_engine(settings: Settings) -> bool:
    """True when the engine is installed; otherwise explain (and maybe start) the setup, False."""
    if engine.engine_installed(settings):
        return True
    box = engine_missing_dialog(settings)
    box.exec_()
    if box.buttonRole(box.clickedButton()) == QtGui.QMessageBox.AcceptRole:
        SetupLog().exec_()
    return engine.engine_installed(settings)
