"""Run inside the FreeCAD GUI (``freecad gui_checks.py`` under xvfb-run): each check prints one
JSON line to the results file, screenshots go to $CADCODER_SHOTS; FreeCAD quits at the end."""

import json
import os
import time
import traceback

import FreeCAD as App
import FreeCADGui as Gui
from PySide import QtCore, QtGui

RESULTS = os.environ["CADCODER_RESULTS"]
SHOTS = os.environ["CADCODER_SHOTS"]
BRACKET = os.path.join(os.environ["CADCODER_REPO"], "resources", "examples", "flanged_bracket.py")


def record(name, fn):
    try:
        fn()
        line = {"check": name, "ok": True}
    except Exception:
        line = {"check": name, "ok": False, "detail": traceback.format_exc()}
    with open(RESULTS, "a") as fh:
        fh.write(json.dumps(line) + "\n")


def shoot(name):
    for _ in range(20):  # let the 3D view and the property editor catch up
        QtGui.QApplication.processEvents()
        time.sleep(0.02)
    window = Gui.getMainWindow()
    screen = QtGui.QApplication.primaryScreen()
    screen.grabWindow(window.winId()).save(os.path.join(SHOTS, name + ".png"))


def workbench_activates():
    Gui.activateWorkbench("CADCoderWorkbench")
    assert Gui.activeWorkbench().name() == "CADCoderWorkbench", Gui.activeWorkbench().name()
    bars = [t.windowTitle() for t in Gui.getMainWindow().findChildren(QtGui.QToolBar)]
    assert "CAD-Coder" in bars, bars
    listed = Gui.listCommands()
    for name in (
        "CADCoder_ImageToCad",
        "CADCoder_SnapshotToCad",
        "CADCoder_CodeToCad",
        "CADCoder_EditWithPrompt",
    ):
        assert name in listed, name


def code_panel_builds_a_feature():
    from CADCoderWorkbench.panels import CodePanel

    App.newDocument("Bracket")
    panel = CodePanel()
    with open(BRACKET) as fh:
        panel.editor.setPlainText(fh.read())
    Gui.Control.showDialog(panel)
    shoot("code_panel")
    assert panel.accept()
    obj = App.ActiveDocument.getObject("CadQueryPart")
    assert abs(obj.Shape.Volume - 20897.42) < 0.1, obj.Shape.Volume
    assert obj.thickness == 6.0
    Gui.ActiveDocument.ActiveView.viewIsometric()
    Gui.SendMsgToActiveView("ViewFit")
    Gui.Selection.addSelection(obj)
    shoot("feature_and_parameters")


def snapshot_is_448_white():
    Gui.Selection.addSelection(App.ActiveDocument.getObject("CadQueryPart"))
    from CADCoderWorkbench.commands import snapshot

    path = snapshot(path=os.path.join(SHOTS, "snapshot.png"))
    image = QtGui.QImage(path)
    assert (image.width(), image.height()) == (448, 448), (image.width(), image.height())
    assert QtGui.QColor(image.pixel(2, 2)).name() == "#ffffff"
    assert QtGui.QColor(image.pixel(224, 224)).name() != "#ffffff"  # the part is in the middle
    green = [QtGui.QColor(image.pixel(x, y)) for x in range(0, 448, 8) for y in range(0, 448, 8)]
    assert not [c for c in green if c.green() > c.red() + 60], "the selection highlight is in the snapshot"


def edit_parameter_in_gui_updates_shape():
    obj = App.ActiveDocument.getObject("CadQueryPart")
    before = obj.Shape.Volume
    obj.thickness = 10.0
    App.ActiveDocument.recompute()
    assert obj.Shape.Volume > before


def wait_for(panel, seconds=120):
    deadline = time.monotonic() + seconds
    while panel.job is not None and panel.job.process.state() != QtCore.QProcess.NotRunning:
        QtGui.QApplication.processEvents()
        time.sleep(0.02)
        assert time.monotonic() < deadline, "the engine did not finish"
    for _ in range(10):
        QtGui.QApplication.processEvents()


def use_test_endpoint():
    from CADCoderWorkbench.preferences import PARAM_PATH

    params = App.ParamGet(PARAM_PATH)
    params.SetInt("Backend", 2)
    params.SetString("Endpoint", os.environ["CADCODER_TEST_ENDPOINT"])


def image_to_cad_adds_a_feature():
    from CADCoderWorkbench.panels import ImagePanel

    use_test_endpoint()
    App.newDocument("FromImage")
    panel = ImagePanel(os.path.join(SHOTS, "cylinder_input.png"))
    Gui.Control.showDialog(panel)
    wait_for(panel)
    shoot("image_to_cad")
    assert panel.result and panel.result["status"] == "ok", (panel.result, panel.stage.text())
    obj = App.ActiveDocument.getObject("ImageToCAD")
    assert obj is not None and abs(obj.Shape.Volume - 3.141592653589793 * 144 * 10) < 1e-3, panel.stage.text()
    assert obj.radius == 12.0 and obj.SourceImage
    assert "Done" in panel.stage.text()
    panel.reject()


def image_to_cad_failure_changes_nothing():
    from CADCoderWorkbench.panels import ImagePanel

    use_test_endpoint()
    doc = App.newDocument("Unchanged")
    panel = ImagePanel(os.path.join(SHOTS, "cylinder_input.png"))
    Gui.Control.showDialog(panel)
    wait_for(panel)
    shoot("image_to_cad_error")
    assert "No part was added" in panel.stage.text(), panel.stage.text()
    assert doc.Objects == []
    panel.reject()


def run_all():
    for name, fn in [
        ("workbench_activates", workbench_activates),
        ("code_panel_builds_a_feature", code_panel_builds_a_feature),
        ("snapshot_is_448_white", snapshot_is_448_white),
        ("edit_parameter_in_gui_updates_shape", edit_parameter_in_gui_updates_shape),
        ("image_to_cad_adds_a_feature", image_to_cad_adds_a_feature),
        ("image_to_cad_failure_changes_nothing", image_to_cad_failure_changes_nothing),
    ]:
        record(name, fn)
    os._exit(0)


QtCore.QTimer.singleShot(500, run_all)
