"""Documents built inside ``freecadcmd`` for ``cadcoder to-freecad`` (and the native tests).

Started as ``freecadcmd -c "...; main(JOB_PATH)"``: the job file (JSON) lists items, each a program
to turn into one document; the results go to the job's ``result`` path as JSON, one entry per item,
so a batch of scripts costs one FreeCAD start. An item's keys:

- ``code``: the CadQuery program; ``native``: try the PartDesign translation first;
- ``output``: where to save the .FCStd (none: build, measure and close);
- ``volume``: the sandbox's volume; a native solid that differs by more than ``tolerance``
  (relative) is not kept: the item falls back like a refused translation;
- ``fallback``: on refusal (or without ``native``), add a CadQuery feature (``make_cadquery_feature``,
  which runs the code in the sandbox) or, when that is unavailable, a ``Part::Feature`` holding
  ``brep`` (a file of the sandbox's BREP);
- ``name``: the object name of that fallback feature.
"""

from __future__ import annotations

import json
import time
import traceback
from pathlib import Path

import FreeCAD as App
import Part

from CADCoderWorkbench.native.builder import build_native
from core.program.sketch_ir import NotNative, parse_program


def main(job_path: str) -> None:
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    results = [run_item(item) for item in job["items"]]
    Path(job["result"]).write_text(json.dumps({"items": results}), encoding="utf-8")


def run_item(item: dict) -> dict:
    started = time.perf_counter()
    doc = App.newDocument("CADCoder")
    out: dict = {"status": "ok", "native": False, "native_volume": None, "message": ""}
    try:
        if item.get("native"):
            out.update(_native(doc, item))
        if not out["native"] and item.get("fallback", True):
            feature, note = _fallback(doc, item)
            out["message"] = "; ".join(m for m in (out["message"], note) if m)
            out.update(
                _describe(
                    feature,
                    [p for p in feature.PropertiesList if feature.getGroupOfProperty(p) == "Parameters"],
                )
            )
        doc.recompute()
        out["objects"] = [{"name": o.Name, "type": o.TypeId, "label": o.Label} for o in doc.Objects]
        if item.get("output"):
            doc.saveAs(item["output"])
            out["output"] = item["output"]
    except Exception as exc:  # any failure becomes this item's error report, with its traceback
        out.update(status="error", message=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
    finally:
        App.closeDocument(doc.Name)
    out["seconds"] = time.perf_counter() - started
    return out


def _native(doc, item: dict) -> dict:
    try:
        program = parse_program(item["code"])
        made = build_native(doc, program)
        volume = made.result.Shape.Volume
        expected = item.get("volume")
        if expected and abs(volume - expected) > item.get("tolerance", 1e-6) * abs(expected):
            raise NotNative(
                f"the native solid's volume {volume:.9g} differs from CadQuery's {expected:.9g} "
                f"(relative {abs(volume - expected) / abs(expected):.1e})"
            )
    except (NotNative, RuntimeError, ValueError) as exc:  # FreeCAD's and OCCT's errors are RuntimeErrors
        _clear(doc)
        return {
            "native": False,
            "message": f"not converted natively: {exc}",
            "reason": getattr(exc, "reason", str(exc)),
            "line": getattr(exc, "line", None),
        }
    names = sorted({c.Name for s in made.sketches for c in s.Constraints if c.Name})
    booleans = sorted({o.TypeId for o in made.part_booleans})
    message = f"native: {len(made.bodies)} PartDesign Body, {len(made.sketches)} sketches" + (
        f"; Part booleans ({', '.join(booleans)}) where PartDesign needs one solid" if booleans else ""
    )
    return {
        **_describe(made.result, names),
        "native": True,
        "native_volume": volume,
        "message": message,
        "bodies": len(made.bodies),
        "part_booleans": [o.TypeId for o in made.part_booleans],
        "sketches": [
            {
                "label": s.Label,
                "solve": s.solve(),
                "fully_constrained": bool(s.FullyConstrained),
                "constraints": [c.Name for c in s.Constraints if c.Name],
            }
            for s in made.sketches
        ],
    }


def _describe(obj, parameters: list[str]) -> dict:
    """The keys every answer has: the object holding the solid, its volume, its named parameters
    (the CadQuery feature's properties, or the native sketches' dimension names)."""
    return {"feature": obj.Name, "freecad_volume": obj.Shape.Volume, "parameters": parameters}


def _fallback(doc, item: dict):
    name = item.get("name") or "CadQueryPart"
    try:
        from CADCoderWorkbench.cadquery_feature import make_cadquery_feature
    except ImportError as exc:
        feature_error = f"the CadQuery feature is unavailable ({exc})"
    else:
        try:
            feature = make_cadquery_feature(
                doc,
                item["code"],
                name=name,
                image_path=item.get("image") or None,
                backend=item.get("backend", ""),
            )
            return feature, "kept as a CadQuery feature"
        except ValueError as exc:
            feature_error = f"the CadQuery feature failed ({exc})"
    if not item.get("brep"):
        raise RuntimeError(f"{feature_error} and no BREP was given")
    shape = Part.Shape()
    shape.importBrepFromString(Path(item["brep"]).read_text(encoding="utf-8"))
    obj = doc.addObject("Part::Feature", name)
    obj.Shape = shape
    return obj, f"{feature_error}: kept the sandbox's solid as a plain Part::Feature"


def _clear(doc) -> None:
    """Remove what a refused translation left behind, newest first (a Body takes its Origin along)."""
    for name in [o.Name for o in reversed(doc.Objects)]:
        if doc.getObject(name) is not None:
            doc.removeObject(name)
