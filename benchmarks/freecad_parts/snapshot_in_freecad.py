"""FreeCAD's side of benchmarks/freecad_parts.py: run by ``xvfb-run freecad THIS_FILE``.

For each job of ``$CADCODER_PARTS_JOBS`` (a JSON file: ``[{"step", "white", "gradient"}, ...]``) it
opens the STEP file as a part in a new document and saves two pictures: the workbench's own
Snapshot to CAD (``CADCoderWorkbench.snapshot``: isometric, framed, on white) and a plain
screenshot of the 3D view as a user would paste it (isometric, fit-all, FreeCAD's default
gradient). Then it exits without FreeCAD's questions.
"""

import json
import os
import sys
import traceback
from pathlib import Path

import FreeCAD as App
import FreeCADGui as Gui
import Part
from PySide import QtCore

SIZE = 448


def take_pictures() -> None:
    sys.path.insert(0, os.environ["CADCODER_REPO"])
    from CADCoderWorkbench.snapshot import snapshot

    for job in json.loads(Path(os.environ["CADCODER_PARTS_JOBS"]).read_text(encoding="utf-8")):
        doc = App.newDocument("Part")
        shape = Part.Shape()
        shape.read(job["step"])
        doc.addObject("Part::Feature", "Part").Shape = shape
        doc.recompute()
        Gui.updateGui()
        snapshot(path=job["white"])
        view = Gui.ActiveDocument.ActiveView
        view.viewIsometric()
        view.fitAll()
        view.saveImage(job["gradient"], SIZE, SIZE, "Current")
        App.closeDocument(doc.Name)


def run_and_exit() -> None:
    code = 0
    try:
        take_pictures()
    except Exception:
        traceback.print_exc()
        code = 1
    finally:
        os._exit(code)


QtCore.QTimer.singleShot(1000, run_and_exit)
