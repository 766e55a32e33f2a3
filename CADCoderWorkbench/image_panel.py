"""Image to CAD: the picture, the backend, the code as it streams in, Cancel.

The picture comes from a file (Open..., or the path Snapshot to CAD passes in, which starts at
once), the clipboard (Paste, Ctrl+V) or a drop onto the panel; ``picture_input`` reduces each to an
image file, so Run treats them all alike. Something that is not a picture is refused with a notice
and changes nothing. The job (``image_job.run_image2cad``) runs on a worker thread; this panel only
shows its progress and, on the GUI thread, adds the feature when it succeeds. On failure or Cancel
the document is untouched and the panel says why.

Issue 15: the form fits FreeCAD's default Combo View (about 264 px); a progress bar follows the
engine's stages; a result that does not match the picture (``low_match``) is added only if the user
says so; the part goes beside what the document holds (Snapshot to CAD: where the selection is);
closing the panel during a run cancels it, and callbacks that arrive after FreeCAD has dropped the
form (it sets ``form`` to None) do nothing.
"""

from __future__ import annotations

from pathlib import Path

import FreeCAD as App
import FreeCADGui as Gui
from PySide import QtCore, QtGui

from CADCoderWorkbench import layout, preferences
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

PREVIEW_SIZE = 200  # fits the default Combo View with the task box's margins
MAX_IMAGE_SIDE = 4096  # core.pipeline.image_to_cad.MAX_IMAGE_SIDE: larger pictures are shrunk
BUSY = "Wait for the run to end (or Cancel it) before changing the picture."
LOW_MATCH_TITLE = "The picture does not look like this part"


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


def _box(bound) -> layout.Box:
    return (bound.XMin, bound.YMin, bound.ZMin, bound.XMax, bound.YMax, bound.ZMax)


def visible_boxes(doc) -> list[layout.Box]:
    """Bounding boxes of the document's visible solids (what a new part must not land on)."""
    boxes = []
    for obj in doc.Objects:
        shape = getattr(obj, "Shape", None)
        view = getattr(obj, "ViewObject", None)
        if shape is None or shape.isNull() or (view is not None and not view.Visibility):
            continue
        if not shape.BoundBox.isValid():
            continue
        boxes.append(_box(shape.BoundBox))
    return boxes


class _Closing:
    """Closing the panel while a job runs, also without Close (``Gui.Control.closeDialog()``, a
    new dialog): the form's ``destroyed`` cancels the job and marks the panel closed. It holds the
    job and a flag, never the form, which is gone by then."""

    def __init__(self) -> None:
        self.closed = False
        self.job: Job | None = None

    def __call__(self, *_args) -> None:
        self.closed = True
        if self.job is not None:
            self.job.cancel()


class ImagePanel:
    def __init__(self, image_path: str | None = None, doc=None, place_at: layout.Box | None = None) -> None:
        target = doc if doc is not None else App.ActiveDocument
        self.doc_name = target.Name if target is not None else None  # where the part goes
        self.place_at = place_at  # Snapshot to CAD: the selection's box, where the part goes
        self.settings = preferences.load()
        self.form = form = load_form("image_panel")
        self._closing = _Closing()
        form.destroyed.connect(self._closing)
        self.progress: QtGui.QProgressBar = self.form.progress
        self.question: QtGui.QMessageBox | None = None  # the low-match question while it is open
        self.engine_pid: int | None = None
        self.match: float | None = None
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
        reader = QtGui.QImageReader(path)
        size = reader.size()
        if size.isValid() and size.width() > 0 and size.height() > 0:
            reader.setScaledSize(size.scaled(PREVIEW_SIZE, PREVIEW_SIZE, QtCore.Qt.KeepAspectRatio))
        image = reader.read()
        if image.isNull():
            self._show_notice(f"{Path(path).name} cannot be read as a picture; nothing was changed.")
            return False
        self.form.preview.setPixmap(QtGui.QPixmap.fromImage(image))
        self.image_path = path
        self.outcome = "ready"
        self._show_notice("")
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        name = "picture" if Path(path).name == "pasted.png" else Path(path).name
        origin = f"{source} {name}" if source else name
        width, height = (size.width(), size.height()) if size.isValid() else (image.width(), image.height())
        shrink = ""
        if max(width, height) > MAX_IMAGE_SIDE:
            shrink = f" (larger than {MAX_IMAGE_SIDE} px: the engine shrinks it)"
        self.stage.setText(f"{origin}, {width} x {height}{shrink}: Run turns it into an editable part.")
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
        self.match = None
        self.engine_pid = None
        self.code.clear()
        self.stage.setText("Starting the engine...")
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self._show_notice("")
        self.job = Job(
            lambda context: run_image2cad(image_path, settings, context),
            on_finished=lambda result: self._finished(result, image_path),
            on_failed=self._failed,
            on_cancelled=self._cancelled,
            on_progress=self._progress,
            on_text=self._append,
            on_event=self._event,
        )
        self._closing.job = self.job
        self.job.start()
        self._idle()
        return True

    def _alive(self) -> bool:
        """False once the panel was closed: FreeCAD has dropped the form (``form`` is None)."""
        return not self._closing.closed and self.form is not None

    @property
    def closed(self) -> bool:
        return self._closing.closed

    def _progress(self, text: str) -> None:
        if self._alive():
            self.stage.setText(text)

    def _event(self, event: dict) -> None:
        if not self._alive():
            return
        kind = event.get("event")
        if kind == "engine":
            self.engine_pid = int(event["pid"])
        elif kind == "progress":
            self.progress.setValue(int(event.get("percent", 0)))
        elif kind == "image" and event.get("message"):
            self._show_notice(f"Note: {event['message']}.")

    def _append(self, piece: str) -> None:
        if not self._alive():
            return
        self.code.moveCursor(QtGui.QTextCursor.End)
        self.code.insertPlainText(piece)

    def _finished(self, result: ImageJobResult, image_path: str) -> None:
        if not self._alive():
            return  # closed while the result was on its way: closing means cancel
        self._idle()
        self.code.setPlainText(result.code)
        self.match = result.match
        if result.low_match:
            self.stage.setText(f"{result.match_note.capitalize()}: asking before adding it.")
        if result.low_match and not self._ask_low_match(result):
            self.outcome = "declined"
            self.progress.setFormat("not added")
            self.stage.setText(f"Not added: {result.match_note}. Try a clearer picture of the part.")
            return
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
                placement=self._placement(doc, result),
            )
        except ValueError as exc:
            self._failed(str(exc))
            return
        self.outcome = "done"
        self.progress.setValue(100)
        match = f" Match with the picture {result.match:.0%}." if result.match is not None else ""
        warning = " (added although the match is low)" if result.low_match else ""
        self.stage.setText(
            f"Done{warning}: {self.feature.Label}, volume {self.feature.Shape.Volume:.6g} mm³.{match} "
            "Edit its parameters in the property view; double-click it for the code."
        )
        if Gui.ActiveDocument is not None and Gui.ActiveDocument.Document is doc:
            Gui.ActiveDocument.ActiveView.viewIsometric()
            Gui.SendMsgToActiveView("ViewFit")

    def _ask_low_match(self, result: ImageJobResult) -> bool:
        """Yes/No before adding a part that does not match the picture (No is the default)."""
        match = f" (match {result.match:.0%})" if result.match is not None else ""
        self.question = QtGui.QMessageBox(
            QtGui.QMessageBox.Question,
            LOW_MATCH_TITLE,
            f"The result may not be the part in the picture{match}.",
            QtGui.QMessageBox.Yes | QtGui.QMessageBox.No,
            Gui.getMainWindow(),
        )
        self.question.setInformativeText(f"{result.match_note.capitalize()}.\n\nAdd it anyway?")
        self.question.setDefaultButton(QtGui.QMessageBox.No)
        try:
            return self.question.exec_() == QtGui.QMessageBox.Yes
        finally:
            self.question = None

    def _placement(self, doc, result: ImageJobResult) -> App.Placement:
        """Beside the visible parts, or centred on Snapshot to CAD's selection."""
        import Part

        shape = Part.Shape()
        shape.importBrepFromString(result.execution.brep.decode("utf-8"))
        new = _box(shape.BoundBox)
        if self.place_at is not None:
            move = layout.at(self.place_at, new)
        else:
            move = layout.beside(visible_boxes(doc), new)
        return App.Placement(App.Vector(*move), App.Rotation())

    def _failed(self, message: str) -> None:
        self.outcome = "failed"
        if not self._alive():
            return
        self._idle()
        self.progress.setFormat("failed")
        self.stage.setText(f"No part was added. {message}")

    def _cancelled(self) -> None:
        self.outcome = "cancelled"
        if not self._alive():
            return
        self._idle()
        self.progress.setValue(0)
        self.progress.setFormat("cancelled")
        self.stage.setText("Cancelled; nothing was added.")

    def cancel(self) -> None:
        if self.running:
            if self._alive():
                self.form.cancelButton.setEnabled(False)
                self.stage.setText("Cancelling...")
            self.job.cancel()

    def _idle(self) -> None:
        """Buttons for the state: the picture can change and Run start only while nothing runs."""
        if not self._alive():
            return
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
        """Close (also during a run: the run is cancelled, its process killed, nothing added)."""
        self.cancel()
        self._closing()
        Gui.Control.closeDialog()
        return True

    def getStandardButtons(self) -> int:
        return int(QtGui.QDialogButtonBox.Close)
