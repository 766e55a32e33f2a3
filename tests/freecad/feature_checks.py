"""Run by ``freecadcmd`` (FreeCAD's own Python), not by pytest: each check prints one JSON line.

tests/freecad/test_freecad_feature.py starts this file once and reports every check as its own test.
"""

import json
import os
import sys
import tempfile
import traceback

sys.path.insert(0, os.environ["CADCODER_REPO"])

import FreeCAD as App

from CADCoderWorkbench import cadquery_feature
from CADCoderWorkbench.cadquery_feature import make_cadquery_feature

BOX = "import cadquery as cq\nlength = 10.0\nsolid = cq.Workplane().box(length, 20, 30)\n"
CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def new_feature():
    doc = App.newDocument()
    return doc, make_cadquery_feature(doc, BOX)


@check
def creates_a_box_with_named_parameters():
    _, obj = new_feature()
    assert abs(obj.Shape.Volume - 6000) < 1e-6, obj.Shape.Volume
    assert obj.length == 10.0 and obj.box_width == 20 and obj.box_height == 30
    assert obj.getGroupOfProperty("length") == "Parameters"
    assert obj.getTypeIdOfProperty("length") == "App::PropertyFloat"
    assert obj.getTypeIdOfProperty("box_width") == "App::PropertyInteger"


@check
def editing_a_parameter_rebuilds():
    doc, obj = new_feature()
    obj.length = 25.0
    doc.recompute()
    assert abs(obj.Shape.Volume - 15000) < 1e-6, obj.Shape.Volume
    assert "length = 25.0" in obj.Code and obj.Status.startswith("ok")


@check
def a_failing_edit_keeps_the_last_good_shape():
    doc, obj = new_feature()
    obj.box_width = 0
    doc.recompute()
    assert abs(obj.Shape.Volume - 6000) < 1e-6, obj.Shape.Volume
    assert not obj.Status.startswith("ok"), obj.Status


@check
def undo_restores_value_and_shape():
    doc, obj = new_feature()
    doc.UndoMode = 1
    doc.openTransaction("edit length")
    obj.length = 40.0
    doc.recompute()
    doc.commitTransaction()
    assert abs(obj.Shape.Volume - 24000) < 1e-6
    doc.undo()
    assert obj.length == 10.0, obj.length
    assert abs(obj.Shape.Volume - 6000) < 1e-6, obj.Shape.Volume


@check
def bad_code_leaves_the_document_unchanged():
    doc = App.newDocument()
    try:
        make_cadquery_feature(doc, "import os\nsolid = os.getcwd()")
    except ValueError as exc:
        assert "forbidden" in str(exc), exc
    else:
        raise AssertionError("no error for forbidden code")
    assert doc.Objects == []


@check
def reopening_does_not_run_code_until_a_parameter_changes():
    doc, obj = new_feature()
    obj.length = 12.0
    doc.recompute()
    path = os.path.join(tempfile.mkdtemp(), "part.FCStd")
    doc.saveAs(path)
    App.closeDocument(doc.Name)
    calls = []
    real = cadquery_feature.run_code
    cadquery_feature.run_code = lambda *a, **k: calls.append(1) or real(*a, **k)
    try:
        doc = App.openDocument(path)
        obj = doc.getObject("CadQueryPart")
        assert abs(obj.Shape.Volume - 7200) < 1e-6, obj.Shape.Volume
        assert obj.length == 12.0 and calls == [], calls
        doc.recompute()
        assert calls == [], "a recompute without changes re-ran the code"
        obj.length = 5.0
        doc.recompute()
        assert calls == [1] and abs(obj.Shape.Volume - 3000) < 1e-6
    finally:
        cadquery_feature.run_code = real


@check
def freecad_process_stays_light():
    heavy = sorted(m for m in ("cadquery", "OCP", "torch", "transformers", "numpy") if m in sys.modules)
    assert heavy == [], heavy
    import core

    assert os.path.dirname(os.path.dirname(os.path.abspath(core.__file__))) == os.environ["CADCODER_REPO"]


for fn in CHECKS:
    try:
        fn()
        print(json.dumps({"check": fn.__name__, "ok": True}), flush=True)
    except Exception:
        print(json.dumps({"check": fn.__name__, "ok": False, "detail": traceback.format_exc()}), flush=True)
