"""Convert to native: a CadQuery feature -> a PartDesign body of sketches, pads and pockets.

This panel owns the user's side: it reads the code into ``core.program.sketch_ir`` on a worker
thread (standard library, no engine needed), shows what the native body will contain -- its
features, its fully constrained sketches and the parameters that name their dimensions -- or why
the program is outside the translatable subset, in which case OK is disabled with that reason
(pressing it could do nothing). On OK it hands the plan to
``CADCoderWorkbench.native.builder.build_native`` on the GUI thread, inside one undo transaction
(aborted, with the partial objects, when FreeCAD cannot build a step).
"""

from __future__ import annotations

import importlib
import importlib.util

import FreeCADGui as Gui
from PySide import QtGui

from CADCoderWorkbench.jobs import Job
from CADCoderWorkbench.panel_widgets import load_form, make_code_view
from CADCoderWorkbench.task_buttons import OkGate
from core.program.sketch_constraints import plan_sketch
from core.program.sketch_ir import Boolean, Extrude, NotNative, Primitive, Program, leaves, parse_program

BUILDER_MODULE = "CADCoderWorkbench.native.builder"


def dimension_names(program: Program) -> list[str]:
    """The parameters that name the sketches' dimensions (each once, in sketch order)."""
    names: dict[str, None] = {}
    for sketch in program.sketches:
        for c in plan_sketch(sketch.loops).constraints:
            if c.name:
                names.setdefault(c.name.rstrip("_0123456789") or c.name, None)
    return list(names)


def describe_program(program: Program) -> str:
    """What the native body will hold, one line per step, in build order."""
    lines = [f"{len(program.sketches)} sketch(es), each fully constrained"]
    names = dimension_names(program)
    if names:
        lines.append("dimensions named: " + ", ".join(names))

    def walk(node, depth: int) -> None:
        pad = "  " * depth
        if isinstance(node, Boolean):
            lines.append(f"{pad}{node.op} (line {node.line})")
            walk(node.base, depth + 1)
            walk(node.tool, depth + 1)
        elif isinstance(node, Extrude):
            loops = len(node.sketch.loops)
            how = (
                "through all"
                if node.distance is None
                else f"{node.distance:g} mm" + (" both ways" if node.both else "")
            )
            lines.append(f"{pad}extrude {loops} loop(s) {how} (line {node.line})")
        elif isinstance(node, Primitive):
            size = " x ".join(f"{v:g}" for v in node.size)
            lines.append(f"{pad}{node.kind} {size} (line {node.line})")

    walk(program.solid, 0)
    lines.append(f"{len(leaves(program.solid))} feature(s) in all")
    return "\n".join(lines)


def builder_installed() -> bool:
    return importlib.util.find_spec(BUILDER_MODULE) is not None


class ConvertPanel:
    def __init__(self, feature) -> None:
        self.feature = feature
        self.form = load_form("convert_panel")
        self.form.feature.setText(f"Feature: {feature.Label}")
        self.status: QtGui.QLabel = self.form.status
        make_code_view(self.form.plan)
        self.program: Program | None = None
        self.body = None
        self.ok = OkGate("Reading the code...")
        code = feature.Code
        self.job = Job(
            lambda _context: parse_program(code), on_finished=self._planned, on_failed=self._failed
        ).start()

    def modifyStandardButtons(self, box) -> None:
        """FreeCAD calls this with the dialog's buttons when it shows the panel."""
        self.ok.attach(box)

    def _planned(self, program: Program) -> None:
        self.program = program
        self.form.plan.setPlainText(describe_program(program))
        if builder_installed():
            self.ok.set("")
            self.status.setText("This program can be rebuilt natively. OK builds the body.")
        else:
            self.ok.set(f"The native builder ({BUILDER_MODULE}) is not installed in this version.")
            self.status.setText(self.ok.reason)

    def _failed(self, message: str) -> None:
        self.ok.set(f"Nothing to convert: {message}")
        self.status.setText(f"Stays a CadQuery feature: {message}")
        self.form.plan.setPlainText(
            "Convert to native rebuilds sketch-and-extrude programs (outlines, circles, polylines,\n"
            "rect/rarray/polarArray patterns, slots, holes, boxes, cylinders, booleans).\n"
            f"This one is not: {message}"
        )

    def accept(self) -> bool:
        if self.program is None or not builder_installed():
            return False
        builder = importlib.import_module(BUILDER_MODULE)
        doc = self.feature.Document
        doc.openTransaction("Convert to native")
        try:
            self.body = builder.build_native(doc, self.program).result
            if self.form.hideOriginal.isChecked() and self.feature.ViewObject is not None:
                self.feature.ViewObject.Visibility = False
            doc.recompute()
        except (NotNative, ValueError, RuntimeError) as exc:
            doc.abortTransaction()
            self.status.setText(f"Not converted: {exc}")
            return False
        doc.commitTransaction()
        Gui.Control.closeDialog()
        return True

    def reject(self) -> bool:
        Gui.Control.closeDialog()
        return True
