"""Edit with prompt: "add 1 mm fillets to all edges" -> changed code, previewed as the edited part
in the 3D view (green, over the hidden original) and as a diff, applied as one undo step only when
the new code runs and the user accepts it; Cancel removes the preview and changes nothing.

The rule-based edits of ``core.program.edits`` work with every backend (CAD-Coder itself follows
instructions poorly after fine-tuning). With a remote (chat) backend the panel also offers the
model: Rules, Model, or Auto (the rules, else the model); the model's edit runs as ``cadcoder edit``
in the engine's process. Every edit and its sandbox run happen on a worker thread
(``edit_job.preview_edit``); code that does not run is shown but never replaces the feature.
A face selected in the 3D view is where a hole goes (``core.program.hole_placement``).
"""

from __future__ import annotations

import difflib
import os

import FreeCADGui as Gui
from PySide import QtGui

from CADCoderWorkbench import engine, preferences
from CADCoderWorkbench.cadquery_feature import update_code
from CADCoderWorkbench.edit_job import ENGINES, EditPreview, preview_edit
from CADCoderWorkbench.edit_preview import Preview, selected_face_centre
from CADCoderWorkbench.jobs import Job
from CADCoderWorkbench.panel_widgets import load_form, make_code_view

__all__ = ["EditPanel", "EditPreview", "preview_edit", "unified_diff"]


def unified_diff(before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), "before", "after"))


class EditPanel:
    def __init__(self, feature) -> None:
        self.feature = feature
        self.form = load_form("edit_panel")
        self.form.feature.setText(f"Feature: {feature.Label} ({feature.Status})")
        self.instruction: QtGui.QLineEdit = self.form.instruction
        self.summary: QtGui.QLabel = self.form.summary
        self.engine: QtGui.QComboBox = self.form.engine
        make_code_view(self.form.diff)
        self.form.previewButton.clicked.connect(self.preview)
        self.instruction.returnPressed.connect(self.preview)
        # The model is offered only where there is one that follows instructions.
        self.model_offered = engine.follows_instructions(preferences.load())
        self.form.engineLabel.setVisible(self.model_offered)
        self.engine.setVisible(self.model_offered)
        if self.model_offered:
            self.engine.setCurrentIndex(ENGINES.index("auto"))
            self.form.examples.setText(
                self.form.examples.text() + " Anything else goes to the model (Model or Auto)."
            )
        self.job: Job | None = None
        self.shown: Preview | None = None  # the edited part in the 3D view
        self.face = selected_face_centre(feature)
        self._show_face()
        self.previewed: EditPreview | None = None
        self._previewed_with: tuple[str, str] | None = None  # (instruction, engine choice)
        self.applied = False

    @property
    def choice(self) -> str:
        """The engine choice: one of ``edit_job.ENGINES``; always "rules" without a chat model."""
        return ENGINES[self.engine.currentIndex()] if self.model_offered else "rules"

    def preview(self, then_apply: bool = False) -> None:
        instruction = self.instruction.text().strip()
        if not instruction or (self.job is not None and self.job.running):
            return
        code, settings, choice = self.feature.Code, preferences.load(), self.choice
        self.face = selected_face_centre(self.feature) or self.face
        self._show_face()
        at = self.face[1] if self.face else None
        self._discard_preview()
        picture = getattr(self.feature, "SourceImage", "") or None
        picture = picture if picture and os.path.isfile(picture) else None
        self.summary.setText(
            "Asking the model..." if choice == "model" else "Editing and running the new code..."
        )
        self.form.previewButton.setEnabled(False)
        self.form.diff.clear()
        self.job = Job(
            lambda context: preview_edit(code, instruction, settings, choice, context, picture, at),
            on_finished=lambda preview: self._previewed(preview, (instruction, choice), then_apply),
            on_failed=self._failed,
            on_cancelled=lambda: self._failed("Cancelled; nothing was changed."),
            on_progress=self.summary.setText,
            on_text=self._stream,
        ).start()

    def _stream(self, piece: str) -> None:
        """The model's reply as it is written; the diff replaces it."""
        self.form.diff.moveCursor(QtGui.QTextCursor.End)
        self.form.diff.insertPlainText(piece)

    def _previewed(self, preview: EditPreview, asked: tuple[str, str], then_apply: bool) -> None:
        self.form.previewButton.setEnabled(True)
        self.previewed, self._previewed_with = preview, asked
        self.form.diff.setPlainText(unified_diff(self.feature.Code, preview.code))
        if preview.result.ok:
            if then_apply:
                self._apply(preview)
                return
            self._show_preview(preview)
            self.summary.setText(
                f"{preview.description}: volume {self.feature.Shape.Volume:.6g} -> "
                f"{preview.result.volume:.6g} mm³. Green in the 3D view: the edited part. "
                "OK applies it, Cancel discards it."
            )
        else:
            self.summary.setText(
                f"{preview.description}, but the new code does not run: {engine.describe(preview.result)}. "
                "Nothing was changed."
            )

    def _failed(self, message: str) -> None:
        self.form.previewButton.setEnabled(True)
        self.form.diff.clear()
        self.summary.setText(message)

    def _show_face(self) -> None:
        self.form.face.setVisible(self.face is not None)
        if self.face is not None:
            name, (x, y, z) = self.face
            self.form.face.setText(f"Selected {name} (centre {x:.4g}, {y:.4g}, {z:.4g}): a hole goes there.")

    def _show_preview(self, preview: EditPreview) -> None:
        if preview.result.brep is None:
            return
        try:
            self.shown = Preview(self.feature, preview.result.brep)
        except (ValueError, RuntimeError, UnicodeDecodeError) as exc:  # a BREP FreeCAD cannot read
            self.summary.setText(f"{preview.description}; the preview cannot be shown: {exc}")

    def _discard_preview(self) -> None:
        if self.shown is not None:
            self.shown.discard()
            self.shown = None

    def _apply(self, preview: EditPreview) -> None:
        self._discard_preview()
        try:
            update_code(self.feature, preview.code, preview.result, label="Edit with prompt")
        except ValueError as exc:
            self.summary.setText(f"Not applied: {exc}")
            return
        self.applied = True
        Gui.Control.closeDialog()

    def accept(self) -> bool:
        preview = self.previewed
        asked = (self.instruction.text().strip(), self.choice)
        if preview is not None and self._previewed_with == asked and preview.result.ok:
            self._apply(preview)
        else:
            self.preview(then_apply=True)
        return False  # closed by _apply

    def reject(self) -> bool:
        if self.job is not None and self.job.running:
            self.job.cancel()
        self._discard_preview()
        Gui.Control.closeDialog()
        return True
