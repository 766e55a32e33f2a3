"""Run by ``freecadcmd`` for ``cadcoder to-freecad``: a CadQuery script -> a saved FreeCAD document
holding one CadQuery feature. Inputs and the JSON answer go through environment variables and stdout
because freecadcmd passes no arguments to scripts."""

import json
import os
import sys

sys.path.insert(0, os.environ["CADCODER_REPO"])

import FreeCAD as App

from CADCoderWorkbench.cadquery_feature import make_cadquery_feature


def main():
    with open(os.environ["CADCODER_CODE_FILE"], encoding="utf-8") as fh:
        code = fh.read()
    out = os.environ["CADCODER_OUT"]
    doc = App.newDocument(os.path.splitext(os.path.basename(out))[0] or "Part")
    try:
        obj = make_cadquery_feature(doc, code, name=os.environ.get("CADCODER_NAME", "CadQueryPart"))
    except ValueError as exc:
        answer = {"status": "error", "message": str(exc)}
    else:
        doc.saveAs(out)
        answer = {
            "status": "ok",
            "feature": obj.Name,
            "freecad_volume": obj.Shape.Volume,
            "parameters": [p for p in obj.PropertiesList if obj.getGroupOfProperty(p) == "Parameters"],
        }
    print("CADCODER_RESULT " + json.dumps(answer), flush=True)


main()
