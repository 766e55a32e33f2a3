"""The client side runs under FreeCAD's own Python (Debian's, without CadQuery) and drives ``.venv`` workers."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from core.paths import venv_python
from core.version import REPO_ROOT

SYSTEM_PYTHON = "/usr/bin/python3"

SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
import core.sandbox as sandbox
heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'cadquery', 'OCP', 'numpy', 'torch', 'pydantic'})
with sandbox.SandboxPool(sandbox.SandboxConfig(workers=1)) as pool:
    result = pool.run('import cadquery as cq\\nsolid = cq.Workplane().box(1, 2, 3)')
print(json.dumps({"heavy": heavy, "result": result.to_json(), "forbidden": str(sandbox.check_code("eval('1')")[0])}))
"""


@pytest.mark.skipif(shutil.which(SYSTEM_PYTHON) is None, reason="Debian's /usr/bin/python3 is not installed")
def test_client_under_system_python_isolated() -> None:
    assert venv_python() is not None, "the project .venv is needed for the workers"
    proc = subprocess.run(
        [SYSTEM_PYTHON, "-I", "-c", SCRIPT, str(REPO_ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    assert answer["heavy"] == []
    assert answer["result"]["status"] == "ok"
    assert answer["result"]["volume"] == pytest.approx(6.0)
    assert answer["forbidden"] == "line 1: forbidden: call of eval"
