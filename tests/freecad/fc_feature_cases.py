"""The CadQuery feature inside FreeCAD 0.20 (run by freecadcmd through freecad_case_runner.py).

The repository is installed as the Mod folder ``CADCoder`` of a private FreeCAD home, next to a
foreign add-on that ships its own top-level ``core`` package and comes first on ``sys.path``.
"""

import math
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import FreeCAD as App

from CADCoderWorkbench import bootstrap, engine, preferences
from CADCoderWorkbench.cadquery_feature import make_cadquery_feature, update_code

BOX = "import cadquery as cq\nlength = 10.0\nsolid = cq.Workplane().box(length, 20, 30)\n"
CYLINDER = "import cadquery as cq\nradius = 5.0\nheight = 10\nsolid = cq.Workplane().circle(radius).extrude(height)\n"
U_PROFILE = """import cadquery as cq
span = 20.0
height = 30.0
depth = 40.0
thickness = 5.0
solid = (
    cq.Workplane("XZ")
    .polyline([(0, 0), (span, 0), (span, height), (span - thickness, height),
               (span - thickness, thickness), (thickness, thickness), (thickness, height), (0, height)])
    .close()
    .extrude(-depth)
)
"""
HEAVY = ("cadquery", "OCP", "torch", "transformers", "numpy", "PIL")


class DocumentCase(unittest.TestCase):
    """Each test gets its own document (with undo) and a spy on the sandbox runs."""

    def setUp(self):
        self.doc = App.newDocument()
        self.doc.UndoMode = 1
        spy = mock.patch.object(engine, "run", wraps=engine.run)
        self.runs = spy.start()
        self.addCleanup(spy.stop)

    def tearDown(self):
        App.closeDocument(self.doc.Name)

    def box(self):
        return make_cadquery_feature(self.doc, BOX)

    def assertVolume(self, obj, expected):
        self.assertAlmostEqual(obj.Shape.Volume, expected, delta=1e-6 * max(1.0, expected))


class FeatureTests(DocumentCase):
    def test_box_from_code_has_its_volume_and_named_parameters(self):
        obj = self.box()
        self.assertVolume(obj, 6000.0)
        self.assertEqual((obj.length, obj.box_width, obj.box_height), (10.0, 20, 30))
        self.assertEqual(obj.getGroupOfProperty("length"), "Parameters")
        self.assertEqual(obj.getTypeIdOfProperty("length"), "App::PropertyLength")
        self.assertEqual(obj.getTypeIdOfProperty("box_width"), "App::PropertyLength")
        self.assertTrue(obj.Status.startswith("ok"), obj.Status)
        self.assertEqual(self.runs.call_count, 1, "the code should run once, not again at recompute")

    def test_editing_a_parameter_rebuilds_through_the_sandbox(self):
        obj = self.box()
        obj.length = 25.0
        self.doc.recompute()
        self.assertVolume(obj, 15000.0)
        self.assertIn("length = 25.0", obj.Code)
        obj.box_width = 10
        self.doc.recompute()
        self.assertVolume(obj, 7500.0)
        self.assertIn("box(length, 10, 30)", obj.Code)
        self.assertTrue(obj.isValid())

    def test_a_failing_edit_keeps_the_last_good_shape_and_marks_the_error(self):
        obj = self.box()
        obj.box_width = 0
        self.doc.recompute()
        self.assertVolume(obj, 6000.0)
        self.assertFalse(obj.Status.startswith("ok"), obj.Status)
        self.assertIn("line 3", obj.Status)
        self.assertIn("Invalid", obj.State)
        self.assertIn("box(length, 20, 30)", obj.Code, "the code keeps the last good values")
        obj.box_width = 5
        self.doc.recompute()
        self.assertTrue(obj.isValid())
        self.assertVolume(obj, 1500.0)

    def test_an_edit_that_makes_an_invalid_solid_is_refused_like_a_failure(self):
        # Issue 16: a U-profile whose wall is thicker than half its span crosses itself; OCCT's
        # checker rejects the solid, so the feature keeps its last good shape and says why.
        obj = make_cadquery_feature(self.doc, U_PROFILE)
        self.assertVolume(obj, 14000.0)
        obj.thickness = 12.0
        self.doc.recompute()
        self.assertVolume(obj, 14000.0)
        self.assertTrue(obj.Status.startswith("invalid_solid"), obj.Status)
        self.assertIn("crosses itself", obj.Status)
        self.assertIn("Invalid", obj.State)
        self.assertIn("thickness = 5.0", obj.Code, "the code keeps the last good values")
        self.assertTrue(obj.Shape.isValid())
        with self.assertRaises(ValueError) as refused:  # Code to CAD: not applied, and why
            update_code(obj, U_PROFILE.replace("thickness = 5.0", "thickness = 12.0"))
        self.assertIn("crosses itself", str(refused.exception))
        obj.thickness = 4.0
        self.doc.recompute()
        self.assertTrue(obj.isValid() and obj.Status.startswith("ok"), obj.Status)

    def test_undo_restores_the_value_and_the_shape_without_running_code(self):
        obj = self.box()
        self.doc.openTransaction("edit length")
        obj.length = 40.0
        self.doc.recompute()
        self.doc.commitTransaction()
        self.assertVolume(obj, 24000.0)
        runs = self.runs.call_count
        self.doc.undo()
        self.doc.recompute()
        self.assertEqual(obj.length, 10.0)
        self.assertVolume(obj, 6000.0)
        self.assertEqual(self.runs.call_count, runs)
        self.doc.redo()
        self.doc.recompute()
        self.assertVolume(obj, 24000.0)

    def test_adding_a_feature_is_one_undo_step(self):
        self.box()
        self.assertEqual(self.doc.UndoNames, ["Add CadQuery feature"])
        self.doc.undo()
        self.assertEqual(self.doc.Objects, [])
        self.doc.redo()
        self.assertVolume(self.doc.getObject("CadQueryPart"), 6000.0)

    def test_code_that_does_not_make_a_solid_changes_nothing(self):
        with self.assertRaisesRegex(ValueError, "forbidden"):
            make_cadquery_feature(self.doc, "import os\nsolid = os.getcwd()\n")
        with self.assertRaisesRegex(ValueError, r"line 2: `r` is used but never defined \(NameError\)"):
            make_cadquery_feature(self.doc, "import cadquery as cq\nsolid = cq.Workplane().box(1, 1, r)\n")
        self.assertEqual(self.doc.Objects, [])

    def test_new_code_replaces_the_parameters_in_one_undo_step(self):
        obj = self.box()
        update_code(obj, CYLINDER)
        self.assertVolume(obj, math.pi * 25 * 10)
        self.assertFalse(hasattr(obj, "length"))
        self.assertEqual((obj.radius, obj.height), (5.0, 10))
        self.doc.undo()
        self.assertVolume(obj, 6000.0)
        self.assertEqual(obj.length, 10.0)
        with self.assertRaises(ValueError):
            update_code(obj, "import cadquery as cq\nsolid = None\n")
        self.assertEqual(obj.Code, BOX)

    def test_parameters_named_like_freecad_properties_get_their_own_property(self):
        code = "import cadquery as cq\nPlacement = 4.0\nLabel = 2.0\nsolid = cq.Workplane().box(Placement, Label, 1.0)\n"
        obj = make_cadquery_feature(self.doc, code)
        self.assertEqual((obj.Placement_, obj.Label_), (4.0, 2.0))
        self.assertIsInstance(obj.Placement, App.Placement)
        obj.Placement_ = 8.0
        self.doc.recompute()
        self.assertVolume(obj, 16.0)
        self.assertIn("Placement = 8.0", obj.Code)

    def test_moving_the_part_runs_no_code_and_rebuilds_keep_the_placement(self):
        obj = self.box()
        obj.Placement = App.Placement(App.Vector(100, 0, 0), App.Rotation())
        self.doc.recompute()
        self.assertEqual(self.runs.call_count, 1)
        self.assertAlmostEqual(obj.Shape.BoundBox.XMin, 95.0, places=6)
        obj.length = 20.0
        self.doc.recompute()
        self.assertAlmostEqual(obj.Shape.BoundBox.XMin, 90.0, places=6)
        self.assertVolume(obj, 12000.0)


class ReopenTests(DocumentCase):
    def tearDown(self):
        preferences.clear("EnginePython")
        for name in list(App.listDocuments()):
            App.closeDocument(name)

    def test_a_saved_part_reopens_with_its_shape_and_picture_without_an_engine(self):
        folder = Path(tempfile.mkdtemp(prefix="cadcoder-reopen-"))
        picture = folder / "source.png"
        picture.write_bytes(b"\x89PNG\r\n\x1a\n not decoded by anything here")
        obj = make_cadquery_feature(self.doc, BOX, image_path=str(picture), backend="test backend")
        obj.length = 12.0
        self.doc.recompute()
        path = str(folder / "part.FCStd")
        self.doc.saveAs(path)
        App.closeDocument(self.doc.Name)
        preferences.store(EnginePython="/bin/false")  # any run of code would now fail
        runs = self.runs.call_count
        self.doc = App.openDocument(path)
        obj = self.doc.getObject("CadQueryPart")
        self.assertVolume(obj, 7200.0)
        self.assertEqual((obj.length, obj.Backend), (12.0, "test backend"))
        self.assertTrue(obj.Status.startswith("ok") and obj.isValid(), obj.Status)
        self.assertEqual(Path(obj.SourceImage).read_bytes(), picture.read_bytes())
        self.doc.recompute()
        self.assertEqual(self.runs.call_count, runs, "reopening or recomputing ran code")
        obj.length = 5.0
        self.doc.recompute()
        self.assertEqual(self.runs.call_count, runs + 1)
        self.assertTrue(obj.Status.startswith("crashed"), obj.Status)
        self.assertVolume(obj, 7200.0)
        preferences.clear("EnginePython")
        self.doc.recompute()
        self.assertVolume(obj, 3000.0)


class PreferencesTests(unittest.TestCase):
    ENTRIES = ("Backend", "Endpoint", "Candidates", "SandboxTimeoutSeconds")

    def tearDown(self):
        preferences.clear(*self.ENTRIES)

    def test_preferences_are_read_back_as_settings(self):
        self.assertEqual(preferences.load().backend, "embedded")
        preferences.store(Backend=2, Endpoint=" http://gpu:8000/v1 ", Candidates=0, SandboxTimeoutSeconds=7)
        settings = preferences.load()
        self.assertEqual((settings.backend, settings.endpoint), ("remote", "http://gpu:8000/v1"))
        self.assertEqual((settings.candidates, settings.sandbox_timeout), (1, 7.0))


class InstallTests(unittest.TestCase):
    def test_core_is_ours_although_a_foreign_core_comes_first_on_the_path(self):
        foreign = [p for p in sys.path if p.rstrip("/").endswith("Mod/AnotherAddon")]
        self.assertTrue(foreign, "the harness installs a foreign add-on with a `core` package")
        import core

        self.assertEqual(Path(core.__file__).resolve(), bootstrap.REPO_ROOT / "core" / "__init__.py")

    def test_a_foreign_core_imported_first_is_a_loud_error(self):
        ours = sys.modules["core"]
        impostor = type(sys)("core")
        impostor.__file__ = "/elsewhere/core/__init__.py"
        sys.modules["core"] = impostor
        try:
            with self.assertRaisesRegex(ImportError, "/elsewhere/core"):
                bootstrap.put_repository_first()
        finally:
            sys.modules["core"] = ours

    def test_the_workbench_imports_nothing_heavy_into_freecad(self):
        import CADCoderWorkbench.cadquery_feature
        import CADCoderWorkbench.image_job
        import CADCoderWorkbench.preferences  # noqa: F401

        doc = App.newDocument()
        try:
            make_cadquery_feature(doc, BOX)
        finally:
            App.closeDocument(doc.Name)
        self.assertEqual(sorted(m for m in HEAVY if m in sys.modules), [])

    def test_package_xml_describes_this_workbench(self):
        import core.version

        meta = App.Metadata(str(bootstrap.REPO_ROOT / "package.xml"))
        self.assertEqual(meta.Version, core.version.__version__)
        self.assertTrue(meta.supportsCurrentFreeCAD())
        self.assertTrue((bootstrap.REPO_ROOT / meta.Icon).is_file())
        (workbench,) = meta.Content["workbench"]
        self.assertEqual(workbench.Classname, "CADCoderWorkbench")
        self.assertTrue(workbench.Name)
        init_gui = (bootstrap.REPO_ROOT / workbench.Subdirectory / "InitGui.py").read_text()
        self.assertIn(f"class {workbench.Classname}(Gui.Workbench)", init_gui)
        self.assertTrue(
            all((bootstrap.REPO_ROOT / f["file"]).is_file() for f in meta.License if f.get("file"))
        )
