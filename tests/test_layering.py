"""The light/heavy split of docs/architecture.md, checked under FreeCAD's own interpreter.

FreeCAD imports the light modules; if one of them pulled in CadQuery, numpy or torch the workbench
would fail to load there (or load a second OCCT). Debian's ``/usr/bin/python3`` with ``-I -S`` (no
site-packages at all) is a stricter stand-in for FreeCAD's Python.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import core

REPO = Path(core.__file__).resolve().parent.parent
SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin")

LIGHT_MODULES = [
    "core",
    "core.version",
    "core.paths",
    "core.sandbox",
    "core.program",
    "core.models.base",
    "core.models.remote",
    "core.models.prompt",
    "core.program.sketch_ir",
    "core.program.sketch_parse",
    "core.program.sketch_constraints",
    "CADCoderWorkbench.settings",
    "CADCoderWorkbench.engine",
    "CADCoderWorkbench.image_job",
    "CADCoderWorkbench.parameter_properties",
    "CADCoderWorkbench.job_context",
]

PROBE = """
import json, sys
sys.path.insert(0, {repo!r})
before = set(sys.modules)
import importlib
importlib.import_module({module!r})
new = sorted(m.split('.')[0] for m in set(sys.modules) - before)
print(json.dumps({{"new": new, "stdlib": sorted(sys.stdlib_module_names)}}))
"""


@pytest.mark.skipif(SYSTEM_PYTHON is None, reason="Debian's /usr/bin/python3 is not installed")
@pytest.mark.parametrize("module", LIGHT_MODULES)
def test_light_module_imports_only_the_standard_library(module: str) -> None:
    out = subprocess.run(
        [SYSTEM_PYTHON, "-I", "-S", "-c", PROBE.format(repo=str(REPO), module=module)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    foreign = sorted(set(report["new"]) - set(report["stdlib"]) - {"core", "CADCoderWorkbench"})
    assert foreign == [], f"{module} imports non-standard modules: {foreign}"


def test_core_is_this_repository() -> None:
    """FreeCAD's legacy Mod layout puts every addon on sys.path: make sure `core` is ours."""
    assert Path(core.__file__).resolve() == REPO / "core" / "__init__.py"
    assert (REPO / "package.xml").is_file()
    assert sys.modules["core"] is core
