# FreeCAD executes this file at GUI start-up. Only the workbench class is defined here: its
# commands, panels and the engine client are imported when the user first activates it.
import FreeCADGui as Gui


class CADCoderWorkbench(Gui.Workbench):
    MenuText = "CAD-Coder"
    ToolTip = "Picture of a part -> editable CAD (CadQuery features)"

    def __init__(self):
        from CADCoderWorkbench.bootstrap import REPO_ROOT

        self.__class__.Icon = str(REPO_ROOT / "resources" / "icons" / "cadcoder.svg")

    def Initialize(self):
        from CADCoderWorkbench import commands

        commands.register()
        self.appendToolbar("CAD-Coder", commands.TOOLBAR)
        self.appendMenu("CAD-Coder", commands.MENU)

    def GetClassName(self):
        return "Gui::PythonWorkbench"


Gui.addWorkbench(CADCoderWorkbench())
