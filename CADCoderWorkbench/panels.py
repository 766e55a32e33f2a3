"""Task panels: code -> feature, and image -> feature (generation streamed from the engine)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import FreeCAD as App
import FreeCADGui as Gui
from PySide import QtCore, QtGui

from CADCoderWorkbench import preferences
from CADCoderWorkbench.cadquery_feature import make_cadquery_feature, sync_parameters
from CADCoderWorkbench.cli_job import SETUP_HINT, CliJob, engine_installed


def _code_editor() -> QtGui.QPlainTextEdit:
    editor = QtGui.QPlainTextEdit()
    font = QtGui.QFont("Monospace")
    font.setStyleHint(QtGui.QFont.TypeWriter)
    editor.setFont(font)
    editor.setLineWrapMode(QtGui.QPlainTextEdit.NoWrap)
    editor.setMinimumHeight(260)
    return editor


class CodePanel:
    """Paste, load or edit CadQuery code; Rebuild checks it in the sandbox; OK commits one undo step."""

    def __init__(self, feature=None) -> None:
        self.feature = feature
        self.form = QtGui.QWidget()
        self.form.setWindowTitle("CadQuery code")
        layout = QtGui.QVBoxLayout(self.form)
        self.editor = _code_editor()
        self.editor.setPlainText(feature.Code if feature is not None else _example())
        buttons = QtGui.QHBoxLayout()
        load, rebuild = QtGui.QPushButton("Load .py..."), QtGui.QPushButton("Rebuild")
        load.clicked.connect(self.load)
        rebuild.clicked.connect(self.rebuild)
        buttons.addWidget(load)
        buttons.addWidget(rebuild)
        self.status = QtGui.QLabel("Edit the code, then Rebuild or OK.")
        self.status.setWordWrap(True)
        layout.addWidget(self.editor)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.job = None

    def load(self) -> None:
        path, _ = QtGui.QFileDialog.getOpenFileName(self.form, "CadQuery script", "", "Python (*.py)")
        if path:
            self.editor.setPlainText(Path(path).read_text(encoding="utf-8"))

    def rebuild(self) -> None:
        if not engine_installed():
            self.status.setText(SETUP_HINT)
            return
        script = Path(tempfile.mkdtemp(prefix="cadcoder-panel-")) / "part.py"
        script.write_text(self.editor.toPlainText(), encoding="utf-8")
        self.status.setText("Running in the sandbox...")
        self.job = CliJob(["run", str(script), "--json"], self._result, lambda code, err: None)

    def _result(self, result: dict) -> None:
        if result.get("status") == "ok":
            self.status.setText(f"ok: volume {result.get('volume', 0):.6g}")
        else:
            self.status.setText(f"{result.get('status')}: {result.get('message')}")

    def accept(self) -> bool:
        doc = App.ActiveDocument or App.newDocument()
        code = self.editor.toPlainText()
        try:
            if self.feature is None:
                make_cadquery_feature(doc, code)
            else:
                doc.openTransaction("Edit CadQuery code")
                self.feature.Code = code
                sync_parameters(self.feature)
                doc.recompute()
                doc.commitTransaction()
        except ValueError as exc:
            self.status.setText(f"Not added: {exc}")
            return False
        Gui.Control.closeDialog()
        return True

    def reject(self) -> bool:
        Gui.Control.closeDialog()
        return True


class ImagePanel:
    """Image -> CAD: preview, backend, streamed code, Cancel. The document changes only on success."""

    def __init__(self, image_path: str) -> None:
        self.image_path = image_path
        self.settings = preferences.load()
        self.form = QtGui.QWidget()
        self.form.setWindowTitle("Image to CAD")
        layout = QtGui.QVBoxLayout(self.form)
        preview = QtGui.QLabel()
        preview.setPixmap(
            QtGui.QPixmap(image_path).scaled(
                220, 220, QtCore.Qt.KeepAspectRatio, QtCore.Qt.SmoothTransformation
            )
        )
        preview.setAlignment(QtCore.Qt.AlignCenter)
        self.stage = QtGui.QLabel(f"Backend: {self.settings.describe()}")
        self.stage.setWordWrap(True)
        self.code = _code_editor()
        self.code.setReadOnly(True)
        self.cancel_button = QtGui.QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        for widget in (preview, self.stage, self.code, self.cancel_button):
            layout.addWidget(widget)
        self.result: dict | None = None
        self.job = None
        if not engine_installed():
            self.stage.setText(SETUP_HINT)
        else:
            args = ["image2cad", image_path, "--events", *self.settings.image2cad_flags()]
            self.job = CliJob(args, self._event, self._finished)

    def _event(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "stage":
            self.stage.setText(f"{event['stage'].capitalize()}... ({self.settings.describe()})")
        elif kind == "token":
            if event.get("candidate", 0) == 0:
                self.code.moveCursor(QtGui.QTextCursor.End)
                self.code.insertPlainText(event["text"])
        elif kind == "candidate":
            self.stage.setText(
                f"Candidate {event['index'] + 1}: {event['status']} {event.get('message', '')}"
            )
        elif kind == "result":
            self.result = event

    def _finished(self, exit_code: int, stderr: str) -> None:
        self.cancel_button.setEnabled(False)
        result = self.result or {}
        if result.get("status") == "ok":
            self.code.setPlainText(result["code"])
            doc = App.ActiveDocument or App.newDocument()
            try:
                make_cadquery_feature(doc, result["code"], name="ImageToCAD", image_path=self.image_path)
            except ValueError as exc:
                self.stage.setText(f"The code ran in the engine but not here: {exc}")
                return
            self.stage.setText(
                f"Done: volume {result['volume']:.6g}. Edit its parameters in the property panel."
            )
        elif result:
            self.stage.setText(f"No part was added. {result.get('status')}: {result.get('message')}")
        else:
            last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit code {exit_code}"
            self.stage.setText(f"No part was added. {last}")

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.stage.setText("Cancelled; nothing was added.")

    def reject(self) -> bool:
        self.cancel()
        Gui.Control.closeDialog()
        return True

    def getStandardButtons(self) -> int:
        return int(QtGui.QDialogButtonBox.Close)


def _example() -> str:
    return "import cadquery as cq\n\nlength = 40.0\nwidth = 20.0\nthickness = 5.0\n\nsolid = cq.Workplane('XY').box(length, width, thickness)\n"
