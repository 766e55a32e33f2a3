"""The workbench in the FreeCAD 0.20 GUI (run under xvfb-run by freecad_case_runner.py).

Screenshots go to ``$CADCODER_SHOTS``; the model endpoint is the test's stub at
``$CADCODER_TEST_ENDPOINT``, whose model names choose the scenario (see model_stub.py).
"""

import os
import sys
import threading
import time
import unittest
from pathlib import Path

import FreeCAD as App
import FreeCADGui as Gui
from PySide import QtCore, QtGui

from CADCoderWorkbench import preferences
from CADCoderWorkbench.bootstrap import REPO_ROOT
from CADCoderWorkbench.settings import Settings

SHOTS = Path(os.environ["CADCODER_SHOTS"])
PICTURE = str(SHOTS / "cylinder_input.png")
BRACKET = (REPO_ROOT / "resources" / "examples" / "flanged_bracket.py").read_text()
BOX = "import cadquery as cq\nlength = 10.0\nsolid = cq.Workplane().box(length, 20, 30)\n"
HEAVY = ("cadquery", "OCP", "torch", "transformers", "numpy", "PIL")
COMMANDS = (
    "CADCoder_ImageToCad",
    "CADCoder_SnapshotToCad",
    "CADCoder_CodeToCad",
    "CADCoder_EditWithPrompt",
    "CADCoder_ConvertToNative",
)


def settle(seconds=0.3):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QtGui.QApplication.processEvents()
        time.sleep(0.01)


def wait_until(condition, seconds=90, what="the condition"):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        QtGui.QApplication.processEvents()
        time.sleep(0.02)
    settle(0.2)


def shoot(name, widget=None):
    """The window as the screen shows it (``QWidget.grab`` would miss the OpenGL 3D view)."""
    settle(0.4)  # let the 3D view and the property editor repaint
    target = widget or Gui.getMainWindow()
    QtGui.QApplication.primaryScreen().grabWindow(target.winId()).save(str(SHOTS / f"{name}.png"))


def combo_view():
    window = Gui.getMainWindow()
    return next(d for d in window.findChildren(QtGui.QDockWidget) if d.objectName() == "Combo View")


def task_scroll_area(form):
    """The task view's scroll area around ``form`` (the viewport is what the user can see)."""
    widget = form.parentWidget()
    while widget is not None and not isinstance(widget, QtGui.QScrollArea):
        widget = widget.parentWidget()
    return widget


def shown_whole(widget, area):
    """Whether ``widget`` lies inside the scroll area's viewport left to right (no side scrolling
    exists), i.e. nothing of it is cut off."""
    viewport = area.viewport()
    left = widget.mapTo(viewport, QtCore.QPoint(0, 0)).x()
    return left >= 0 and left + widget.width() <= viewport.width()


def shown_top_level():
    """The visible top-level widgets; one being deleted while we look is skipped (asking it
    anything raises RuntimeError, which would end a timer's polling for good)."""
    shown = []
    for widget in QtGui.QApplication.topLevelWidgets():
        try:
            if widget.isVisible():
                shown.append(widget)
        except RuntimeError:
            continue
    return shown


def fill_preferences(fill, shot="preferences", seconds=300):
    """Open FreeCAD's preferences on the CAD-Coder page, let ``fill(page)`` set its widgets, take
    the screenshot ``shot`` and press OK; whether the page was seen. The dialog is modal, so the
    filling runs from a timer inside its event loop and always ends that loop."""
    seen = {"polls": 0}

    def fill_in_and_press_ok():
        dialogs = [
            w
            for w in shown_top_level()
            if isinstance(w, QtGui.QDialog) and w.findChild(QtGui.QWidget, "CADCoderPreferences")
        ]
        if not dialogs:
            seen["polls"] += 1
            if seen["polls"] < seconds * 5:
                QtCore.QTimer.singleShot(200, fill_in_and_press_ok)
            return
        try:
            page = dialogs[0].findChild(QtGui.QWidget, "CADCoderPreferences")
            seen["page"] = page is not None
            fill(page)
            shoot(shot, dialogs[0])
        finally:
            dialogs[0].accept()

    QtCore.QTimer.singleShot(300, fill_in_and_press_ok)
    Gui.showPreferences("CAD-Coder", 0)
    return bool(seen.get("page"))


def arrange_window():
    """A wide task panel and no report view, so screenshots show the panel and the part."""
    window = Gui.getMainWindow()
    window.showMaximized()
    docks = {d.objectName(): d for d in window.findChildren(QtGui.QDockWidget)}
    if "Report view" in docks:
        docks["Report view"].hide()
    if "Combo View" in docks:
        window.resizeDocks([docks["Combo View"]], [470], QtCore.Qt.Horizontal)
    for tree in window.findChildren(QtGui.QTreeView):
        if tree.metaObject().className() == "Gui::PropertyEditor::PropertyEditor":
            tree.setColumnWidth(0, 150)


def fit(obj=None):
    Gui.ActiveDocument.ActiveView.viewIsometric()
    Gui.SendMsgToActiveView("ViewFit")
    if obj is not None:
        Gui.Selection.clearSelection()
        Gui.Selection.addSelection(obj)


def colour_count(image, test):
    return sum(
        1
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
        if test(QtGui.QColor(image.pixel(x, y)))
    )


class GuiCase(unittest.TestCase):
    """Each test owns a new document; any task dialog left open is closed afterwards."""

    def setUp(self):
        Gui.activateWorkbench("CADCoderWorkbench")
        self.doc = App.newDocument(self.id().rsplit(".", 1)[1][:30])
        arrange_window()
        settle(0.2)

    def tearDown(self):
        if Gui.Control.activeDialog():
            Gui.Control.closeDialog()
        if Gui.ActiveDocument is not None and Gui.ActiveDocument.getInEdit() is not None:
            Gui.ActiveDocument.resetEdit()
        App.closeDocument(self.doc.Name)
        settle(0.1)

    def make(self, code, name="CadQueryPart"):
        from CADCoderWorkbench.cadquery_feature import make_cadquery_feature

        obj = make_cadquery_feature(self.doc, code, name=name)
        fit()
        return obj

    def panel_closed(self):
        return not Gui.Control.activeDialog()


class WorkbenchTests(GuiCase):
    def test_activation_adds_toolbar_and_menu_and_loads_nothing_heavy(self):
        self.assertEqual(Gui.activeWorkbench().name(), "CADCoderWorkbench")
        window = Gui.getMainWindow()
        toolbar = next(t for t in window.findChildren(QtGui.QToolBar) if t.windowTitle() == "CAD-Coder")
        texts = [a.text() for a in toolbar.actions() if a.text()]
        for expected in (
            "Image to CAD",
            "Snapshot to CAD",
            "Code to CAD / edit code",
            "Edit with prompt",
            "Convert to native",
        ):
            self.assertIn(expected, texts)
        menus = [
            m for m in window.menuBar().findChildren(QtGui.QMenu) if m.title().replace("&", "") == "CAD-Coder"
        ]
        self.assertEqual(len(menus), 1)
        self.assertIn("Settings...", [a.text() for a in menus[0].actions()])
        listed = Gui.listCommands()
        for command in (*COMMANDS, "CADCoder_Settings"):
            self.assertIn(command, listed)
        self.assertEqual(sorted(m for m in HEAVY if m in sys.modules), [])

    def test_without_an_engine_the_dialog_gives_the_exact_setup_command(self):
        from CADCoderWorkbench.setup_dialog import RUN_BUTTON_TEXT, engine_missing_dialog, ensure_engine

        box = engine_missing_dialog(Settings(engine_python="/nonexistent/python3"))
        box.show()
        shoot("engine_missing", box)
        text = box.informativeText()
        self.assertIn(f"cd {REPO_ROOT} && bash scripts/setup.sh", text)
        self.assertIn("/nonexistent/python3", box.detailedText())
        self.assertIn(RUN_BUTTON_TEXT, [b.text() for b in box.buttons()])
        box.close()
        self.assertTrue(ensure_engine(preferences.load()), "with the .venv present no dialog is needed")

    def test_the_preferences_page_writes_what_the_workbench_reads(self):
        def fill(page):
            page.findChild(QtGui.QComboBox, "backend").setCurrentIndex(2)
            page.findChild(QtGui.QLineEdit, "endpoint").setText("http://gpu-box:8000/v1")
            page.findChild(QtGui.QSpinBox, "candidates").setValue(3)

        try:
            self.assertTrue(fill_preferences(fill), "the CAD-Coder page was not shown")
            settings = preferences.load()
            self.assertEqual(
                (settings.backend, settings.endpoint, settings.candidates),
                ("remote", "http://gpu-box:8000/v1", 3),
            )
        finally:
            preferences.clear("Backend", "Endpoint", "ReadPicture", "Candidates")


class CodePanelTests(GuiCase):
    def test_the_code_panel_builds_a_feature_with_parameters(self):
        from CADCoderWorkbench.code_panel import CodePanel

        panel = CodePanel()
        panel.editor.setPlainText(BRACKET)
        Gui.Control.showDialog(panel)
        shoot("code_panel")
        self.assertFalse(panel.accept(), "OK waits for the sandbox")
        wait_until(self.panel_closed, what="the panel to close")
        obj = self.doc.getObject("CadQueryPart")
        self.assertAlmostEqual(obj.Shape.Volume, 20897.42, delta=0.1)
        self.assertEqual((obj.thickness, obj.hole_diameter), (6.0, 6.5))
        self.assertEqual(self.doc.UndoNames, ["Add CadQuery feature"])
        fit(obj)
        shoot("feature_and_parameters")

    def test_rebuild_reports_the_failing_line_and_ok_adds_nothing(self):
        from CADCoderWorkbench.code_panel import CodePanel

        panel = CodePanel()
        panel.editor.setPlainText(
            "import cadquery as cq\nwidth = 4.0\nsolid = cq.Workplane().box(width, 2, depth)\n"
        )
        Gui.Control.showDialog(panel)
        panel.rebuild()
        wait_until(lambda: not panel.job.running, what="the rebuild")
        self.assertRegex(panel.status.text(), r"line 3: `depth` is used but never defined \(NameError\)")
        marks = panel.editor.extraSelections()
        self.assertEqual([m.cursor.blockNumber() for m in marks], [2])
        shoot("code_panel_error")
        panel.accept()
        wait_until(lambda: not panel.job.running, what="the check of OK")
        self.assertFalse(self.panel_closed())
        self.assertEqual(self.doc.Objects, [])

    def test_double_click_edits_the_code_as_one_undo_step(self):
        obj = self.make(BRACKET)
        before = obj.Shape.Volume
        obj.ViewObject.Proxy.doubleClicked(obj.ViewObject)
        self.assertEqual(Gui.ActiveDocument.getInEdit().Object.Name, obj.Name)
        panel = obj.ViewObject.Proxy.panel
        self.assertFalse(self.panel_closed())
        self.assertEqual(panel.editor.toPlainText(), obj.Code)
        panel.editor.setPlainText(obj.Code.replace("thickness = 6.0", "thickness = 9.0"))
        panel.accept()
        wait_until(self.panel_closed, what="the panel to close")
        self.assertEqual(obj.thickness, 9.0)
        self.assertGreater(obj.Shape.Volume, before)
        self.assertIsNone(Gui.ActiveDocument.getInEdit())
        self.doc.undo()
        self.doc.recompute()
        self.assertEqual(obj.thickness, 6.0)
        self.assertAlmostEqual(obj.Shape.Volume, before, delta=1e-6)

    def test_editing_a_parameter_in_the_gui_rebuilds(self):
        obj = self.make(BRACKET)
        before = obj.Shape.Volume
        obj.thickness = 10.0
        self.doc.recompute()
        self.assertGreater(obj.Shape.Volume, before)
        self.assertIn("thickness = 10.0", obj.Code)


class SnapshotTests(GuiCase):
    def test_snapshot_is_a_448_isometric_picture_on_white(self):
        from CADCoderWorkbench.snapshot import snapshot

        obj = self.make(BRACKET)
        Gui.Selection.addSelection(obj)
        view = Gui.ActiveDocument.ActiveView
        view.viewFront()
        camera = view.getCamera()
        path = snapshot(path=str(SHOTS / "snapshot.png"))
        image = QtGui.QImage(path)
        self.assertEqual((image.width(), image.height()), (448, 448))
        self.assertNotEqual(QtGui.QColor(image.pixel(224, 224)).name(), "#ffffff")
        border = [(x, y) for x in range(448) for y in range(448) if min(x, y, 447 - x, 447 - y) < 40]
        self.assertTrue(all(QtGui.QColor(image.pixel(x, y)).name() == "#ffffff" for x, y in border[::7]))
        self.assertEqual(
            colour_count(image, lambda c: c.green() > c.red() + 60), 0, "selection colour in the picture"
        )
        self.assertEqual(view.getCamera(), camera, "the user's camera was not restored")
        self.assertEqual([o.Name for o in Gui.Selection.getSelection()], [obj.Name])

    def test_snapshot_of_the_selection_leaves_the_rest_out(self):
        from CADCoderWorkbench.snapshot import snapshot

        bracket = self.make(BRACKET)
        other = self.make(
            "import cadquery as cq\nsolid = cq.Workplane().box(20, 20, 20).translate((0, 90, 0))\n", "Other"
        )
        other.ViewObject.ShapeColor = (1.0, 0.0, 0.0)
        red = lambda c: c.red() > 150 and c.green() < 90 and c.blue() < 90  # noqa: E731
        Gui.Selection.clearSelection()
        self.assertGreater(colour_count(QtGui.QImage(snapshot()), red), 20)
        Gui.Selection.addSelection(bracket)
        only = QtGui.QImage(snapshot(only_selected=True))
        self.assertEqual(colour_count(only, red), 0)
        self.assertTrue(other.ViewObject.Visibility)


class ImageToCadTests(GuiCase):
    def tearDown(self):
        preferences.clear("Backend", "Endpoint", "ReadPicture", "ModelName", "ApiKey")
        super().tearDown()

    def open_panel(self, model):
        from CADCoderWorkbench.image_panel import ImagePanel

        preferences.store(
            Backend=2,
            Endpoint=os.environ["CADCODER_TEST_ENDPOINT"],
            ReadPicture=False,
            ModelName=model,
            ApiKey="sk-gui-test",
        )
        panel = ImagePanel(PICTURE)
        Gui.Control.showDialog(panel)
        return panel

    def test_image_to_cad_streams_the_code_and_adds_an_editable_feature(self):
        panel = self.open_panel("cylinder")
        wait_until(lambda: not panel.job.running, seconds=120, what="the engine")
        shoot("image_to_cad")
        self.assertEqual(panel.outcome, "done", panel.stage.text())
        obj = self.doc.getObject("ImageToCAD")
        self.assertAlmostEqual(obj.Shape.Volume, 3.141592653589793 * 144 * 10, delta=1e-3)
        self.assertEqual(obj.radius, 12.0)
        self.assertEqual(Path(obj.SourceImage).read_bytes(), Path(PICTURE).read_bytes())
        self.assertIn("cylinder", obj.Backend)
        self.assertIn("radius = 12.0", panel.code.toPlainText())
        self.assertEqual(self.doc.UndoNames, ["Add CadQuery feature"])

    def test_image_to_cad_with_the_embedded_model_gives_editable_dimensions(self):
        # The default backend: cadcoder-mini from resources/models, on CPU, no endpoint at all.
        from CADCoderWorkbench.image_panel import ImagePanel

        preferences.clear("Backend", "Endpoint", "ReadPicture", "ModelName", "ApiKey")
        picture = str(REPO_ROOT / "resources" / "examples" / "flanged_bracket.png")
        panel = ImagePanel(picture)
        Gui.Control.showDialog(panel)
        wait_until(lambda: not panel.job.running, seconds=240, what="the embedded model")
        shoot("image_to_cad_embedded")
        self.assertEqual(panel.outcome, "done", panel.stage.text())
        obj = self.doc.getObject("ImageToCAD")
        self.assertGreater(obj.Shape.Volume, 0)
        dimensions = [p for p in obj.PropertiesList if obj.getGroupOfProperty(p) == "Parameters"]
        self.assertTrue(dimensions, "the generated code has no named parameters")
        code = panel.code.toPlainText()
        named = [d for d in dimensions if f"\n{d} = " in code]  # the program's own variables
        self.assertGreaterEqual(len(named), 2, (dimensions, code))
        self.assertIn("embedded", obj.Backend)

    def test_snapshot_to_cad_sends_a_448_picture_of_the_selection(self):
        bracket = self.make(BRACKET)
        preferences.store(
            Backend=2, Endpoint=os.environ["CADCODER_TEST_ENDPOINT"], ReadPicture=False, ModelName="cylinder"
        )
        Gui.Selection.addSelection(bracket)
        stop = answer_low_match(QtGui.QMessageBox.Yes)  # a bracket's snapshot, a cylinder's code
        self.addCleanup(stop)
        Gui.runCommand("CADCoder_SnapshotToCad")
        wait_until(lambda: self.doc.getObject("ImageToCAD") is not None, seconds=120, what="the new feature")
        picture = QtGui.QImage(self.doc.getObject("ImageToCAD").SourceImage)
        self.assertEqual((picture.width(), picture.height()), (448, 448))
        self.assertEqual(QtGui.QColor(picture.pixel(3, 3)).name(), "#ffffff")

    def test_code_that_does_not_run_adds_nothing_and_says_why(self):
        panel = self.open_panel("broken")
        wait_until(lambda: not panel.job.running, seconds=120, what="the engine")
        shoot("image_to_cad_error")
        self.assertEqual(panel.outcome, "failed")
        self.assertIn("No part was added", panel.stage.text())
        self.assertIn("NameError", panel.stage.text())
        self.assertEqual(self.doc.Objects, [])

    def test_cancel_stops_the_engine_and_adds_nothing(self):
        panel = self.open_panel("slow")
        wait_until(
            lambda: "import cadquery" in panel.code.toPlainText(), seconds=120, what="the first tokens"
        )
        # The run's process: a fresh `cadcoder image2cad` or the standby engine it took over.
        engine_pids = cli_processes() | ({panel.engine_pid} if panel.engine_pid else set())
        self.assertTrue(engine_pids, "the CLI process was not found")
        panel.cancel()
        wait_until(lambda: not panel.job.running, seconds=15, what="the cancel")
        self.assertEqual(panel.outcome, "cancelled")
        self.assertEqual(self.doc.Objects, [])
        wait_until(lambda: not (engine_pids & running_pids()), seconds=10, what="the CLI to exit")


class EditAndConvertTests(GuiCase):
    def test_edit_with_prompt_previews_a_diff_and_applies_one_undo_step(self):
        from CADCoderWorkbench.edit_panel import EditPanel

        obj = self.make(BOX)
        panel = EditPanel(obj)
        Gui.Control.showDialog(panel)
        panel.instruction.setText("add 1 mm fillets to all edges")
        panel.preview()
        wait_until(lambda: not panel.job.running, what="the preview")
        self.assertIn("+", panel.form.diff.toPlainText())
        self.assertIn("fillet", panel.form.diff.toPlainText())
        shoot("edit_with_prompt")
        self.assertAlmostEqual(obj.Shape.Volume, 6000.0, delta=1e-6, msg="the preview changed the part")
        panel.accept()
        wait_until(self.panel_closed, what="the panel to close")
        self.assertLess(obj.Shape.Volume, 6000.0)
        self.assertEqual(obj.fillet_radius, 1.0)
        self.assertEqual(self.doc.UndoNames[0], "Edit with prompt")
        self.doc.undo()
        self.doc.recompute()
        self.assertAlmostEqual(obj.Shape.Volume, 6000.0, delta=1e-6)

    def test_convert_to_native_builds_a_body_of_the_same_volume(self):
        from CADCoderWorkbench.convert_panel import ConvertPanel

        obj = self.make(BOX)
        panel = ConvertPanel(obj)
        Gui.Control.showDialog(panel)
        wait_until(lambda: not panel.job.running, what="the plan")
        self.assertIn("box 10 x 20 x 30", panel.form.plan.toPlainText())
        plan = panel.form.plan.toPlainText()
        self.assertTrue(panel.accept(), plan)
        self.assertAlmostEqual(panel.body.Shape.Volume, 6000.0, delta=1e-6)
        self.assertFalse(obj.ViewObject.Visibility)

    def test_convert_to_native_explains_what_it_cannot_translate(self):
        from CADCoderWorkbench.convert_panel import ConvertPanel

        obj = self.make("import cadquery as cq\nsolid = cq.Workplane().sphere(5)\n")
        panel = ConvertPanel(obj)
        Gui.Control.showDialog(panel)
        wait_until(lambda: not panel.job.running, what="the plan")
        self.assertIn("Stays a CadQuery feature", panel.status.text())
        self.assertIn("line 2", panel.status.text())
        self.assertFalse(panel.accept())


class JobTests(unittest.TestCase):
    def test_jobs_run_off_the_gui_thread_and_report_on_it(self):
        from CADCoderWorkbench.jobs import Job

        gui, seen = threading.current_thread(), {}

        def work(context):
            seen["worker"] = threading.current_thread()
            context.progress("half way")
            return 42

        job = Job(
            work,
            on_finished=lambda value: seen.update(value=value, finished_on=threading.current_thread()),
            on_failed=lambda message: seen.update(failed=message),
            on_progress=lambda text: seen.update(progress=text, progress_on=threading.current_thread()),
        ).start()
        wait_until(lambda: not job.running, seconds=10, what="the job")
        self.assertEqual((seen["value"], seen["progress"]), (42, "half way"))
        self.assertIsNot(seen["worker"], gui)
        self.assertIs(seen["finished_on"], gui)
        self.assertIs(seen["progress_on"], gui)

    def test_failures_and_cancel_are_reported(self):
        from CADCoderWorkbench.jobs import Job

        seen = []

        def fail(_context):
            raise ValueError("bad input")

        def spin(context):
            while True:
                context.check()
                time.sleep(0.01)

        failing = Job(fail, on_finished=seen.append, on_failed=lambda m: seen.append(("failed", m))).start()
        spinning = Job(
            spin,
            on_finished=seen.append,
            on_failed=seen.append,
            on_cancelled=lambda: seen.append("cancelled"),
        ).start()
        spinning.cancel()
        wait_until(lambda: not failing.running and not spinning.running, seconds=10, what="both jobs")
        self.assertCountEqual(seen, [("failed", "bad input"), "cancelled"])


def answer_low_match(button, seconds=300):
    """Answer Image to CAD's low-match question (modal) whenever it opens; returns a stop function."""
    from CADCoderWorkbench.image_panel import LOW_MATCH_TITLE

    state = {"stop": False}
    deadline = time.monotonic() + seconds

    def poll():
        if state["stop"] or time.monotonic() > deadline:
            return
        for widget in QtGui.QApplication.topLevelWidgets():
            shown = isinstance(widget, QtGui.QMessageBox) and widget.isVisible()
            if shown and widget.windowTitle() == LOW_MATCH_TITLE:
                widget.button(button).click()
        QtCore.QTimer.singleShot(100, poll)

    QtCore.QTimer.singleShot(100, poll)
    return lambda: state.update(stop=True)


def running_pids():
    """Process ids of live (not zombie) processes."""
    alive = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if "State:\tZ" not in status:
                alive.add(int(entry.name))
    return alive


def cli_processes():
    """Process ids of running `cadcoder image2cad` commands for this test's picture."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"image2cad" in command and PICTURE.encode() in command:
                found.add(int(entry.name))
    return found
