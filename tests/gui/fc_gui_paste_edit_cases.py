"""Image to CAD's clipboard and drag-and-drop input, and Edit with prompt's model edits, in the
FreeCAD 0.20 GUI (run under xvfb-run by freecad_case_runner.py, in a session of their own so the
stub's request log of test_gui.py stays its own).

The helpers, the box and the cylinder picture are fc_gui_cases.py's. Classes name
``unittest.TestCase`` besides ``GuiCase`` so that the harness, which reads this file's source,
sees them as test cases.
"""

import math
import os
import sys
import tempfile
import unittest
from pathlib import Path

import FreeCAD as App
import FreeCADGui as Gui
from PySide import QtCore, QtGui

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fc_gui_cases import BOX, PICTURE, GuiCase, settle, shoot, wait_until

from CADCoderWorkbench import preferences

BOX_VOLUME = 6000.0
HOLE_VOLUME = BOX_VOLUME - math.pi * 2.0**2 * 30  # model_stub.HOLE: a 4 mm hole through 30 mm
CYLINDER_VOLUME = math.pi * 144 * 10


def use_stub(model):
    preferences.store(
        Backend=2, Endpoint=os.environ["CADCODER_TEST_ENDPOINT"], ReadPicture=False, ModelName=model
    )


def drag_and_drop(widget, mime):
    """What Qt sends a widget for a drop: DragEnter, then Drop (both real events)."""
    enter = QtGui.QDragEnterEvent(
        QtCore.QPoint(30, 30), QtCore.Qt.CopyAction, mime, QtCore.Qt.LeftButton, QtCore.Qt.NoModifier
    )
    QtGui.QApplication.sendEvent(widget, enter)
    drop = QtGui.QDropEvent(
        QtCore.QPointF(30, 30), QtCore.Qt.CopyAction, mime, QtCore.Qt.LeftButton, QtCore.Qt.NoModifier
    )
    QtGui.QApplication.sendEvent(widget, drop)
    return enter.isAccepted(), drop.isAccepted()


def file_mime(path):
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(path))])
    return mime


class PictureInputTests(GuiCase, unittest.TestCase):
    def tearDown(self):
        preferences.clear("Backend", "Endpoint", "ReadPicture", "ModelName")
        super().tearDown()

    def open_panel(self):
        from CADCoderWorkbench.image_panel import ImagePanel

        use_stub("cylinder")
        panel = ImagePanel()
        Gui.Control.showDialog(panel)
        settle(0.3)
        return panel

    def run_to_the_end(self, panel):
        self.assertTrue(panel.form.runButton.isEnabled())
        panel.form.runButton.click()
        self.assertTrue(panel.running)
        wait_until(lambda: not panel.running, seconds=120, what="the engine")
        self.assertEqual(panel.outcome, "done", panel.stage.text())
        obj = self.doc.getObject("ImageToCAD")
        self.assertAlmostEqual(obj.Shape.Volume, CYLINDER_VOLUME, delta=1e-3)
        self.assertEqual(obj.radius, 12.0)
        return obj

    def test_a_pasted_image_is_previewed_and_run_end_to_end(self):
        panel = self.open_panel()
        self.assertFalse(panel.form.runButton.isEnabled(), "Run without a picture")
        self.assertIn("paste", panel.stage.text())
        QtGui.QApplication.clipboard().clear()
        self.assertFalse(panel.paste(), "an empty clipboard")
        QtGui.QApplication.clipboard().setImage(QtGui.QImage(PICTURE))
        panel.form.pasteButton.click()
        pasted = panel.image_path
        self.assertTrue(pasted and pasted.endswith(".png") and pasted != PICTURE, pasted)
        original, copy = QtGui.QImage(PICTURE), QtGui.QImage(pasted)
        self.assertEqual((copy.width(), copy.height()), (original.width(), original.height()))
        self.assertEqual(copy.pixel(224, 224), original.pixel(224, 224))
        preview = panel.form.preview.pixmap()
        self.assertEqual((preview.width(), preview.height()), (200, 200))  # image_panel.PREVIEW_SIZE
        self.assertFalse(panel.notice.isVisible(), "the notice of the empty clipboard stays")
        self.assertTrue(panel.stage.text().startswith("Pasted picture, 448 x 448"), panel.stage.text())
        shoot("image_to_cad_paste")
        obj = self.run_to_the_end(panel)
        self.assertEqual(Path(obj.SourceImage).read_bytes(), Path(pasted).read_bytes())
        self.assertEqual(self.doc.UndoNames, ["Add CadQuery feature"])
        shoot("image_to_cad_paste_done")

    def test_ctrl_v_on_the_panel_takes_a_copied_picture_file(self):
        panel = self.open_panel()
        QtGui.QApplication.clipboard().setMimeData(file_mime(PICTURE))
        Gui.getMainWindow().activateWindow()
        panel.form.openButton.setFocus()
        settle(0.2)
        press_ctrl_v(panel.form.openButton)
        wait_until(lambda: panel.image_path is not None, seconds=5, what="Ctrl+V to paste")
        self.assertEqual(panel.image_path, PICTURE)
        self.assertTrue(panel.form.runButton.isEnabled())

    def test_a_dropped_picture_file_is_used_like_one_picked_from_disk(self):
        panel = self.open_panel()
        self.assertEqual(drag_and_drop(panel.form, file_mime(PICTURE)), (True, True))
        self.assertEqual(panel.image_path, PICTURE)
        self.assertFalse(panel.form.preview.pixmap().isNull())
        obj = self.run_to_the_end(panel)
        self.assertEqual(Path(obj.SourceImage).read_bytes(), Path(PICTURE).read_bytes())

    def test_dropped_image_data_is_saved_as_a_png(self):
        panel = self.open_panel()
        mime = QtCore.QMimeData()
        mime.setData("image/png", QtCore.QByteArray(Path(PICTURE).read_bytes()))
        self.assertEqual(drag_and_drop(panel.form, mime), (True, True))
        self.assertTrue(panel.image_path.endswith("pasted.png"))
        self.assertEqual(QtGui.QImage(panel.image_path).width(), QtGui.QImage(PICTURE).width())

    def test_a_dropped_text_file_is_refused_and_changes_nothing(self):
        panel = self.open_panel()
        drag_and_drop(panel.form, file_mime(PICTURE))
        before = (panel.image_path, panel.form.preview.pixmap().cacheKey(), panel.stage.text())
        notes = Path(tempfile.mkdtemp()) / "notes.txt"
        notes.write_text("not a picture\n")
        _entered, dropped = drag_and_drop(panel.form, file_mime(notes))
        self.assertFalse(dropped)
        self.assertTrue(panel.notice.isVisible())
        self.assertIn("notes.txt is not a picture (PNG, JPEG or BMP)", panel.notice.text())
        self.assertIn("Nothing was changed", panel.notice.text())
        shoot("image_to_cad_drop_refused")
        self.assertEqual(
            (panel.image_path, panel.form.preview.pixmap().cacheKey(), panel.stage.text()), before
        )
        QtGui.QApplication.clipboard().setText("hello")
        self.assertFalse(panel.paste())
        self.assertIn("holds text", panel.notice.text())
        self.assertEqual(panel.image_path, before[0])
        self.assertEqual(self.doc.Objects, [])
        self.assertFalse(panel.running)


def press_ctrl_v(widget):
    """Ctrl+V as the keyboard sends it (QtTest when the PySide build has it: shortcut override
    first, then the key press, through Qt's own dispatch)."""
    try:
        from PySide2 import QtTest
    except ImportError:
        QtTest = None
    if QtTest is not None:
        QtTest.QTest.keyClick(widget, QtCore.Qt.Key_V, QtCore.Qt.ControlModifier)
        return
    for kind in (QtCore.QEvent.ShortcutOverride, QtCore.QEvent.KeyPress):
        event = QtGui.QKeyEvent(kind, QtCore.Qt.Key_V, QtCore.Qt.ControlModifier, "v")
        QtGui.QApplication.sendEvent(widget, event)


class ModelEditTests(GuiCase, unittest.TestCase):
    def tearDown(self):
        preferences.clear("Backend", "Endpoint", "ReadPicture", "ModelName")
        super().tearDown()

    def open_panel(self, model):
        from CADCoderWorkbench.edit_panel import EditPanel

        use_stub(model)
        obj = self.make(BOX)
        panel = EditPanel(obj)
        Gui.Control.showDialog(panel)
        settle(0.3)
        return obj, panel

    def test_a_model_edit_is_previewed_then_accepted_as_one_undo_step(self):
        obj, panel = self.open_panel("edit-hole")
        self.assertTrue(panel.engine.isVisible())
        self.assertEqual(panel.engine.currentText(), "Auto")
        self.assertEqual([panel.engine.itemText(i) for i in range(3)], ["Rules", "Model", "Auto"])
        panel.engine.setCurrentIndex(1)
        panel.instruction.setText("put a 4 mm hole through it from the top")
        panel.preview()
        wait_until(lambda: not panel.job.running, seconds=120, what="the model edit")
        diff = panel.form.diff.toPlainText()
        self.assertIn("\n+solid = solid.faces('>Z').workplane().hole(4)\n", diff)
        self.assertNotIn("\n-", diff, "the model's edit only adds a line")
        self.assertIn("Model edit", panel.summary.text())
        self.assertIn("OK applies it", panel.summary.text())
        self.assertAlmostEqual(obj.Shape.Volume, BOX_VOLUME, delta=1e-6, msg="the preview changed the part")
        shoot("edit_with_model")
        undo_before = len(self.doc.UndoNames)
        panel.accept()
        wait_until(self.panel_closed, what="the panel to close")
        self.assertAlmostEqual(obj.Shape.Volume, HOLE_VOLUME, delta=1e-3)
        self.assertIn(".hole(4)", obj.Code)
        self.assertEqual(len(self.doc.UndoNames), undo_before + 1)
        self.assertEqual(self.doc.UndoNames[0], "Edit with prompt")
        self.doc.undo()
        self.doc.recompute()
        self.assertAlmostEqual(obj.Shape.Volume, BOX_VOLUME, delta=1e-6)
        self.assertEqual(obj.Code, BOX)

    def test_a_broken_model_reply_leaves_the_feature_and_says_why(self):
        obj, panel = self.open_panel("broken")
        panel.engine.setCurrentIndex(1)
        panel.instruction.setText("make it round")
        undo_before = list(self.doc.UndoNames)
        panel.accept()  # OK without a preview: the edit runs, and is not applied
        wait_until(lambda: not panel.job.running, seconds=120, what="the model edit")
        self.assertIn("does not run", panel.summary.text())
        self.assertIn("NameError", panel.summary.text())
        self.assertIn("Nothing was changed", panel.summary.text())
        shoot("edit_with_model_error")
        self.assertFalse(self.panel_closed())
        self.assertEqual((obj.Code, obj.Shape.Volume), (BOX, BOX_VOLUME))
        self.assertEqual(list(self.doc.UndoNames), undo_before)

    def test_without_a_chat_model_only_the_rules_are_offered(self):
        from CADCoderWorkbench.edit_panel import EditPanel

        preferences.clear("Backend", "Endpoint", "ReadPicture", "ModelName")
        panel = EditPanel(self.make(BOX))
        Gui.Control.showDialog(panel)
        settle(0.2)
        self.assertFalse(panel.engine.isVisible())
        self.assertEqual(panel.choice, "rules")
        self.assertIsNotNone(App.ActiveDocument)
