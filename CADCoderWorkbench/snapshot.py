"""A picture of the 3D view in the style the models were trained on (GUI only).

The training and benchmark images are 448 x 448 isometric renders of the part alone, centred with a
margin, on white. The snapshot reproduces that: selection highlight cleared (it would colour the part), other
objects hidden when only the selected ones are wanted, then the user's camera, visibility and
selection are put back exactly as they were.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import FreeCAD as App
import FreeCADGui as Gui

SNAPSHOT_SIZE = 448
# The benchmark's renders leave a white margin: the part spans about 60 % of the picture, where
# FreeCAD's fit-all fills about 90 %.
FRAME_MARGIN = 1.45


def snapshot(only_selected: bool = False, path: str | None = None) -> str:
    """Write the PNG (to a fresh temporary folder unless ``path`` is given) and return its path."""
    doc, view = App.ActiveDocument, Gui.ActiveDocument.ActiveView
    path = path or str(Path(tempfile.mkdtemp(prefix="cadcoder-snapshot-")) / "snapshot.png")
    chosen = list(Gui.Selection.getSelection())
    camera = view.getCamera()
    hidden = []
    if only_selected and chosen:
        keep = {o.Name for o in chosen} | {d.Name for o in chosen for d in o.OutList}
        for obj in doc.Objects:
            vobj = obj.ViewObject
            if obj.Name not in keep and vobj is not None and vobj.Visibility:
                vobj.Visibility = False
                hidden.append(obj)
    Gui.Selection.clearSelection()
    try:
        view.viewIsometric()
        view.fitAll()
        _widen(view.getCameraNode(), FRAME_MARGIN)
        view.saveImage(path, SNAPSHOT_SIZE, SNAPSHOT_SIZE, "White")
    finally:
        for obj in hidden:
            obj.ViewObject.Visibility = True
        for obj in chosen:
            Gui.Selection.addSelection(obj)
        view.setCamera(camera)
    return path


def _widen(camera, factor: float) -> None:
    """Zoom out by ``factor`` (orthographic cameras have a height, perspective ones an angle)."""
    if hasattr(camera, "height"):
        camera.height.setValue(camera.height.getValue() * factor)
    else:
        camera.heightAngle.setValue(min(camera.heightAngle.getValue() * factor, 3.0))
