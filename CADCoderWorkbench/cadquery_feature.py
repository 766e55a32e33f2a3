"""The "CadQuery feature": a FeaturePython object whose shape is the solid of its CadQuery code.

Module path and class name are stored in every saved .FCStd file: never rename them. The code and
its parameters live in properties; every parameter found by ``core.program.find_parameters`` gets a
property of the same name in the "Parameters" group (floats stay floats, integers integers, so the
code's values round-trip exactly). ``execute`` writes the property values into the code, runs it in
the sandbox (a .venv process: CadQuery never loads into FreeCAD) and reads the BREP back. A failure
keeps the last good shape and reports the error in ``Status`` and on the console. Reopening a
document shows the stored shape without running anything until a parameter changes.
"""

from __future__ import annotations

import FreeCAD as App
import Part

from CADCoderWorkbench import bootstrap

bootstrap.put_repository_first()

from core.program import apply_parameters, find_parameters
from core.sandbox import run_code

PARAMETER_GROUP = "Parameters"
FEATURE_GROUP = "CadQuery"


class CadQueryFeature:
    """Proxy of a ``Part::FeaturePython`` object."""

    def __init__(self, obj, code: str) -> None:
        obj.Proxy = self
        obj.addProperty("App::PropertyString", "Code", FEATURE_GROUP, "CadQuery source of this feature")
        obj.addProperty("App::PropertyString", "Status", FEATURE_GROUP, "Result of the last run")
        obj.addProperty("App::PropertyFileIncluded", "SourceImage", FEATURE_GROUP, "Picture it was made from")
        obj.addProperty("App::PropertyString", "Backend", FEATURE_GROUP, "Model that wrote the code")
        obj.setEditorMode("Status", 1)  # read-only
        obj.setEditorMode("Code", 2)  # hidden: edited through the code panel, not a one-line field
        obj.Code = code
        sync_parameters(obj)

    def execute(self, obj) -> None:
        code = current_code(obj)
        result = run_code(code, timeout=60.0, outputs=("brep",))
        if not result.ok or result.brep is None:
            obj.Status = f"{result.status.value}: {result.message}"
            App.Console.PrintError(f"{obj.Label}: {obj.Status} (the previous shape is kept)\n")
            return
        shape = Part.Shape()
        shape.importBrepFromString(result.brep.decode("utf-8"))
        obj.Shape = shape
        if code != obj.Code:
            obj.Code = code
        obj.Status = f"ok: volume {result.volume:.6g}"

    def onDocumentRestored(self, obj) -> None:
        obj.Proxy = self

    def __getstate__(self):
        return None

    def __setstate__(self, state) -> None:
        return None


def current_code(obj) -> str:
    """The code with the values the user typed into the parameter properties."""
    values = {}
    for param in find_parameters(obj.Code):
        if hasattr(obj, param.name):
            value = getattr(obj, param.name)
            values[param.name] = int(value) if isinstance(param.value, int) else float(value)
    return apply_parameters(obj.Code, values)


def sync_parameters(obj) -> None:
    """One property per parameter of the code; properties of parameters that vanished are removed."""
    params = find_parameters(obj.Code)
    wanted = {p.name for p in params}
    for name in obj.PropertiesList:
        if obj.getGroupOfProperty(name) == PARAMETER_GROUP and name not in wanted:
            obj.removeProperty(name)
    for param in params:
        if not hasattr(obj, param.name):
            kind = "App::PropertyInteger" if isinstance(param.value, int) else "App::PropertyFloat"
            where = f"line {param.line}" + (f", {param.call}()" if param.call else "")
            obj.addProperty(kind, param.name, PARAMETER_GROUP, f"{param.text} in the code ({where})")
        setattr(obj, param.name, param.value)


def make_cadquery_feature(doc, code: str, name: str = "CadQueryPart", image_path: str | None = None):
    """A new feature in ``doc`` built from ``code``, as one undo step; raises ValueError (and
    leaves the document unchanged) when the code does not make a solid."""
    result = run_code(code, timeout=60.0, outputs=("brep",))
    if not result.ok:
        raise ValueError(f"{result.status.value}: {result.message}")
    doc.openTransaction("Add CadQuery feature")
    try:
        obj = doc.addObject("Part::FeaturePython", name)
        CadQueryFeature(obj, code)
        if image_path:
            obj.SourceImage = image_path
        if App.GuiUp:
            from CADCoderWorkbench.view_provider import CadQueryViewProvider

            CadQueryViewProvider(obj.ViewObject)
        doc.recompute()
    except Exception:
        doc.abortTransaction()
        raise
    doc.commitTransaction()
    return obj
