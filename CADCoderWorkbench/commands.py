"""The workbench's commands: what each toolbar button does, as thin calls into panels and core."""

from __future__ import annotations

import difflib
import tempfile
from pathlib import Path

import FreeCAD as App
import FreeCADGui as Gui
from PySide import QtGui

from CADCoderWorkbench.bootstrap import REPO_ROOT

ICONS = REPO_ROOT / "resources" / "icons"
SNAPSHOT_SIZE = 448  # the training images' size


def selected_feature():
    for obj in Gui.Selection.getSelection():
        if (
            hasattr(obj, "Code")
            and getattr(getattr(obj, "Proxy", None), "__class__", None).__name__ == "CadQueryFeature"
        ):
            return obj
    return None


class ImageToCad:
    def GetResources(self):
        return {
            "Pixmap": str(ICONS / "image_to_cad.svg"),
            "MenuText": "Image to CAD",
            "ToolTip": "Turn a photo or render of a part into an editable CadQuery feature",
        }

    def Activated(self):
        path, _ = QtGui.QFileDialog.getOpenFileName(
            Gui.getMainWindow(), "Picture of a part", "", "Images (*.png *.jpg *.jpeg *.bmp *.webp *.heic)"
        )
        if path:
            from CADCoderWorkbench.panels import ImagePanel

            Gui.Control.showDialog(ImagePanel(path))

    def IsActive(self):
        return not Gui.Control.activeDialog()


class SnapshotToCad:
    def GetResources(self):
        return {
            "Pixmap": str(ICONS / "snapshot_to_cad.svg"),
            "MenuText": "Snapshot to CAD",
            "ToolTip": "Capture the 3D view (or the selected objects) isometric on white, then Image to CAD",
        }

    def Activated(self):
        path = snapshot(only_selected=bool(Gui.Selection.getSelection()))
        from CADCoderWorkbench.panels import ImagePanel

        Gui.Control.showDialog(ImagePanel(path))

    def IsActive(self):
        return (
            App.ActiveDocument is not None
            and Gui.ActiveDocument is not None
            and not Gui.Control.activeDialog()
        )


def snapshot(only_selected: bool = False, path: str | None = None) -> str:
    """An isometric, fit-all, white-background PNG of the active view, in the training images' style;
    with ``only_selected`` the other objects are hidden for the shot and shown again after."""
    view = Gui.ActiveDocument.ActiveView
    path = path or str(Path(tempfile.mkdtemp(prefix="cadcoder-snapshot-")) / "snapshot.png")
    hidden = []
    chosen = list(Gui.Selection.getSelection())
    Gui.Selection.clearSelection()  # the highlight colour would end up in the picture
    if only_selected:
        for obj in App.ActiveDocument.Objects:
            if obj not in chosen and obj.ViewObject is not None and obj.ViewObject.Visibility:
                obj.ViewObject.Visibility = False
                hidden.append(obj)
    try:
        view.viewIsometric()
        view.fitAll()
        view.saveImage(path, SNAPSHOT_SIZE, SNAPSHOT_SIZE, "White")
    finally:
        for obj in hidden:
            obj.ViewObject.Visibility = True
        for obj in chosen:
            Gui.Selection.addSelection(obj)
    return path


class CodeToCad:
    def GetResources(self):
        return {
            "Pixmap": str(ICONS / "code_to_cad.svg"),
            "MenuText": "Code to CAD / edit code",
            "ToolTip": "Write, paste or load CadQuery code (or edit the selected feature's code)",
        }

    def Activated(self):
        from CADCoderWorkbench.panels import CodePanel

        Gui.Control.showDialog(CodePanel(selected_feature()))

    def IsActive(self):
        return not Gui.Control.activeDialog()


class EditWithPrompt:
    def GetResources(self):
        return {
            "Pixmap": str(ICONS / "edit_with_prompt.svg"),
            "MenuText": "Edit with prompt",
            "ToolTip": "Change the selected CadQuery feature in words: 'add 1 mm fillets to all edges'",
        }

    def Activated(self):
        from CADCoderWorkbench.cadquery_feature import sync_parameters
        from core.program.edits import EditNotUnderstood, apply_edit
        from core.sandbox import run_code

        feature = selected_feature()
        window = Gui.getMainWindow()
        instruction, ok = QtGui.QInputDialog.getText(window, "Edit with prompt", "What should change?")
        if not ok or not instruction.strip():
            return
        try:
            code, edit = apply_edit(feature.Code, instruction)
        except EditNotUnderstood as exc:
            QtGui.QMessageBox.information(window, "Edit with prompt", str(exc))
            return
        result = run_code(code, timeout=60.0)
        if not result.ok:
            QtGui.QMessageBox.warning(
                window,
                "Edit with prompt",
                f"The edit does not run ({result.status.value}): {result.message}\nNothing was changed.",
            )
            return
        diff = "".join(
            difflib.unified_diff(feature.Code.splitlines(True), code.splitlines(True), "before", "after")
        )
        box = QtGui.QMessageBox(
            QtGui.QMessageBox.Question,
            "Edit with prompt",
            f"Apply: {edit.describe()}?\nNew volume {result.volume:.6g}",
            QtGui.QMessageBox.Yes | QtGui.QMessageBox.No,
            window,
        )
        box.setDetailedText(diff)
        if box.exec_() != QtGui.QMessageBox.Yes:
            return
        doc = feature.Document
        doc.openTransaction("Edit with prompt")
        feature.Code = code
        sync_parameters(feature)
        doc.recompute()
        doc.commitTransaction()

    def IsActive(self):
        return selected_feature() is not None


class Settings:
    def GetResources(self):
        return {"MenuText": "Settings...", "ToolTip": "Model backend, candidates and timeouts"}

    def Activated(self):
        Gui.showPreferences("CAD-Coder", 0)


COMMANDS = {
    "CADCoder_ImageToCad": ImageToCad(),
    "CADCoder_SnapshotToCad": SnapshotToCad(),
    "CADCoder_CodeToCad": CodeToCad(),
    "CADCoder_EditWithPrompt": EditWithPrompt(),
    "CADCoder_Settings": Settings(),
}
TOOLBAR = ["CADCoder_ImageToCad", "CADCoder_SnapshotToCad", "CADCoder_CodeToCad", "CADCoder_EditWithPrompt"]
MENU = [*TOOLBAR, "Separator", "CADCoder_Settings"]


def register() -> None:
    for name, command in COMMANDS.items():
        Gui.addCommand(name, command)
    Gui.addPreferencePage(str(REPO_ROOT / "resources" / "ui" / "preferences.ui"), "CAD-Coder")
