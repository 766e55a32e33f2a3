"""The workbench's commands, declared as data (ID, icon, menu text, tooltip) with thin actions.

Commands are GUI glue only: they pick a file or the selection and open a task panel; panels call
the GUI-less make-functions of ``cadquery_feature``. Panels are imported when a command runs, so
activating the workbench loads no Qt forms and nothing of the engine.
"""

from __future__ import annotations

import FreeCAD as App
import FreeCADGui as Gui

from CADCoderWorkbench import engine, preferences
from CADCoderWorkbench.cadquery_feature import is_cadquery_feature, set_view_provider
from CADCoderWorkbench.panel_widgets import ICON_DIR, UI_DIR, icon
from CADCoderWorkbench.view_provider import CadQueryViewProvider


def selected_feature():
    """The first selected CadQuery feature, or None."""
    return next((o for o in Gui.Selection.getSelection() if is_cadquery_feature(o)), None)


def selection_box(selection):
    """The selected solids' bounding box (Snapshot to CAD puts its part there), or None."""
    from CADCoderWorkbench import layout

    boxes = []
    for obj in selection:
        shape = getattr(obj, "Shape", None)
        if shape is not None and not shape.isNull() and shape.BoundBox.isValid():
            b = shape.BoundBox
            boxes.append((b.XMin, b.YMin, b.ZMin, b.XMax, b.YMax, b.ZMax))
    return layout.union(boxes)


def no_dialog_open() -> bool:
    return not Gui.Control.activeDialog()


class Command:
    ID = ""
    ICON = ""  # a file in resources/icons, or the name of one of FreeCAD's own icons
    MENU_TEXT = ""
    TOOLTIP = ""

    def GetResources(self) -> dict[str, str]:
        pixmap = icon(self.ICON) if self.ICON.endswith(".svg") else self.ICON
        return {"Pixmap": pixmap, "MenuText": self.MENU_TEXT, "ToolTip": self.TOOLTIP}

    def IsActive(self) -> bool:
        return no_dialog_open()


class ImageToCad(Command):
    ID = "CADCoder_ImageToCad"
    ICON = "image_to_cad.svg"
    MENU_TEXT = "Image to CAD"
    TOOLTIP = "Turn a photo or render of a part (opened, pasted or dropped) into an editable CadQuery feature"

    def Activated(self) -> None:
        """The panel takes the picture: Open..., Paste (Ctrl+V) or a drop, then Run."""
        from CADCoderWorkbench.image_panel import ImagePanel
        from CADCoderWorkbench.setup_dialog import ensure_engine

        if ensure_engine(preferences.load()):
            Gui.Control.showDialog(ImagePanel())


class SnapshotToCad(Command):
    ID = "CADCoder_SnapshotToCad"
    ICON = "snapshot_to_cad.svg"
    MENU_TEXT = "Snapshot to CAD"
    TOOLTIP = "Capture the 3D view (only the selected objects, if any) isometric on white, then Image to CAD"

    def Activated(self) -> None:
        from CADCoderWorkbench.image_panel import ImagePanel
        from CADCoderWorkbench.setup_dialog import ensure_engine
        from CADCoderWorkbench.snapshot import snapshot

        if not ensure_engine(preferences.load()):
            return
        selection = Gui.Selection.getSelection()
        path = snapshot(only_selected=bool(selection))
        Gui.Control.showDialog(ImagePanel(path, place_at=selection_box(selection)))

    def IsActive(self) -> bool:
        return no_dialog_open() and App.ActiveDocument is not None and Gui.ActiveDocument is not None


class CodeToCad(Command):
    ID = "CADCoder_CodeToCad"
    ICON = "code_to_cad.svg"
    MENU_TEXT = "Code to CAD / edit code"
    TOOLTIP = "Write, paste or load CadQuery code, or edit the selected CadQuery feature's code"

    def Activated(self) -> None:
        feature = selected_feature()
        if feature is not None:
            Gui.ActiveDocument.setEdit(feature)  # the view provider opens the code panel
            return
        from CADCoderWorkbench.code_panel import CodePanel

        Gui.Control.showDialog(CodePanel())


class EditWithPrompt(Command):
    ID = "CADCoder_EditWithPrompt"
    ICON = "edit_with_prompt.svg"
    MENU_TEXT = "Edit with prompt"
    TOOLTIP = "Change the selected CadQuery feature in words: 'add 1 mm fillets to all edges'"

    def Activated(self) -> None:
        from CADCoderWorkbench.edit_panel import EditPanel

        Gui.Control.showDialog(EditPanel(selected_feature()))

    def IsActive(self) -> bool:
        return no_dialog_open() and selected_feature() is not None


class ConvertToNative(Command):
    ID = "CADCoder_ConvertToNative"
    ICON = "convert_to_native.svg"
    MENU_TEXT = "Convert to native"
    TOOLTIP = "Rebuild the selected CadQuery feature as a PartDesign body of sketches, pads and pockets"

    def Activated(self) -> None:
        from CADCoderWorkbench.convert_panel import ConvertPanel

        Gui.Control.showDialog(ConvertPanel(selected_feature()))

    def IsActive(self) -> bool:
        return no_dialog_open() and selected_feature() is not None


class KeepExample(Command):
    ID = "CADCoder_KeepExample"
    ICON = "document-save"
    MENU_TEXT = "Keep as training example"
    TOOLTIP = (
        "Store the selected CadQuery feature's picture and its current code (with your edits) in your "
        "training examples, for `cadcoder train training/configs/finetune_user.yaml`"
    )

    def Activated(self) -> None:
        from CADCoderWorkbench.keep_example import keep_feature_in_background

        keep_feature_in_background(selected_feature(), preferences.load())

    def IsActive(self) -> bool:
        feature = selected_feature()
        return feature is not None and bool(feature.SourceImage)


class Settings(Command):
    ID = "CADCoder_Settings"
    ICON = "preferences-system"
    MENU_TEXT = "Settings..."
    TOOLTIP = "Model backend, candidates, timeouts and the engine environment"

    def Activated(self) -> None:
        Gui.showPreferences("CAD-Coder", 0)

    def IsActive(self) -> bool:
        return True


COMMANDS = (ImageToCad, SnapshotToCad, CodeToCad, EditWithPrompt, ConvertToNative, KeepExample, Settings)
TOOLBAR = [c.ID for c in COMMANDS if c not in (Settings, KeepExample)]
MENU = [*TOOLBAR, KeepExample.ID, "Separator", Settings.ID]


def register() -> None:
    set_view_provider(CadQueryViewProvider)  # the feature module knows nothing of the GUI
    for command in COMMANDS:
        Gui.addCommand(command.ID, command())
    Gui.addIconPath(str(ICON_DIR))  # the preferences dialog finds "preferences-cad-coder" there
    Gui.addPreferencePage(str(UI_DIR / "preferences.ui"), "CAD-Coder")


def on_activated() -> None:
    """Each time the workbench is shown: explain the setup once if the engine is missing, else
    start the sandbox worker and the standby engine on a background thread, so neither the first
    rebuild nor the first Run waits for imports (issue 15: 4-7 s of "Starting..." per run)."""
    global _explained
    settings = preferences.load()
    if engine.engine_installed(settings):
        engine.warm_up(settings)
    elif not _explained:
        _explained = True
        from CADCoderWorkbench.setup_dialog import ensure_engine

        ensure_engine(settings)


_explained = False
