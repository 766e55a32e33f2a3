"""Keep as training example, from the GUI: the command (selected feature) and the Image to CAD
panel's button both come here. The feature's *current* code -- with what the user typed into its
parameter properties -- and its source picture go to ``keep_job.keep_example`` on a worker thread;
the answer comes back on the GUI thread as one sentence.
"""

from __future__ import annotations

from collections.abc import Callable

import FreeCAD as App
import FreeCADGui as Gui
from PySide import QtGui

from CADCoderWorkbench.cadquery_feature import current_code
from CADCoderWorkbench.jobs import Job
from CADCoderWorkbench.keep_job import KeptExample, keep_example
from CADCoderWorkbench.settings import Settings

Done = Callable[[str, bool], None]  # (sentence, kept)


def describe(kept: KeptExample) -> str:
    said = "Kept as training example" if kept.new else "Already kept as training example"
    return (
        f"{said} ({kept.count} in {kept.dataset}). To fine-tune: "
        "cadcoder train training/configs/finetune_user.yaml"
    )


def keep_feature(feature, settings: Settings, on_done: Done) -> Job:
    """Start keeping ``feature``'s picture and current code; ``on_done`` gets the outcome."""
    image, code = str(feature.SourceImage or ""), current_code(feature)
    return Job(
        lambda _context: keep_example(image, code, settings),
        on_finished=lambda kept: on_done(describe(kept), True),
        on_failed=lambda message: on_done(f"Not kept: {message}", False),
    ).start()


def keep_feature_in_background(feature, settings: Settings) -> Job | None:
    """The command: the outcome goes to the status bar and the Report view (a warning box when
    nothing was kept)."""
    if feature is None:
        return None
    label = feature.Label  # the part may be gone (document closed) when the answer comes

    def done(sentence: str, kept: bool) -> None:
        App.Console.PrintMessage(f"{label}: {sentence}\n")
        window = Gui.getMainWindow()
        window.statusBar().showMessage(sentence, 15000)
        if not kept:
            QtGui.QMessageBox.warning(window, "Keep as training example", sentence)

    return keep_feature(feature, settings, done)
