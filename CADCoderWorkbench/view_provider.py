"""How a CadQuery feature behaves in the tree: its icon, and double-click opens its code (GUI only).

Like the feature's proxy, ``CADCoderWorkbench.view_provider.CadQueryViewProvider`` is written into
saved files: never rename or move it.
"""

from __future__ import annotations

import FreeCADGui as Gui

from CADCoderWorkbench.bootstrap import REPO_ROOT

ICON = str(REPO_ROOT / "resources" / "icons" / "cadquery_feature.svg")
EDIT_CODE = 0  # the default edit mode (double-click, "Edit" in the context menu)


class CadQueryViewProvider:
    def __init__(self, vobj) -> None:
        vobj.Proxy = self

    def attach(self, vobj) -> None:
        self.Object = vobj.Object
        self.panel = None  # the code panel while the feature is in edit

    def getIcon(self) -> str:
        return ICON

    def doubleClicked(self, vobj) -> bool:
        Gui.ActiveDocument.setEdit(vobj.Object, EDIT_CODE)
        return True

    def setEdit(self, vobj, mode: int = 0) -> bool:
        if mode != EDIT_CODE:
            return False
        from CADCoderWorkbench.code_panel import CodePanel  # Qt forms load on first use only

        self.panel = CodePanel(vobj.Object, on_close=Gui.ActiveDocument.resetEdit)
        Gui.Control.showDialog(self.panel)
        return True

    def unsetEdit(self, vobj, mode: int = 0) -> bool:
        if mode != EDIT_CODE:
            return False
        if Gui.Control.activeDialog():
            Gui.Control.closeDialog()
        self.panel = None
        return True

    def __getstate__(self):
        return None

    def __setstate__(self, state) -> None:
        return None

    def dumps(self):
        return None

    def loads(self, state) -> None:
        return None
