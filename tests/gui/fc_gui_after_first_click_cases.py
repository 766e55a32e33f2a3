"""Issue 14, "after the first click", in the real FreeCAD 0.20 GUI at FreeCAD's default window and
dock sizes (run under xvfb-run by freecad_case_runner.py; nothing here widens the Combo View).

Real size, the overlay and the match, choosing a candidate (and undoing it), keeping an example and
the fine-tuned-model preference, each driven through the Image to CAD panel as a user would.
Screenshots go to ``$CADCODER_SHOTS`` (``after_*.png``), figures to ``after_first_click.json``; the
user's data folder is ``$CADCODER_USER_DATA``; the model is the test's stub at
``$CADCODER_TEST_ENDPOINT`` (model names choose the scenario, see model_stub.py) except in the last
case, which runs the embedded model on the bundled bracket picture.
"""

import json
import os
import sys
import tarfile
import time
import unittest
from pathlib import Path

import FreeCAD as App
import FreeCADGui as Gui
from PySide import QtCore, QtGui

from CADCoderWorkbench import engine, preferences
from CADCoderWorkbench.bootstrap import REPO_ROOT

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fc_gui_cases import combo_view, fill_preferences, settle, shown_top_level, shown_whole, task_scroll_area
from fc_gui_cases import shoot as shared_shoot
from fc_gui_cases import wait_until as shared_wait_until

SHOTS = Path(os.environ["CADCODER_SHOTS"])
PICTURE = str(SHOTS / "cylinder_input.png")
BRACKET_PICTURE = str(REPO_ROOT / "resources" / "examples" / "flanged_bracket.png")
USER_DATA = Path(os.environ["CADCODER_USER_DATA"])
FIGURES = SHOTS / "after_first_click.json"
# benchmarks/finetune_user.py's run (ignored by git): four kept parts and the copy it fine-tuned.
FINETUNED_RUN = REPO_ROOT / "runs" / "finetune_user"
FINETUNED_MISSING = (
    "no fine-tuned copy: run benchmarks/finetune_user.py first (runs/finetune_user/model/final)"
)
DEFAULT_COMBO_WIDTH = 300  # FreeCAD 0.20's default is about 264 px; wider means someone widened it
ENTRIES = (
    "Backend",
    "Endpoint",
    "ReadPicture",
    "ModelName",
    "Candidates",
    "SizeAxis",
    "SizeMm",
    "UseFineTuned",
)


def wait_until(condition, seconds=180, what="the condition"):
    shared_wait_until(condition, seconds=seconds, what=what)


def shoot(name, widget=None):
    shared_shoot(f"after_{name}", widget)


def record(**figures):
    data = json.loads(FIGURES.read_text()) if FIGURES.is_file() else {}
    data.update(figures)
    FIGURES.write_text(json.dumps(data, indent=2))


def scroll_to(panel, widget):
    area = task_scroll_area(panel.form)
    if area is not None:
        area.ensureWidgetVisible(widget, 0, 10)
    settle(0.2)


def kept_examples():
    """(code, picture bytes) of every example in the user dataset, read from its tar shards."""
    examples = []
    for shard in sorted((USER_DATA / "examples").glob("*.tar")):
        with tarfile.open(shard) as tar:
            files = {m.name.partition(".")[2]: tar.extractfile(m).read() for m in tar if m.isfile()}
        examples.append((files["py"].decode(), files["png"]))
    return examples


class AfterFirstClickCase(unittest.TestCase):
    """FreeCAD's default layout; each test owns a new document; dialogs are closed afterwards."""

    def setUp(self):
        Gui.activateWorkbench("CADCoderWorkbench")
        self.doc = App.newDocument(self.id().rsplit(".", 1)[1][:30])
        settle(0.3)
        self.assertLessEqual(
            combo_view().width(), DEFAULT_COMBO_WIDTH, "the test must run at the default width"
        )

    def tearDown(self):
        preferences.clear(*ENTRIES)
        if Gui.Control.activeDialog():
            Gui.Control.closeDialog()
        App.closeDocument(self.doc.Name)
        settle(0.2)

    def use_stub(self, model, candidates=1):
        preferences.store(
            Backend=2,
            Endpoint=os.environ["CADCODER_TEST_ENDPOINT"],
            ReadPicture=False,
            ModelName=model,
            Candidates=candidates,
        )

    def panel(self, picture=PICTURE):
        from CADCoderWorkbench.image_panel import ImagePanel

        panel = ImagePanel()
        Gui.Control.showDialog(panel)
        if picture:
            self.assertTrue(panel.set_picture(picture))
        settle(0.3)
        return panel

    def say_yes_to_low_match(self, panel):
        """Answer Yes to the low-match question (modal) whenever it opens during the panel's run;
        the returned dict counts how often it was asked."""
        asked = {"n": 0}
        deadline = time.monotonic() + 900

        def poll():
            for w in shown_top_level():
                if isinstance(w, QtGui.QMessageBox):
                    asked["n"] += 1
                    w.button(QtGui.QMessageBox.Yes).click()
            if (panel.running or panel.outcome == "ready") and time.monotonic() < deadline:
                QtCore.QTimer.singleShot(200, poll)

        QtCore.QTimer.singleShot(200, poll)
        return asked

    def run_panel(self, panel, seconds=240):
        self.assertTrue(panel.run(), panel.notice.text())
        wait_until(lambda: not panel.running, seconds=seconds, what="the run")
        self.assertEqual(panel.outcome, "done", panel.stage.text())
        Gui.ActiveDocument.ActiveView.viewIsometric()
        Gui.SendMsgToActiveView("ViewFit")
        return panel.feature


class A_SizeTests(AfterFirstClickCase):
    def test_1_the_part_comes_out_at_the_size_typed_with_the_preferences_default(self):
        preferences.store(SizeAxis=1, SizeMm="60")  # X, 60 mm: the default of the panel's field
        self.use_stub("cylinder")
        panel = self.panel()
        self.assertEqual((panel.form.sizeAxis.currentText(), panel.form.sizeValue.text()), ("X", "60"))
        area = task_scroll_area(panel.form)
        for name in ("sizeLabel", "sizeAxis", "sizeValue", "sizeUnit", "runButton"):
            self.assertTrue(shown_whole(getattr(panel.form, name), area), f"{name} is cut off")
        shoot("size_field")
        feature = self.run_panel(panel)
        box = feature.Shape.BoundBox
        report = panel.result.size
        self.assertEqual(report["status"], "ok", report)
        # The part itself measures what was asked: snapping never moves the extent the user gave.
        self.assertAlmostEqual(box.XLength, 60.0, places=4)
        self.assertAlmostEqual(box.XLength, report["bbox_mm"][0], places=3)
        self.assertAlmostEqual(box.ZLength / box.XLength, 10 / 24, delta=0.05)  # proportions kept
        self.assertIn("Sized to x=60 mm", panel.form.match.text())
        self.assertTrue(panel.form.match.isVisible())
        scroll_to(panel, panel.form.match)
        shoot("sized")
        record(sized_extents_mm=[round(box.XLength, 3), round(box.YLength, 3), round(box.ZLength, 3)])
        record(size_report=report, size_text=panel.form.match.text())

    def test_2_a_size_that_is_no_length_is_refused_and_empty_means_no_scaling(self):
        self.use_stub("cylinder")
        panel = self.panel()
        panel.form.sizeValue.setText("sixty")
        self.assertFalse(panel.run())
        self.assertIn("not a length in mm", panel.notice.text())
        panel.form.sizeValue.setText("")
        feature = self.run_panel(panel)
        self.assertIsNone(panel.result.size)
        self.assertAlmostEqual(feature.Shape.BoundBox.XLength, 24.0, delta=0.5)  # the model's own numbers


class B_ChooseTests(AfterFirstClickCase):
    def test_1_overlay_match_and_candidates_then_choosing_is_one_undo_step(self):
        self.use_stub("three-parts", candidates=3)
        panel = self.panel()
        original = panel.form.preview.pixmap().toImage()
        feature = self.run_panel(panel)
        result = panel.result
        # The overlay: the engine's picture, shown in place of the input, and the match in words.
        self.assertTrue(result.overlay and Path(result.overlay).is_file(), result.overlay)
        shown = panel.form.preview.pixmap().toImage()
        self.assertFalse(shown.isNull())
        self.assertNotEqual(shown, original, "the preview still shows the plain picture")
        self.assertIn(f"Match with the picture: {result.match:.0%}", panel.form.match.text())
        # The candidates: three different programs, thumbnails with their match, the pick checked.
        count = len(result.choices)
        self.assertIn(count, (3, 4), [c.get("code") for c in result.choices])  # 3 answers (+ a fitted copy)
        self.assertEqual(list(feature.Candidates), [c["code"] for c in result.choices])
        self.assertEqual(feature.Chosen, 0)
        self.assertTrue(panel.form.choices.isVisible())
        buttons = panel.choice_buttons
        self.assertEqual([b.isChecked() for b in buttons], [True] + [False] * (count - 1))
        for button, choice in zip(buttons, result.choices, strict=True):
            self.assertFalse(button.icon().isNull(), "a candidate without its thumbnail")
            self.assertIn(f"{choice['match']:.0%}", button.text())
        area = task_scroll_area(panel.form)
        for button in buttons:
            self.assertTrue(shown_whole(button, area), f"{button.text()} is cut off")
        shoot("overlay_match")
        scroll_to(panel, panel.form.choices)
        shoot("choices")
        before = (feature.Code, feature.Shape.Volume)
        # Pick the third candidate by clicking its thumbnail.
        buttons[2].click()
        wait_until(lambda: not panel.busy, what="building the candidate")
        self.assertEqual(feature.Code, result.choices[2]["code"], panel.stage.text())
        self.assertEqual(feature.Chosen, 2)
        self.assertAlmostEqual(
            feature.Shape.Volume, result.choices[2]["volume"], delta=1e-6 * before[1] + 1e-6
        )
        self.assertNotAlmostEqual(feature.Shape.Volume, before[1], delta=1.0)
        self.assertEqual(self.doc.UndoNames[0], "Choose candidate")
        self.assertEqual([b.isChecked() for b in panel.choice_buttons], [i == 2 for i in range(count)])
        self.assertIn("candidate 3", panel.stage.text())
        third = result.choices[2]["match"]
        self.assertIn(f"Match with the picture: {third:.0%}</b> (candidate 3)", panel.form.match.text())
        self.assertTrue(panel.choice_buttons[2].text().startswith("\u2713"))
        shoot("chosen")
        chosen_volume = feature.Shape.Volume
        # Ctrl+Z: the previous program and its solid come back, and all candidates stay kept.
        Gui.getMainWindow().activateWindow()
        Gui.runCommand("Std_Undo")
        settle(0.5)
        self.assertEqual((feature.Code, feature.Chosen), (before[0], 0))
        self.assertAlmostEqual(feature.Shape.Volume, before[1], places=6)
        self.assertEqual(list(feature.Candidates), [c["code"] for c in result.choices])
        wait_until(
            lambda: panel.choice_buttons[0].isChecked(), seconds=5, what="the marks to follow the undo"
        )
        self.assertEqual([b.isChecked() for b in panel.choice_buttons], [i == 0 for i in range(count)])
        self.assertTrue(panel.choice_buttons[0].text().startswith("\u2713"))
        self.assertIn(
            f"Match with the picture: {result.match:.0%}</b> (overlay above)", panel.form.match.text()
        )
        record(
            match=result.match,
            choices=[{"match": c["match"], "volume": c["volume"]} for c in result.choices],
            chosen_volume=chosen_volume,
            volume_after_undo=feature.Shape.Volume,
        )


class C_KeepTests(AfterFirstClickCase):
    def test_1_keep_stores_the_picture_and_the_edited_code_in_the_user_dataset(self):
        self.use_stub("cylinder")
        panel = self.panel()
        feature = self.run_panel(panel)
        self.assertTrue(panel.form.keepButton.isEnabled())
        # The user's edit: the radius typed into the property view (here set as the editor would).
        self.assertIn("radius", feature.PropertiesList)
        feature.radius = 9.5
        self.doc.recompute()
        self.assertAlmostEqual(feature.Shape.BoundBox.XLength, 19.0, delta=0.1)  # a bound box of curves
        before = len(kept_examples())
        panel.form.keepButton.click()
        wait_until(lambda: panel.kept, what="keeping the example")
        self.assertTrue(panel.kept.startswith("Kept as training example"), panel.kept)
        examples = kept_examples()
        self.assertEqual(len(examples), before + 1)
        code, png = examples[-1]
        self.assertIn("radius = 9.5", code)
        self.assertNotIn("radius = 12", code)
        self.assertTrue(png.startswith(b"\x89PNG"))
        scroll_to(panel, panel.form.keepButton)
        shoot("kept")
        # The menu command keeps the selected part the same way (a second edit: a second example).
        Gui.Control.closeDialog()
        settle(0.3)
        feature.radius = 8.0
        self.doc.recompute()
        Gui.Selection.clearSelection()
        Gui.Selection.addSelection(feature)
        Gui.runCommand("CADCoder_KeepExample")
        wait_until(lambda: len(kept_examples()) == before + 2, what="the command's example")
        self.assertIn("radius = 8.0", kept_examples()[-1][0])
        record(kept_example_code=code, examples_folder=str(USER_DATA / "examples"))


class D_FineTunedTests(AfterFirstClickCase):
    def test_1_the_preference_switches_to_the_fine_tuned_copy_or_says_it_is_missing(self):
        from CADCoderWorkbench.settings import finetuned_model_dir

        final = finetuned_model_dir()
        self.assertTrue(str(final).startswith(str(USER_DATA)), final)
        self.assertFalse(final.exists())
        preferences.store(UseFineTuned=True)
        panel = self.panel()
        self.assertIn(f"There is no fine-tuned model at {final}", panel.notice.text())
        self.assertTrue(panel.run())  # the run says why it cannot start; nothing is added
        wait_until(lambda: not panel.running, what="the refused run")
        self.assertEqual(panel.outcome, "failed")
        self.assertIn("no fine-tuned model", panel.stage.text())
        self.assertEqual(self.doc.Objects, [])
        shoot("finetuned_missing")
        Gui.Control.closeDialog()
        settle(0.3)
        # A copy in place (here the shipped model, linked: the workbench only reads the folder).
        final.parent.mkdir(parents=True, exist_ok=True)
        final.symlink_to(REPO_ROOT / "resources" / "models" / "cadcoder-mini")
        try:
            settings = preferences.load()
            self.assertEqual(engine.backend_args(settings), ["--model", str(final)])
            panel = self.panel()
            self.assertEqual(panel.notice.text(), "")
            self.assertIn(f"fine-tuned model ({final})", panel.form.backend.text())
        finally:
            final.unlink()

    def test_2_the_preferences_page_writes_the_size_default_and_the_fine_tuned_switch(self):
        def fill(page):
            page.findChild(QtGui.QComboBox, "sizeAxis").setCurrentIndex(3)
            page.findChild(QtGui.QLineEdit, "sizeMm").setText("12.5")
            page.findChild(QtGui.QCheckBox, "useFineTuned").setChecked(True)

        self.assertTrue(fill_preferences(fill, shot="after_preferences"), "the CAD-Coder page was not shown")
        settings = preferences.load()
        self.assertEqual((settings.size_axis, settings.size_mm, settings.use_finetuned), ("z", 12.5, True))
        panel = self.panel(picture=None)
        self.assertEqual((panel.form.sizeAxis.currentText(), panel.form.sizeValue.text()), ("Z", "12.5"))

    @unittest.skipIf(
        os.environ.get("CADCODER_GUI_QUICK") == "1", "CADCODER_GUI_QUICK=1: no embedded-model run"
    )
    @unittest.skipUnless(FINETUNED_RUN.joinpath("model", "final", "config.json").is_file(), FINETUNED_MISSING)
    def test_3_the_fine_tuned_copy_answers_a_kept_picture_better_than_the_shipped_model(self):
        """The copy ``benchmarks/finetune_user.py`` trained on four kept parts, put where the
        preference looks: Image to CAD on a kept picture (the model's own answer: picture reading
        off) matches it better with the preference on than with the shipped model."""
        from CADCoderWorkbench.settings import finetuned_model_dir

        with tarfile.open(FINETUNED_RUN / "examples" / "shard-00000.tar") as tar:
            files = {m.name.partition(".")[2]: tar.extractfile(m).read() for m in tar if m.isfile()}
        picture = SHOTS / "kept_bracket.png"
        picture.write_bytes(files["png"])
        final = finetuned_model_dir()
        final.parent.mkdir(parents=True, exist_ok=True)
        final.symlink_to(FINETUNED_RUN / "model" / "final")
        matches = {}
        try:
            for use in (False, True):
                preferences.store(UseFineTuned=use, ReadPicture=False, Candidates=1)
                panel = self.panel(str(picture))
                self.assertEqual("fine-tuned" in panel.form.backend.text(), use, panel.form.backend.text())
                self.say_yes_to_low_match(panel)
                self.run_panel(panel, seconds=600)
                matches[use] = panel.result.match
                shoot("finetuned_run" if use else "shipped_run")
                Gui.Control.closeDialog()
                settle(0.3)
        finally:
            final.unlink()
        record(kept_bracket_match_shipped=matches[False], kept_bracket_match_finetuned=matches[True])
        self.assertGreater(matches[True], matches[False] + 0.05, matches)


class E_EmbeddedTests(AfterFirstClickCase):
    @unittest.skipIf(
        os.environ.get("CADCODER_GUI_QUICK") == "1", "CADCODER_GUI_QUICK=1: no embedded-model run"
    )
    def test_1_the_bundled_bracket_at_60_mm_with_the_default_model(self):
        """The issue's own example with default settings (embedded model, picture reading on):
        longest side 60 mm, the overlay, the candidates. For the README's screenshots."""
        preferences.store(SizeAxis=0, SizeMm="60")
        panel = self.panel(BRACKET_PICTURE)
        asked = self.say_yes_to_low_match(panel)
        feature = self.run_panel(panel, seconds=900)
        box = feature.Shape.BoundBox
        longest = max(box.XLength, box.YLength, box.ZLength)
        self.assertAlmostEqual(longest, 60.0, delta=0.5)
        area = task_scroll_area(panel.form)
        area.verticalScrollBar().setValue(area.verticalScrollBar().maximum())
        scroll_to(panel, panel.form.preview)  # the overlay at the top, the match and size below it
        shoot("bracket_overlay")
        if panel.choice_buttons:
            scroll_to(panel, panel.form.choices)
        shoot("bracket_choices")
        record(
            bracket_extents_mm=[round(box.XLength, 3), round(box.YLength, 3), round(box.ZLength, 3)],
            bracket_match=panel.result.match,
            bracket_size=panel.result.size,
            bracket_choices=[c.get("match") for c in panel.result.choices],
            bracket_code=feature.Code,
            bracket_low_match_asked=asked["n"],
        )
