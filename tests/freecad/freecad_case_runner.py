"""FreeCAD's side of the test harness, run as ``freecadcmd freecad_case_runner.py`` or by the GUI.

Loads the unittest module named by ``$CADCODER_CASES``, runs it, and appends one JSON line per test
to ``$CADCODER_RESULTS`` the moment the test ends (so a later crash or hang still leaves the earlier
results). In the GUI the run starts from the event loop once the main window is up; either way the
process exits when the cases are done, without FreeCAD's "save changes?" questions.
"""

import importlib.util
import json
import os
import traceback
import unittest

import FreeCAD as App


class JsonLinesResult(unittest.TestResult):
    def __init__(self, path):
        super().__init__()
        self.path = path

    def _write(self, test, outcome, detail=""):
        name = test.id().split(".", 1)[1]  # drop the module name
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"test": name, "outcome": outcome, "detail": detail}) + "\n")

    def addSuccess(self, test):
        super().addSuccess(test)
        self._write(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._write(test, "failed", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._write(test, "error", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._write(test, "skipped", reason)


def run_cases():
    path = os.environ["CADCODER_CASES"]
    spec = importlib.util.spec_from_file_location("cadcoder_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    suite.run(JsonLinesResult(os.environ["CADCODER_RESULTS"]))


def run_and_exit():
    try:
        run_cases()
    except Exception:  # a case file that does not even load: say so where pytest looks
        with open(os.environ["CADCODER_RESULTS"], "a", encoding="utf-8") as fh:
            fh.write(
                json.dumps({"test": "<load>", "outcome": "error", "detail": traceback.format_exc()}) + "\n"
            )
        traceback.print_exc()
    finally:
        os._exit(0)


if App.GuiUp:
    from PySide import QtCore

    QtCore.QTimer.singleShot(1000, run_and_exit)
else:
    run_and_exit()
