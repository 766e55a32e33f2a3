"""The edited part shown in the 3D view before the user accepts an edit.

A temporary ``Part::Feature`` holds the sandbox's solid of the edited code, drawn in green over a
hidden original, so the user sees where a hole or fillet lands before OK. It is made and removed
outside any undo transaction (the panel is not a command), so the document's undo history only
ever gets the one "Edit with prompt" step of the accepted edit; Cancel leaves no trace.
"""

from __future__ import annotations

import FreeCADGui as Gui
import Part

PREVIEW_NAME = "EditPreview"
PREVIEW_COLOUR = (0.25, 0.75, 0.35)


class Preview:
    """One shown preview of ``feature``; ``discard`` puts everything back as it was."""

    def __init__(self, feature, brep: bytes) -> None:
        self.feature = feature
        self.doc = feature.Document
        shape = Part.Shape()
        shape.importBrepFromString(brep.decode("utf-8"))
        shape.Placement = feature.Placement
        self.obj = self.doc.addObject("Part::Feature", PREVIEW_NAME)
        self.obj.Label = f"{feature.Label} (edit preview)"
        self.obj.Shape = shape
        self.was_visible = None
        if self.obj.ViewObject is not None and feature.ViewObject is not None:
            self.obj.ViewObject.ShapeColor = PREVIEW_COLOUR
            self.obj.ViewObject.LineColor = (0.1, 0.35, 0.15)
            self.was_visible = feature.ViewObject.Visibility
            feature.ViewObject.Visibility = False

    @property
    def shape(self):
        return self.obj.Shape

    def discard(self) -> None:
        if self.doc.getObject(self.obj.Name) is not None:
            self.doc.removeObject(self.obj.Name)
        if self.was_visible is not None and self.feature.ViewObject is not None:
            self.feature.ViewObject.Visibility = self.was_visible


def selected_face_centre(feature) -> tuple[str, tuple[float, float, float]] | None:
    """The face of ``feature`` selected in the 3D view, and its centre of mass in the feature's own
    coordinates (the CadQuery program's), or None."""
    for sel in Gui.Selection.getSelectionEx(feature.Document.Name):
        if sel.Object is not feature:
            continue
        for name in sel.SubElementNames:
            if name.startswith("Face"):
                face = feature.Shape.getElement(name)
                centre = feature.Placement.inverse().multVec(face.CenterOfMass)
                return name, (centre.x, centre.y, centre.z)
    return None


def fit_view() -> None:
    view = Gui.ActiveDocument.ActiveView if Gui.ActiveDocument is not None else None
    if view is not None and hasattr(view, "fitAll"):
        view.fitAll()
