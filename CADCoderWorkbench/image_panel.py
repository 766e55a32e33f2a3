"""Image to CAD: the picture, the backend, the code as it streams in, Cancel.

The job (``image_job.run_image2cad``) runs on a worker thread; this panel only shows its progress
and, on the GUI thread, adds the feature when it succeeds. On failure or Cancel the document is
untouched and the panel says why.
"""

from __future__ import annotations

import FreeCAD as App
import FreeCADGui as Gui
from PySide import QtCore, QtGui

from CADCoderWorkbench import preferences
from CADCoderWorkbench.cadquery_feature import make_cadquery_feature
from CADCoderWorkbench.image_job import ImageJobResult, run_image2cad
from CADCoderWorkbench.jobs import Job
from CADCoderWorkbench.panel_widgets import load_form, make_code_view

PREVIEW_SIZE = 224


class ImagePanel:
    def __init__(self, image_path: str, doc=None) -> None:
        self.image_path = image_path
        target = doc if doc is not None else App.ActiveDocument
        self.doc_name = target.Name if target is not None else None  # where the part goes
        self.settings = preferences.load()
        self.form = load_form("image_panel")
        self.form.preview.setPixmap(
            QtGui.QPixmap(image_path).scaled(
                PREVIEW_SIZE, PREVIEW_SIZE, QtCore.Qt.KeepAspectRatio, QtCore.Qt.SmoothTransformation
            )
        )
        self.form.backend.setText(f"Backend: {self.settings.describe()}")
        self.stage: QtGui.QLabel = self.form.stage
        self.code: QtGui.QPlainTextEdit = self.form.code
        make_code_view(self.code)
        self.form.cancelButton.clicked.connect(self.cancel)
        self.feature = None
        self.outcome = "running"  # running | done | failed | cancelled
        self.job = Job(
            lambda context: run_image2cad(image_path, self.settings, context),
            on_finished=self._finished,
            on_failed=self._failed,
            on_cancelled=self._cancelled,
            on_progress=self.stage.setText,
            on_text=self._append,
        ).start()

    def _append(self, piece: str) -> None:
        self.code.moveCursor(QtGui.QTextCursor.End)
        self.code.insertPlainText(piece)

    def _finished(self, result: ImageJobResult) -> None:
        self.form.cancelButton.setEnabled(False)
        self.code.setPlainText(result.code)
        open_docs = App.listDocuments()
        doc = open_docs[self.doc_name] if self.doc_name in open_docs else App.newDocument()
        try:
            self.feature = make_cadquery_feature(
                doc,
                result.code,
                name="ImageToCAD",
                image_path=self.image_path,
                backend=self.settings.describe(),
                result=result.execution,
            )
        except ValueError as exc:
            self._failed(str(exc))
            return
        self.outcome = "done"
        self.stage.setText(
            f"Done: {self.feature.Label}, volume {self.feature.Shape.Volume:.6g} mm³. "
            "Edit its parameters in the property view; double-click it for the code."
        )
        if Gui.ActiveDocument is not None and Gui.ActiveDocument.Document is doc:
            Gui.ActiveDocument.ActiveView.viewIsometric()
            Gui.SendMsgToActiveView("ViewFit")

    def _failed(self, message: str) -> None:
        self.outcome = "failed"
        self.form.cancelButton.setEnabled(False)
        self.stage.setText(f"No part was added. {message}")

    def _cancelled(self) -> None:
        self.outcome = "cancelled"
        self.stage.setText("Cancelled; nothing was added.")

    def cancel(self) -> None:
        if self.job.running:
            self.form.cancelButton.setEnabled(False)
            self.stage.setText("Cancelling...")
            self.job.cancel()

    def reject(self) -> bool:
        self.cancel()
        Gui.Control.closeDialog()
        return True

    def getStandardButtons(self) -> int:
        return int(QtGui.QDialogButtonBox.Close)
