# FreeCAD executes this file at GUI start-up: only the workbench class lives here. Its commands,
# panels and the engine client are imported when the user first activates the workbench.
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

    def Activated(self):
        from CADCoderWorkbench import commands

        commands.on_activated()

    def GetClassName(self):
        return "Gui::PythonWorkbench"


Gui.addWorkbench(CADCoderWorkbench())
