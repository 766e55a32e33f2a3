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

Issue 14: a size field (one known dimension, its default from the preferences) goes to the engine as
``image2cad --size``, and the panel says what was scaled and snapped; after a run the preview shows
the engine's overlay (the result drawn over the picture from its camera) with the match; the best
candidates appear as thumbnails, and clicking one replaces the part as one undo step
(``cadquery_feature.choose_candidate``); "Keep as training example" hands the picture and the part's
current code to core (``keep_example``). All of it is the engine's work; the panel only shows it.
"""

from __future__ import annotations

from pathlib import Path

import FreeCAD as App
import FreeCADGui as Gui
from PySide import QtCore, QtGui

from CADCoderWorkbench import engine, layout, preferences
from CADCoderWorkbench.cadquery_feature import choose_candidate, current_code, make_cadquery_feature
from CADCoderWorkbench.image_job import ImageJobResult, run_image2cad, size_details, size_summary
from CADCoderWorkbench.jobs import Job
from CADCoderWorkbench.keep_example import keep_feature
from CADCoderWorkbench.panel_widgets import load_form, make_code_view
from CADCoderWorkbench.picture_input import (
    IMAGE_FILTER,
    PictureRejected,
    may_hold_picture,
    picture_from_clipboard,
    picture_from_mime,
)
from CADCoderWorkbench.settings import SIZE_AXES, parse_mm, size_spec

PREVIEW_SIZE = 200  # fits the default Combo View with the task box's margins
MAX_IMAGE_SIDE = 4096  # core.pipeline.image_to_cad.MAX_IMAGE_SIDE: larger pictures are shrunk
BUSY = "Wait for the run to end (or Cancel it) before changing the picture."
LOW_MATCH_TITLE = "The picture does not look like this part"
THUMBNAIL_SIDE = 84  # two candidates side by side, with their frames, fit the default Combo View
IN_USE = "\u2713"  # the mark on the candidate the part is built from
CHOICE_STYLE = (
    "QToolButton { border: 1px solid palette(mid); border-radius: 3px; padding: 1px; }"
    "QToolButton:checked { border: 2px solid #2a7ae2; background: #dbe9fb; font-weight: bold; }"
)
SYNC_MS = 500  # how often the candidate marks follow the part (undo, redo, edits elsewhere)


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
        self.form.keepButton.clicked.connect(self.keep)
        self.form.sizeAxis.setCurrentIndex(SIZE_AXES.index(self.settings.size_axis))
        if self.settings.size_mm > 0:
            self.form.sizeValue.setText(f"{self.settings.size_mm:g}")
        self.result: ImageJobResult | None = None
        self.choice_buttons: list[QtGui.QToolButton] = []
        self.choice_job: Job | None = None  # running the picked candidate's code
        self.keep_job: Job | None = None
        self.kept: str = ""  # the last keep's outcome, as shown
        self.form.choices.setStyleSheet(CHOICE_STYLE)
        # Ctrl+Z after a choice changes the part behind the panel's back: the marks follow it.
        self._sync = QtCore.QTimer(self.form)
        self._sync.setInterval(SYNC_MS)
        self._sync.timeout.connect(self._sync_choice_buttons)
        self._events = _PanelEvents(self)
        self.form.setAcceptDrops(True)
        self.form.installEventFilter(self._events)
        self.image_path: str | None = None
        self.feature = None
        self.outcome = "waiting"  # waiting (no picture) | ready | running | done | failed | cancelled
        self.job: Job | None = None
        self._show_notice(self.settings.problem() or "")
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
        self._show_notice(self.settings.problem() or "")
        self.result = None  # the last run's overlay, match and candidates were of another picture
        self._show_choices(None)
        self._show_match("")
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

    def size(self) -> str | None:
        """The size field as ``image2cad --size`` text ("" when empty), None when it is not a length."""
        mm = parse_mm(self.form.sizeValue.text())
        if mm is None:
            return None
        return size_spec(SIZE_AXES[max(0, self.form.sizeAxis.currentIndex())], mm)

    def run(self) -> bool:
        """Start Image to CAD on the current picture; False when there is none, a run is on or the
        size field holds no length."""
        if self.image_path is None or self.running:
            return False
        size = self.size()
        if size is None:
            self._show_notice(
                f"Size {self.form.sizeValue.text()!r} is not a length in mm: type e.g. 60 or 12.5, "
                "or leave it empty for no scaling."
            )
            return False
        image_path, settings = self.image_path, self.settings
        self.outcome = "running"
        self.feature = None
        self.result = None
        self.kept = ""
        self._show_choices(None)
        self._show_match("")
        self.match = None
        self.engine_pid = None
        self.code.clear()
        self.stage.setText("Starting the engine...")
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self._show_notice("")
        self.job = Job(
            lambda context: run_image2cad(image_path, settings, context, size=size),
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
        self.result = result
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
                candidates=[c["code"] for c in result.choices],
            )
        except ValueError as exc:
            self._failed(str(exc))
            return
        self.outcome = "done"
        self.progress.setValue(100)
        warning = " (added although the match is low)" if result.low_match else ""
        self.stage.setText(
            f"Done{warning}: {self.feature.Label}, volume {self.feature.Shape.Volume:.6g} mm³. "
            "Edit its parameters in the property view; double-click it for the code."
        )
        self._show_result(result)
        self._idle()
        if Gui.ActiveDocument is not None and Gui.ActiveDocument.Document is doc:
            Gui.ActiveDocument.ActiveView.viewIsometric()
            Gui.SendMsgToActiveView("ViewFit")

    # -- after the run: overlay, match, size, candidates, keeping ----------------------------

    def _show_result(self, result: ImageJobResult) -> None:
        """The overlay in place of the picture, the match and the size report, the candidates."""
        if result.overlay:
            image = QtGui.QImage(result.overlay)
            if not image.isNull():
                self.form.preview.setPixmap(
                    QtGui.QPixmap.fromImage(
                        image.scaled(
                            PREVIEW_SIZE,
                            PREVIEW_SIZE,
                            QtCore.Qt.KeepAspectRatio,
                            QtCore.Qt.SmoothTransformation,
                        )
                    )
                )
                self.form.preview.setToolTip(
                    "The result (outline and translucent fill) drawn over your picture"
                )
        self._show_choices(result)
        self._describe_match()

    def _describe_match(self) -> None:
        """The match of the candidate in use (the overlay shows the engine's pick) and the size."""
        result = self.result
        if result is None:
            self._show_match("")
            return
        chosen = self._chosen()
        lines = []
        if chosen > 0 and chosen < len(result.choices):
            match = result.choices[chosen].get("match")
            first = result.choices[0].get("match")
            if isinstance(match, (int, float)):
                lines.append(f"<b>Match with the picture: {match:.0%}</b> (candidate {chosen + 1})")
            if isinstance(first, (int, float)):
                lines.append(f"The overlay above shows candidate 1 ({first:.0%}).")
        elif result.match is not None:
            lines.append(f"<b>Match with the picture: {result.match:.0%}</b> (overlay above)")
        summary = size_summary(result.size)
        if summary:
            lines.append(summary)
        self._show_match("<br>".join(lines))
        self.form.match.setToolTip(size_details(result.size))

    def _show_match(self, html: str) -> None:
        self.form.match.setText(html)
        self.form.match.setVisible(bool(html))

    def _show_choices(self, result: ImageJobResult | None) -> None:
        """One checkable thumbnail button per candidate (two a row), the one in use checked;
        hidden when the run offered only one."""
        grid: QtGui.QGridLayout = self.form.choices.layout()
        for button in self.choice_buttons:
            grid.removeWidget(button)
            button.deleteLater()
        self.choice_buttons = []
        choices = result.choices if result is not None else ()
        self.form.choices.setVisible(len(choices) > 1)
        if len(choices) < 2:
            self._sync.stop()
            return
        self._sync.start()
        for number, choice in enumerate(choices):
            button = QtGui.QToolButton(self.form.choices)
            button.setCheckable(True)
            button.setAutoRaise(False)
            button.setToolButtonStyle(QtCore.Qt.ToolButtonTextUnderIcon)
            button.setSizePolicy(QtGui.QSizePolicy.Expanding, QtGui.QSizePolicy.Fixed)
            thumbnail = QtGui.QPixmap(str(choice.get("thumbnail") or ""))
            if not thumbnail.isNull():
                button.setIcon(QtGui.QIcon(thumbnail))
                button.setIconSize(QtCore.QSize(THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            match = choice.get("match")
            button.setProperty(
                "label", f"{number + 1}: {match:.0%}" if isinstance(match, (int, float)) else f"{number + 1}"
            )
            button.setToolTip(_choice_tooltip(number, choice))
            button.clicked.connect(lambda _checked=False, index=number: self.choose(index))
            grid.addWidget(button, number // 2, number % 2)
            self.choice_buttons.append(button)
        self._sync_choice_buttons()

    def _chosen(self) -> int:
        feature = self._feature()
        return int(feature.Chosen) if feature is not None else -1

    def _feature(self):
        """The part this run added, while it is still in its document."""
        feature = self.feature
        try:
            return feature if feature is not None and feature.Document.getObject(feature.Name) else None
        except (ReferenceError, RuntimeError):  # deleted: FreeCAD's object is gone
            return None

    def choose(self, index: int) -> bool:
        """Build the part from candidate ``index`` (its code runs on a worker, then one undo step
        replaces the feature's code); False when there is nothing to choose or work is running."""
        feature = self._feature()
        if feature is None or self.busy or not 0 <= index < len(feature.Candidates):
            self._sync_choice_buttons()
            return False
        if index == feature.Chosen:
            self._sync_choice_buttons()
            return False
        code, settings = feature.Candidates[index], self.settings
        self.stage.setText(f"Building candidate {index + 1}...")
        self.choice_job = Job(
            lambda _context: engine.run(code, settings),
            on_finished=lambda run: self._chose(index, run),
            on_failed=lambda message: self._chose_failed(index, message),
        ).start()
        self._idle()
        return True

    def _chose(self, index: int, run) -> None:
        feature = self._feature()
        if feature is None:
            return
        try:
            choose_candidate(feature, index, run)
        except (ValueError, IndexError) as exc:
            self._chose_failed(index, str(exc))
            return
        choice = self.result.choices[index] if self.result and index < len(self.result.choices) else {}
        match = choice.get("match")
        said = f" (match {match:.0%})" if isinstance(match, (int, float)) else ""
        if self._alive():
            self.code.setPlainText(feature.Code)
            self.stage.setText(
                f"{feature.Label} is now candidate {index + 1}{said}, volume {feature.Shape.Volume:.6g} mm³. "
                "Ctrl+Z brings back the previous one."
            )
            self._idle()
        if Gui.ActiveDocument is not None:
            Gui.SendMsgToActiveView("ViewFit")

    def _chose_failed(self, index: int, message: str) -> None:
        if self._alive():
            self.stage.setText(f"Candidate {index + 1} was not used: {message}")
            self._idle()

    def _sync_choice_buttons(self) -> None:
        """Check and mark the candidate the part is built from now (also after Ctrl+Z)."""
        if not self._alive() or not self.choice_buttons:
            return
        chosen = self._chosen()
        changed = False
        for number, button in enumerate(self.choice_buttons):
            text = f"{IN_USE} {button.property('label')}" if number == chosen else button.property("label")
            changed |= button.isChecked() != (number == chosen)
            button.setChecked(number == chosen)
            button.setText(text)
        if changed:
            self._describe_match()

    def keep(self) -> bool:
        """Keep the picture and the part's current code (with property edits) as a training example."""
        feature = self._feature()
        if feature is None or self.busy:
            return False
        self.kept = ""
        self.code.setPlainText(current_code(feature))  # what is kept: the code with the user's edits
        self.form.keepButton.setText("Keeping...")
        self.keep_job = keep_feature(feature, self.settings, self._kept)
        self._idle()
        return True

    def _kept(self, sentence: str, kept: bool) -> None:
        self.kept = sentence
        if self._alive():
            self.form.keepButton.setText("Keep as training example")
            self._show_notice("" if kept else sentence)
            if kept:
                self.stage.setText(sentence)
            self._idle()

    @property
    def busy(self) -> bool:
        """A run, a candidate being built or an example being kept."""
        return self.running or any(j is not None and j.running for j in (self.choice_job, self.keep_job))

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
        busy = self.busy
        for widget in (self.form.openButton, self.form.pasteButton, self.form.sizeAxis, self.form.sizeValue):
            widget.setEnabled(not busy)
        self.form.runButton.setEnabled(not busy and self.image_path is not None)
        self.form.cancelButton.setEnabled(self.running)
        self.form.keepButton.setEnabled(not busy and self._feature() is not None)
        for button in self.choice_buttons:
            button.setEnabled(not busy)
        self._sync_choice_buttons()
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


def _choice_tooltip(number: int, choice: dict) -> str:
    kind = "read off the picture" if choice.get("grounded") else "the model's"
    fitted = ", dimensions fitted to the picture" if choice.get("refined") else ""
    volume = choice.get("volume")
    size = f", volume {volume:.4g} mm³" if isinstance(volume, (int, float)) else ""
    first = " (the engine's pick)" if choice.get("chosen") else ""
    return f"Candidate {number + 1}{first}: {kind}{fitted}{size}"
