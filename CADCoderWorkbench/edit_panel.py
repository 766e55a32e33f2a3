"""Edit with prompt: "add 1 mm fillets to all edges" -> changed code, previewed as a diff, applied
as one undo step only when the new code runs.

The rule-based edits of ``core.program.edits`` work with every backend (CAD-Coder itself follows
instructions poorly after fine-tuning); the edit and its sandbox run happen on a worker thread.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import FreeCADGui as Gui
from PySide import QtGui

from CADCoderWorkbench import engine, preferences
from CADCoderWorkbench.cadquery_feature import update_code
from CADCoderWorkbench.jobs import Job
from CADCoderWorkbench.panel_widgets import load_form, make_code_view
from CADCoderWorkbench.settings import Settings
from core.program.edits import apply_edit
from core.sandbox import ExecutionResult


@dataclass(frozen=True)
class EditPreview:
    instruction: str
    description: str
    code: str
    result: ExecutionResult


def preview_edit(code: str, instruction: str, settings: Settings) -> EditPreview:
    """The edited code and its run; EditNotUnderstood (a ValueError) when no rule matches."""
    new_code, edit = apply_edit(code, instruction)
    return EditPreview(instruction, edit.describe(), new_code, engine.run(new_code, settings))


def unified_diff(before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), "before", "after"))


class EditPanel:
    def __init__(self, feature) -> None:
        self.feature = feature
        self.form = load_form("edit_panel")
        self.form.feature.setText(f"Feature: {feature.Label} ({feature.Status})")
        self.instruction: QtGui.QLineEdit = self.form.instruction
        self.summary: QtGui.QLabel = self.form.summary
        make_code_view(self.form.diff)
        self.form.previewButton.clicked.connect(self.preview)
        self.instruction.returnPressed.connect(self.preview)
        self.job: Job | None = None
        self.previewed: EditPreview | None = None
        self.applied = False

    def preview(self, then_apply: bool = False) -> None:
        instruction = self.instruction.text().strip()
        if not instruction or (self.job is not None and self.job.running):
            return
        code, settings = self.feature.Code, preferences.load()
        self.summary.setText("Editing and running the new code...")
        self.form.previewButton.setEnabled(False)
        self.job = Job(
            lambda _context: preview_edit(code, instruction, settings),
            on_finished=lambda preview: self._previewed(preview, then_apply),
            on_failed=self._failed,
        ).start()

    def _previewed(self, preview: EditPreview, then_apply: bool) -> None:
        self.form.previewButton.setEnabled(True)
        self.previewed = preview
        self.form.diff.setPlainText(unified_diff(self.feature.Code, preview.code))
        if preview.result.ok:
            self.summary.setText(
                f"{preview.description}: volume {self.feature.Shape.Volume:.6g} -> "
                f"{preview.result.volume:.6g} mm³. OK applies it."
            )
            if then_apply:
                self._apply(preview)
        else:
            self.summary.setText(
                f"{preview.description}, but the new code does not run: {engine.describe(preview.result)}. "
                "Nothing was changed."
            )

    def _failed(self, message: str) -> None:
        self.form.previewButton.setEnabled(True)
        self.summary.setText(message)

    def _apply(self, preview: EditPreview) -> None:
        try:
            update_code(self.feature, preview.code, preview.result, label="Edit with prompt")
        except ValueError as exc:
            self.summary.setText(f"Not applied: {exc}")
            return
        self.applied = True
        Gui.Control.closeDialog()

    def accept(self) -> bool:
        preview = self.previewed
        if (
            preview is not None
            and preview.instruction == self.instruction.text().strip()
            and preview.result.ok
        ):
            self._apply(preview)
        else:
            self.preview(then_apply=True)
        return False  # closed by _apply

    def reject(self) -> bool:
        if self.job is not None and self.job.running:
            self.job.cancel()
        Gui.Control.closeDialog()
        return True
