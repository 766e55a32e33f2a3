"""The CadQuery feature: a ``Part::FeaturePython`` whose shape is the solid of its CadQuery code.

The proxy's module path and class name (``CADCoderWorkbench.cadquery_feature.CadQueryFeature``)
are written into every saved .FCStd: never rename or move them (leave a re-export if you must).

Life of a feature. The code, the source picture (inside the .FCStd, ``PropertyFileIncluded``), the
backend and a status are properties; every parameter of the code is a property of the same name in
the "Parameters" group (see ``parameter_properties``). ``execute`` writes those values into the
code, runs it in the sandbox (an engine process; CadQuery never loads into FreeCAD) and reads the
BREP back. ``BuiltFrom`` fingerprints the code the current shape came from, so a recompute that
changes nothing (moving the part, reopening the file, undo) never runs code: a saved document opens
with its stored shape even where no engine is installed. A failing run keeps the last good shape,
writes the error to ``Status`` and the console, and raises, which marks the object as failed in the
tree. GUI-less: ``make_cadquery_feature`` and ``update_code`` serve scripts, tests and panels alike,
each change as one undo transaction.

Image to CAD's candidates (issue 14) are kept on the feature as code only: ``Candidates`` holds every
program the run offered (best first) and ``Chosen`` which of them the feature is built from;
``choose_candidate`` swaps the code as one undo step, so both the chosen and the rejected programs
stay with the part and Ctrl+Z goes back.

This module knows nothing of the GUI (issue 14: modules one-directional): the GUI side hands it a
view-provider factory with ``set_view_provider`` (``commands.register``), so new features get their
tree icon and double-click without this module importing ``view_provider``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import FreeCAD as App
import Part

from CADCoderWorkbench import engine, preferences
from CADCoderWorkbench.parameter_properties import (
    PARAMETER_GROUP,
    PRECISE,
    code_value,
    constraints,
    parameter_properties,
)
from core.program import apply_parameters, find_parameters
from core.sandbox import ExecutionResult

FEATURE_GROUP = "Generated"
NORMAL, READ_ONLY, HIDDEN = 0, 1, 2

# (type, name, tooltip, editor mode): added on creation and, when missing, on restore, so documents
# saved by an older version gain new properties instead of breaking.
PROPERTIES = (
    (
        "App::PropertyString",
        "Code",
        "CadQuery source of this feature (edit: double-click the feature)",
        HIDDEN,
    ),
    (
        "App::PropertyFileIncluded",
        "SourceImage",
        "Picture the code was generated from (kept in the file)",
        NORMAL,
    ),
    ("App::PropertyString", "Backend", "Model that wrote the code", READ_ONLY),
    ("App::PropertyString", "Status", "Result of the last run of the code", READ_ONLY),
    ("App::PropertyString", "BuiltFrom", "Fingerprint of the code the shape was built from", HIDDEN),
    (
        "App::PropertyStringList",
        "Candidates",
        "Every program Image to CAD offered for the picture, best first (code only)",
        READ_ONLY,
    ),
    ("App::PropertyInteger", "Chosen", "Which of the Candidates the code came from (-1: none)", READ_ONLY),
)

# Made by the GUI side (commands.register -> view_provider.CadQueryViewProvider) for each new
# feature while the GUI is up; None in console mode and before the workbench is loaded.
_view_provider: Callable[[object], object] | None = None


def set_view_provider(factory: Callable[[object], object] | None) -> None:
    """Who gives new features their view provider (called with ``obj.ViewObject``)."""
    global _view_provider
    _view_provider = factory


class FeatureError(RuntimeError):
    """The code did not produce a solid; the previous shape is kept."""


class CadQueryFeature:
    def __init__(self, obj) -> None:
        obj.Proxy = self
        add_properties(obj)

    def execute(self, obj) -> None:
        code = current_code(obj)
        if obj.BuiltFrom == fingerprint(code) and not obj.Shape.isNull():
            return  # the shape already is this code's solid
        apply_result(obj, code, engine.run(code, preferences.load()))

    def onDocumentRestored(self, obj) -> None:
        add_properties(obj)
        sync_parameters(obj, keep_values=True)  # files from before typed parameters (issue 15)

    # FreeCAD 0.20 pickles proxies with __getstate__/__setstate__, later versions with dumps/loads.
    def __getstate__(self):
        return None

    def __setstate__(self, state) -> None:
        return None

    def dumps(self):
        return None

    def loads(self, state) -> None:
        return None


def add_properties(obj) -> None:
    for type_id, name, tooltip, mode in PROPERTIES:
        if name not in obj.PropertiesList:
            obj.addProperty(type_id, name, FEATURE_GROUP, tooltip)
            if name == "Chosen":
                obj.Chosen = -1
        obj.setEditorMode(name, mode)


def fingerprint(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def is_cadquery_feature(obj) -> bool:
    return isinstance(getattr(obj, "Proxy", None), CadQueryFeature)


def parameter_names(obj) -> dict[str, str]:
    """Parameter name in the code -> property name on ``obj``."""
    return {p.parameter.name: p.name for p in _properties_for(obj, obj.Code)}


def current_code(obj) -> str:
    """The code with the values the user typed into the parameter properties."""
    values = {}
    for prop in _properties_for(obj, obj.Code):
        if prop.name in obj.PropertiesList:
            stored = getattr(obj, prop.name)
            values[prop.parameter.name] = code_value(prop.type_id, stored, prop.parameter.value)
    return apply_parameters(obj.Code, values)


def sync_parameters(obj, keep_values: bool = False) -> None:
    """Make the "Parameters" group match ``obj.Code``: add, retype, set, and drop vanished ones.
    ``keep_values`` (restoring a file) keeps what the properties hold, also across a change of
    type (an old ``PropertyFloat`` becomes a length with the same number), and touches nothing
    that is already right, so opening a file never changes a value or runs code."""
    wanted = {p.name: p for p in _properties_for(obj, obj.Code)}
    kept = {}
    for name in _parameter_property_names(obj):
        if name not in wanted:
            obj.removeProperty(name)
        elif obj.getTypeIdOfProperty(name) != wanted[name].type_id:
            kept[name] = float(getattr(getattr(obj, name), "Value", getattr(obj, name)))
            obj.removeProperty(name)
    for prop in wanted.values():
        if prop.name not in obj.PropertiesList:
            obj.addProperty(prop.type_id, prop.name, PARAMETER_GROUP, prop.tooltip)
            value = kept.get(prop.name, prop.parameter.value) if keep_values else prop.parameter.value
            _set_parameter(obj, prop, code_value(prop.type_id, value, prop.parameter.value))
        elif not keep_values:
            _set_parameter(obj, prop, prop.parameter.value)
        elif prop.type_id == PRECISE:
            _set_parameter(obj, prop, getattr(obj, prop.name))  # bounds are not saved in files


def _set_parameter(obj, prop, value) -> None:
    """A PRECISE property takes its value with open bounds (FreeCAD's stop at 0)."""
    setattr(obj, prop.name, constraints(float(value)) if prop.type_id == PRECISE else value)


def apply_result(obj, code: str, result: ExecutionResult) -> None:
    """Put a run's solid into ``obj``; on failure keep the shape, report, and raise FeatureError."""
    if not result.ok or result.brep is None:
        obj.Status = engine.describe(result)
        App.Console.PrintError(f"{obj.Label}: {obj.Status} (the previous shape is kept)\n")
        raise FeatureError(obj.Status)
    shape = Part.Shape()
    shape.importBrepFromString(result.brep.decode("utf-8"))
    obj.Shape = shape
    if obj.Code != code:
        obj.Code = code
    obj.BuiltFrom = fingerprint(code)
    obj.Status = engine.describe(result)


def make_cadquery_feature(
    doc,
    code: str,
    name: str = "CadQueryPart",
    image_path: str | None = None,
    backend: str = "",
    result: ExecutionResult | None = None,
    placement=None,
    candidates: Sequence[str] = (),
):
    """A new feature in ``doc`` from ``code`` as one undo step. ``result`` is a run of exactly this
    code done elsewhere (a panel's worker thread), so it is not run twice; ``placement`` (an
    ``App.Placement``) puts it somewhere else than the origin; ``candidates`` are the programs a
    run offered (kept in ``Candidates``, ``Chosen`` marks ``code`` among them). Raises ValueError
    and leaves the document unchanged when the code does not make a solid."""
    result = result if result is not None else engine.run(code, preferences.load())
    if not result.ok:
        raise ValueError(engine.describe(result))
    doc.openTransaction("Add CadQuery feature")
    obj = None
    try:
        obj = doc.addObject("Part::FeaturePython", name)
        CadQueryFeature(obj)
        obj.Code = code
        sync_parameters(obj)
        if image_path:
            obj.SourceImage = image_path
        obj.Backend = backend
        if candidates:
            obj.Candidates = list(candidates)
            obj.Chosen = list(candidates).index(code) if code in candidates else -1
        apply_result(obj, code, result)
        if placement is not None:
            obj.Placement = placement  # after the shape: setting it outside a recompute resets this
        if App.GuiUp and _view_provider is not None and obj.ViewObject is not None:
            _view_provider(obj.ViewObject)
        doc.recompute()
    except Exception:
        doc.abortTransaction()
        if obj is not None and doc.getObject(obj.Name) is not None:  # no undo in console mode
            doc.removeObject(obj.Name)
        raise
    doc.commitTransaction()
    return obj


def update_code(
    obj,
    code: str,
    result: ExecutionResult | None = None,
    label: str = "Edit CadQuery code",
    chosen: int | None = None,
) -> None:
    """Replace the feature's code (its parameters follow) as one undo step; ValueError, and no
    change, when the new code does not make a solid. ``chosen`` also sets ``Chosen`` in the same
    step (``choose_candidate``)."""
    result = result if result is not None else engine.run(code, preferences.load())
    if not result.ok:
        raise ValueError(engine.describe(result))
    doc = obj.Document
    doc.openTransaction(label)
    try:
        obj.Code = code
        if chosen is not None:
            obj.Chosen = chosen
        sync_parameters(obj)
        apply_result(obj, code, result)
        doc.recompute()
    except Exception:
        doc.abortTransaction()
        raise
    doc.commitTransaction()


def choose_candidate(obj, index: int, result: ExecutionResult | None = None) -> None:
    """Build the feature from its candidate ``index`` instead (one undo step, "Choose candidate");
    every candidate stays in ``Candidates``. IndexError for no such candidate, ValueError (no
    change) when its code does not make a solid."""
    candidates = list(obj.Candidates)
    if not 0 <= index < len(candidates):
        raise IndexError(f"{obj.Label} has no candidate {index + 1} (it keeps {len(candidates)})")
    update_code(obj, candidates[index], result, label="Choose candidate", chosen=index)


def _parameter_property_names(obj) -> list[str]:
    return [n for n in obj.PropertiesList if obj.getGroupOfProperty(n) == PARAMETER_GROUP]


def _properties_for(obj, code: str):
    reserved = (set(dir(obj)) | set(obj.PropertiesList)) - set(_parameter_property_names(obj))
    return parameter_properties(find_parameters(code), reserved, _user_decimals())


def _user_decimals() -> int:
    """FreeCAD's "Decimals" unit preference: what its quantity editors round typed values to."""
    return App.ParamGet("User parameter:BaseApp/Preferences/Units").GetInt("Decimals", 2)
