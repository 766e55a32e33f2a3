"""Convert to native and Edit with prompt's 3D preview in the FreeCAD 0.20 GUI, at FreeCAD's own
default window and dock sizes (nothing is resized or hidden), so the screenshots show what a new
user sees. Run under xvfb-run by freecad_case_runner.py, in a session of their own.

The programs are what the embedded model writes: the L-bracket is its answer for
resources/examples/flanged_bracket.png (``cadcoder image2cad ... --code``), the plate its answer
for a rendered hole plate of the data engine (its 0.003 hole diameter made 0.08, to be seen).
"""

import math
import sys
import unittest
from pathlib import Path

import FreeCAD as App
import FreeCADGui as Gui
from PySide import QtGui

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fc_gui_cases import settle, shoot, wait_until

MODEL_L_BRACKET = """import cadquery as cq

length = 0.695
height = 0.412
width = 0.49
thickness = 0.0607
hole_diameter = 0.0223

solid = (
    cq.Workplane("XZ")
    .polyline([(0, 0), (length, 0), (length, thickness), (thickness, thickness), (thickness, height), (0, height)])
    .close()
    .extrude(-width)
)
hole = cq.Workplane("XY").moveTo((length + thickness) / 2, width / 2).circle(hole_diameter / 2).extrude(thickness)
solid = solid.cut(hole)
"""
MODEL_HOLE_PLATE = """import cadquery as cq

length = 1.28
width = 1.1
thickness = 0.132
hole_diameter = 0.08
nx = 3
ny = 2
pitch_x = 0.495
pitch_y = 0.36

solid = (
    cq.Workplane("XY")
    .box(length, width, thickness)
    .faces(">Z")
    .workplane()
    .rarray(pitch_x, pitch_y, nx, ny)
    .hole(hole_diameter)
)
"""
# The bracket of issue 15 in mm: base 60 x 30 x 8, upright wall 8 thick and 40 high at x = 0..8.
L_BRACKET = """import cadquery as cq

length = 60.0
height = 40.0
width = 30.0
thickness = 8.0

solid = (
    cq.Workplane("XZ")
    .polyline([(0, 0), (length, 0), (length, thickness), (thickness, thickness), (thickness, height), (0, height)])
    .close()
    .extrude(-width)
)
"""
L_VOLUME = 60 * 8 * 30 + 8 * 32 * 30
HOLE_8MM = math.pi * 2.5**2 * 8


PANEL = [None]  # the panel shown last


def ok_button():
    """The OK button FreeCAD handed the panel shown last (``modifyStandardButtons``)."""
    return PANEL[0].ok.button


def show_named_constraints():
    """Sketcher's constraint list filtered to the named ones, so the screenshot shows the names."""
    try:
        combo = Gui.getMainWindow().findChild(QtGui.QComboBox, "comboBoxFilter")
        items = [combo.itemText(i) for i in range(combo.count())]
        combo.setCurrentIndex(items.index("Named"))
    except (AttributeError, RuntimeError, ValueError):  # another Sketcher layout: show them all
        return
    settle(0.3)


class DefaultLayoutCase(unittest.TestCase):
    """A new document in the window as FreeCAD lays it out by default; any dialog closed after."""

    def setUp(self):
        Gui.activateWorkbench("CADCoderWorkbench")
        self.doc = App.newDocument(self.id().rsplit(".", 1)[1][:30])
        settle(0.2)

    def tearDown(self):
        if Gui.ActiveDocument is not None and Gui.ActiveDocument.getInEdit() is not None:
            Gui.ActiveDocument.resetEdit()
        if Gui.Control.activeDialog():
            Gui.Control.closeDialog()
        App.closeDocument(self.doc.Name)
        settle(0.1)

    def make(self, code, name="CadQueryPart"):
        from CADCoderWorkbench.cadquery_feature import make_cadquery_feature

        obj = make_cadquery_feature(self.doc, code, name=name)
        self.view()
        return obj

    def view(self):
        Gui.ActiveDocument.ActiveView.viewIsometric()
        Gui.SendMsgToActiveView("ViewFit")

    def show(self, panel):
        PANEL[0] = panel
        Gui.Control.showDialog(panel)
        settle(0.3)

    def combo_width(self):
        docks = {d.objectName(): d for d in Gui.getMainWindow().findChildren(QtGui.QDockWidget)}
        return docks["Combo View"].width() if "Combo View" in docks else None


class ConvertToNativeTests(DefaultLayoutCase):
    def convert(self, code):
        from CADCoderWorkbench.convert_panel import ConvertPanel

        obj = self.make(code)
        panel = ConvertPanel(obj)
        self.show(panel)
        wait_until(lambda: not panel.job.running, what="the plan")
        settle(0.3)
        return obj, panel

    def test_the_embedded_models_l_bracket_becomes_a_fully_constrained_named_body(self):
        obj, panel = self.convert(MODEL_L_BRACKET)
        plan = panel.form.plan.toPlainText()
        self.assertIn("dimensions named: length, thickness, height", plan)
        self.assertTrue(ok_button().isEnabled(), panel.status.text())
        shoot("convert_l_bracket_plan")
        accepted = panel.accept()
        self.assertTrue(accepted, accepted or panel.status.text())
        self.assertAlmostEqual(panel.body.Shape.Volume, obj.Shape.Volume, delta=1e-9 * obj.Shape.Volume)
        sketches = [o for o in self.doc.Objects if o.TypeId == "Sketcher::SketchObject"]
        self.assertEqual(len(sketches), 2)
        for sketch in sketches:
            self.assertEqual(sketch.solve(), 0)
            self.assertTrue(sketch.FullyConstrained, sketch.Label)
        names = {c.Name for s in sketches for c in s.Constraints if c.Name}
        self.assertLessEqual({"length", "height", "thickness", "hole_diameter"}, names)
        profile = next(s for s in sketches if "length" in [c.Name for c in s.Constraints])
        profile.ViewObject.Visibility = True
        Gui.ActiveDocument.setEdit(profile.Name)
        settle(1.0)
        Gui.SendMsgToActiveView("ViewFit")
        show_named_constraints()
        shoot("convert_l_bracket_sketch")
        # A named dimension drives the body: a longer base, a bigger solid.
        Gui.ActiveDocument.resetEdit()
        before = panel.body.Shape.Volume
        profile.setDatum("length", App.Units.Quantity("0.8 mm"))
        self.doc.recompute()
        self.assertGreater(panel.body.Shape.Volume, before)

    def test_the_embedded_models_hole_plate_becomes_a_body_with_pitch_dimensions(self):
        obj, panel = self.convert(MODEL_HOLE_PLATE)
        accepted = panel.accept()
        self.assertTrue(accepted, accepted or panel.status.text())
        self.assertAlmostEqual(panel.body.Shape.Volume, obj.Shape.Volume, delta=1e-9 * obj.Shape.Volume)
        (sketch,) = [o for o in self.doc.Objects if o.TypeId == "Sketcher::SketchObject"]
        self.assertTrue(sketch.FullyConstrained)
        names = {c.Name for c in sketch.Constraints if c.Name}
        self.assertLessEqual({"hole_diameter", "pitch_x", "pitch_y"}, names)
        self.view()
        shoot("convert_hole_plate_body")

    def test_ok_is_disabled_with_the_reason_when_nothing_can_be_converted(self):
        obj, panel = self.convert("import cadquery as cq\nsolid = cq.Workplane().sphere(5)\n")
        button = ok_button()
        self.assertIsNotNone(button)
        self.assertFalse(button.isEnabled())
        self.assertIn("Workplane.sphere()", button.toolTip())
        self.assertIn("Stays a CadQuery feature", panel.status.text())
        shoot("convert_refused_ok_disabled")
        self.assertFalse(panel.accept())
        self.assertEqual([o.Name for o in self.doc.Objects], [obj.Name])


class EditPreviewTests(DefaultLayoutCase):
    def preview(self, obj, instruction):
        from CADCoderWorkbench.edit_panel import EditPanel

        panel = EditPanel(obj)
        self.show(panel)
        panel.instruction.setText(instruction)
        panel.preview()
        wait_until(lambda: not panel.job.running, what="the preview")
        settle(0.3)
        return panel

    def test_a_centre_hole_is_previewed_in_3d_through_the_base_and_applied_as_one_step(self):
        obj = self.make(L_BRACKET)
        undo_before = list(self.doc.UndoNames)
        panel = self.preview(obj, "add a 5 mm hole through the centre")
        shown = panel.shown
        self.assertIsNotNone(shown, panel.summary.text())
        self.assertAlmostEqual(shown.shape.Volume, L_VOLUME - HOLE_8MM, delta=1e-6)
        self.assertFalse(obj.ViewObject.Visibility)  # the original is hidden under the preview
        self.assertAlmostEqual(obj.Shape.Volume, L_VOLUME, delta=1e-6, msg="the preview changed the part")
        self.assertIn("largest face normal to Z", panel.summary.text())
        self.view()
        shoot("edit_hole_preview")
        name = shown.obj.Name
        panel.accept()
        wait_until(lambda: not Gui.Control.activeDialog(), what="the panel to close")
        self.assertIsNone(self.doc.getObject(name))
        self.assertTrue(obj.ViewObject.Visibility)
        self.assertAlmostEqual(obj.Shape.Volume, L_VOLUME - HOLE_8MM, delta=1e-6)
        self.assertEqual(list(self.doc.UndoNames), ["Edit with prompt", *undo_before])
        shoot("edit_hole_applied")

    def test_cancel_removes_the_preview_and_changes_nothing(self):
        obj = self.make(L_BRACKET)
        undo_before = list(self.doc.UndoNames)
        panel = self.preview(obj, "add 2 mm fillets to the vertical edges")
        name = panel.shown.obj.Name
        panel.reject()
        settle(0.2)
        self.assertIsNone(self.doc.getObject(name))
        self.assertTrue(obj.ViewObject.Visibility)
        self.assertAlmostEqual(obj.Shape.Volume, L_VOLUME, delta=1e-6)
        self.assertEqual(list(self.doc.UndoNames), undo_before)
        self.assertEqual([o.Name for o in self.doc.Objects], [obj.Name])

    def test_a_hole_goes_through_the_selected_face(self):
        obj = self.make(L_BRACKET)
        wall = next(
            f"Face{i + 1}"
            for i, face in enumerate(obj.Shape.Faces)
            if abs(face.CenterOfMass.x) < 1e-9 and face.normalAt(0, 0).x < -0.99
        )
        Gui.Selection.clearSelection()
        Gui.Selection.addSelection(obj, wall)
        panel = self.preview(obj, "add a 5 mm hole")
        self.assertTrue(panel.form.face.isVisible())
        self.assertIn(wall, panel.form.face.text())
        self.assertAlmostEqual(panel.shown.shape.Volume, L_VOLUME - HOLE_8MM, delta=1e-6)
        bore = [f for f in panel.shown.shape.Faces if f.Surface.TypeId == "Part::GeomCylinder"]
        self.assertTrue(bore and abs(abs(bore[0].Surface.Axis.x) - 1) < 1e-9)  # along x, through the wall
        self.view()
        shoot("edit_hole_selected_face")
        panel.reject()
