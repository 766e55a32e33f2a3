"""Code to CAD / edit code: a task panel with a code editor.

Rebuild runs the code in the sandbox on a worker thread and shows the result, marking the failing
line. OK runs it too unless the text is exactly what the last Rebuild checked, then adds the
feature (or replaces the edited feature's code) as one undo step; the panel stays open with the
error when the code does not make a solid.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import FreeCAD as App
import FreeCADGui as Gui
from PySide import QtGui

from CADCoderWorkbench import engine, preferences
from CADCoderWorkbench.cadquery_feature import make_cadquery_feature, update_code
from CADCoderWorkbench.jobs import Job
from CADCoderWorkbench.panel_widgets import load_form, make_code_view, mark_line
from core.sandbox import ExecutionResult

EXAMPLE = """import cadquery as cq

length = 40.0
width = 20.0
thickness = 5.0
hole_diameter = 6.0

solid = cq.Workplane("XY").box(length, width, thickness).faces(">Z").workplane().hole(hole_diameter)
"""


class CodePanel:
    def __init__(self, feature=None, on_close: Callable[[], None] | None = None) -> None:
        self.feature = feature
        self.on_close = on_close
        self.form = load_form("code_panel")
        self.form.setWindowTitle(f"Code of {feature.Label}" if feature is not None else "Code to CAD")
        self.editor: QtGui.QPlainTextEdit = self.form.editor
        self.status: QtGui.QLabel = self.form.status
        make_code_view(self.editor)
        self.editor.setPlainText(feature.Code if feature is not None else EXAMPLE)
        self.editor.textChanged.connect(lambda: mark_line(self.editor, None))
        self.form.loadButton.clicked.connect(self.load)
        self.form.rebuildButton.clicked.connect(self.rebuild)
        QtGui.QShortcut(QtGui.QKeySequence("Ctrl+Return"), self.form, self.rebuild)
        self.job: Job | None = None
        self.checked: tuple[str, ExecutionResult] | None = None  # the last run: code and its result
        self.applied = False

    def load(self) -> None:
        path, _ = QtGui.QFileDialog.getOpenFileName(self.form, "CadQuery script", "", "Python (*.py)")
        if path:
            self.editor.setPlainText(Path(path).read_text(encoding="utf-8"))

    def rebuild(self, then_apply: bool = False) -> None:
        if self.job is not None and self.job.running:
            return
        code, settings = self.editor.toPlainText(), preferences.load()
        self.status.setText("Running in the sandbox...")
        self._set_busy(True)
        self.job = Job(
            lambda _context: engine.run(code, settings),
            on_finished=lambda result: self._checked(code, result, then_apply),
            on_failed=self._failed,
        ).start()

    def _checked(self, code: str, result: ExecutionResult, then_apply: bool) -> None:
        self._set_busy(False)
        self.checked = (code, result)
        self.status.setText(engine.describe(result))
        mark_line(self.editor, None if result.ok else result.line)
        if then_apply and result.ok:
            self._apply(code, result)

    def _failed(self, message: str) -> None:
        self._set_busy(False)
        self.status.setText(f"Could not run the code: {message}")

    def _set_busy(self, busy: bool) -> None:
        self.form.rebuildButton.setEnabled(not busy)
        self.form.loadButton.setEnabled(not busy)

    def _apply(self, code: str, result: ExecutionResult) -> None:
        """On the GUI thread, with a result of exactly ``code``."""
        try:
            if self.feature is None:
                doc = App.ActiveDocument or App.newDocument()
                self.feature = make_cadquery_feature(doc, code, result=result)
            else:
                update_code(self.feature, code, result)
        except ValueError as exc:
            self.status.setText(f"Not applied: {exc}")
            return
        self.applied = True
        self._close()
        if App.GuiUp and Gui.ActiveDocument is not None:
            Gui.SendMsgToActiveView("ViewFit")

    def accept(self) -> bool:
        code = self.editor.toPlainText()
        if self.checked is not None and self.checked[0] == code and self.checked[1].ok:
            self._apply(code, self.checked[1])
        else:
            self.rebuild(then_apply=True)
        return False  # closed by _apply once the code has run

    def reject(self) -> bool:
        if self.job is not None and self.job.running:
            self.job.cancel()
        self._close()
        return True

    def _close(self) -> None:
        Gui.Control.closeDialog()
        if self.on_close is not None:
            self.on_close()
