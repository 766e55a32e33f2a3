"""Image to CAD: the picture, the backend, the code as it streams in, Cancel.

The picture comes from a file (Open..., or the path Snapshot to CAD passes in, which starts at
once), the clipboard (Paste, Ctrl+V) or a drop onto the panel; ``picture_input`` reduces each to an
image file, so Run treats them all alike. Something that is not a picture is refused with a notice
and changes nothing. The job (``image_job.run_image2cad``) runs on a worker thread; this panel only
shows its progress and, on the GUI thread, adds the feature when it succeeds. On failure or Cancel
the document is untouched and the panel says why.
"""

from __future__ import annotations

from pathlib import Path

import FreeCAD as App
import FreeCADGui as Gui
from PySide import QtCore, QtGui

from CADCoderWorkbench import preferences
from CADCoderWorkbench.cadquery_feature import make_cadquery_feature
from CADCoderWorkbench.image_job import ImageJobResult, run_image2cad
from CADCoderWorkbench.jobs import Job
from CADCoderWorkbench.panel_widgets import load_form, make_code_view
from CADCoderWorkbench.picture_input import (
    IMAGE_FILTER,
    PictureRejected,
    may_hold_picture,
    picture_from_clipboard,
    picture_from_mime,
)

PREVIEW_SIZE = 224
BUSY = "Wait for the run to end (or Cancel it) before changing the picture."


class _PanelEvents(QtCore.QObject):
    """Drag-and-drop and Ctrl+V on the form, handed to the panel (a form loaded from a .ui file
    cannot be subclassed). Ctrl+V claims the shortcut first, so FreeCAD's own Paste does not."""

    def __init__(self, panel: ImagePanel) -> None:
        super().__init__()
        self.panel = panel

    def eventFilter(self, _watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        kind = event.type()
        if kind in (QtCore.QEvent.DragEnter, QtCore.QEvent.DragMove):
            self.panel.dragEnterEvent(event)
            return True
        if kind == QtCore.QEvent.Drop:
            self.panel.dropEvent(event)
            return True
        if kind == QtCore.QEvent.ShortcutOverride and event.matches(QtGui.QKeySequence.Paste):
            event.accept()
            return True
        if kind == QtCore.QEvent.KeyPress and event.matches(QtGui.QKeySequence.Paste):
            self.panel.paste()
            return True
        return False


class ImagePanel:
    def __init__(self, image_path: str | None = None, doc=None) -> None:
        target = doc if doc is not None else App.ActiveDocument
        self.doc_name = target.Name if target is not None else None  # where the part goes
        self.settings = preferences.load()
        self.form = load_form("image_panel")
        self.form.backend.setText(f"Backend: {self.settings.describe()}")
        self.stage: QtGui.QLabel = self.form.stage
        self.notice: QtGui.QLabel = self.form.notice
        self.code: QtGui.QPlainTextEdit = self.form.code
        make_code_view(self.code)
        self.form.openButton.clicked.connect(self.browse)
        self.form.pasteButton.clicked.connect(self.paste)
        self.form.runButton.clicked.connect(self.run)
        self.form.cancelButton.clicked.connect(self.cancel)
        self._events = _PanelEvents(self)
        self.form.setAcceptDrops(True)
        self.form.installEventFilter(self._events)
        self.image_path: str | None = None
        self.feature = None
        self.outcome = "waiting"  # waiting (no picture) | ready | running | done | failed | cancelled
        self.job: Job | None = None
        self._show_notice("")
        self._idle()
        if image_path:
            self.set_picture(image_path)
            self.run()

    # -- the picture ------------------------------------------------------------------------

    def set_picture(self, path: str, source: str = "") -> bool:
        """Show ``path`` and make it what Run uses; False (with a notice) when it cannot be shown.
        ``source`` says where it came from ("Pasted", "Dropped") in the status line."""
        if self.running:
            self._show_notice(BUSY)
            return False
        pixmap = QtGui.QPixmap(path)
        if pixmap.isNull():
            self._show_notice(f"{Path(path).name} cannot be read as a picture; nothing was changed.")
            return False
        self.form.preview.setPixmap(
            pixmap.scaled(
                PREVIEW_SIZE, PREVIEW_SIZE, QtCore.Qt.KeepAspectRatio, QtCore.Qt.SmoothTransformation
            )
        )
        self.image_path = path
        self.outcome = "ready"
        self._show_notice("")
        name = "picture" if Path(path).name == "pasted.png" else Path(path).name
        origin = f"{source} {name}" if source else name
        self.stage.setText(
            f"{origin}, {pixmap.width()} x {pixmap.height()}: Run turns it into an editable part."
        )
        self._idle()
        return True

    def paste(self) -> bool:
        """The clipboard's picture (image data, an image file or its path), like a file picked."""
        return self._take(picture_from_clipboard, "Pasted")

    def browse(self) -> bool:
        path, _ = QtGui.QFileDialog.getOpenFileName(self.form, "Picture of a part", "", IMAGE_FILTER)
        return self.set_picture(path) if path else False

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:
        if may_hold_picture(event.mimeData()) and not self.running:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:
        """A dropped image file or image data; anything else gets a notice and changes nothing."""
        if self._take(lambda: picture_from_mime(event.mimeData(), "the dropped item"), "Dropped"):
            event.acceptProposedAction()
        else:
            event.ignore()

    def _take(self, read, source: str) -> bool:
        if self.running:
            self._show_notice(BUSY)
            return False
        try:
            path = read()
        except PictureRejected as exc:
            self._show_notice(f"Not used: {exc}. Nothing was changed.")
            return False
        return self.set_picture(path, source)

    # -- the run ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.running

    def run(self) -> bool:
        """Start Image to CAD on the current picture; False when there is none or a run is on."""
        if self.image_path is None or self.running:
            return False
        image_path, settings = self.image_path, self.settings
        self.outcome = "running"
        self.feature = None
        self.code.clear()
        self.stage.setText("Starting...")
        self._show_notice("")
        self.job = Job(
            lambda context: run_image2cad(image_path, settings, context),
            on_finished=lambda result: self._finished(result, image_path),
            on_failed=self._failed,
            on_cancelled=self._cancelled,
            on_progress=self.stage.setText,
            on_text=self._append,
        ).start()
        self._idle()
        return True

    def _append(self, piece: str) -> None:
        self.code.moveCursor(QtGui.QTextCursor.End)
        self.code.insertPlainText(piece)

    def _finished(self, result: ImageJobResult, image_path: str) -> None:
        self._idle()
        self.code.setPlainText(result.code)
        open_docs = App.listDocuments()
        doc = open_docs[self.doc_name] if self.doc_name in open_docs else App.newDocument()
        try:
            self.feature = make_cadquery_feature(
                doc,
                result.code,
                name="ImageToCAD",
                image_path=image_path,
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
        self._idle()
        self.stage.setText(f"No part was added. {message}")

    def _cancelled(self) -> None:
        self.outcome = "cancelled"
        self._idle()
        self.stage.setText("Cancelled; nothing was added.")

    def cancel(self) -> None:
        if self.running:
            self.form.cancelButton.setEnabled(False)
            self.stage.setText("Cancelling...")
            self.job.cancel()

    def _idle(self) -> None:
        """Buttons for the state: the picture can change and Run start only while nothing runs."""
        busy = self.running
        for button in (self.form.openButton, self.form.pasteButton):
            button.setEnabled(not busy)
        self.form.runButton.setEnabled(not busy and self.image_path is not None)
        self.form.cancelButton.setEnabled(busy)
        if self.image_path is None and not busy:
            self.stage.setText("Drop, paste or open a picture, then Run.")

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def reject(self) -> bool:
        self.cancel()
        Gui.Control.closeDialog()
        return True

    def getStandardButtons(self) -> int:
        return int(QtGui.QDialogButtonBox.Close)
