"""pytest's side of the FreeCAD test harness: unittest cases run inside FreeCAD, reported one by one.

A case file (``fc_*_cases.py``, plain ``unittest.TestCase`` classes, each test owning its document)
runs under ``freecadcmd`` or the GUI (``xvfb-run freecad``) through ``freecad_case_runner.py``,
which appends one JSON line per test to a results file as each test ends. Here the test names are
read from the case file's source (so pytest lists every test before FreeCAD starts), the run
happens once per module, and each case becomes its own pytest test with its traceback.

FreeCAD runs in a private home: ``HOME`` and the XDG folders point into a temporary directory
(FreeCAD 0.20 on Debian uses the XDG layout and ignores ``FREECAD_USER_HOME``), and the repository
is installed the way users install it, as a link in that home's ``Mod`` folder.
"""

from __future__ import annotations

import ast
import json
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("freecad_case_runner.py")
GUI_SCREEN = "-screen 0 1400x900x24"
# The user's folders and keys stay out: tests must not read or write them.
_PRIVATE_VARIABLES = (
    "FREECAD_USER_HOME",
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "CADCODER_API_KEY",
    "OPENAI_API_KEY",
)


@dataclass
class CaseRun:
    results: dict[str, dict]
    returncode: int | None
    output: str  # the end of FreeCAD's stdout and stderr, for failures


def case_names(case_file: Path) -> list[str]:
    """``Class.test_method`` for every test of every TestCase class in ``case_file`` (classes may
    derive from other TestCase classes of the file; inherited tests count for each subclass)."""
    tree = ast.parse(case_file.read_text(encoding="utf-8"))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}

    def is_case(name: str) -> bool:
        node = classes.get(name)
        if node is None:
            return name.endswith("TestCase")
        return any(is_case(ast.unparse(base).split(".")[-1]) for base in node.bases)

    def tests(name: str) -> set[str]:
        node = classes.get(name)
        if node is None:
            return set()
        own = {f.name for f in node.body if isinstance(f, ast.FunctionDef) and f.name.startswith("test")}
        return own.union(*(tests(ast.unparse(b).split(".")[-1]) for b in node.bases))

    return sorted(f"{name}.{test}" for name in classes if is_case(name) for test in tests(name))


def private_freecad_home(home: Path, extra_addons: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
    """The environment for a FreeCAD whose settings and Mod folder live under ``home``, with this
    repository installed as ``Mod/CADCoder``; ``extra_addons`` maps an add-on's folder name to its
    files (relative path -> text)."""
    mods = home / "data" / "FreeCAD" / "Mod"
    mods.mkdir(parents=True, exist_ok=True)
    (mods / "CADCoder").symlink_to(REPO)
    for addon, files in (extra_addons or {}).items():
        for relative, text in files.items():
            path = mods / addon / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in _PRIVATE_VARIABLES}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        QTWEBENGINE_DISABLE_SANDBOX="1",  # the Start page's web view refuses to run as root otherwise
    )
    return env


def run_cases(
    case_file: Path,
    home: Path,
    *,
    gui: bool = False,
    extra_env: dict[str, str] | None = None,
    extra_addons: dict[str, dict[str, str]] | None = None,
    timeout: float = 300,
) -> CaseRun:
    results = home / "results.jsonl"
    env = private_freecad_home(home, extra_addons)
    env.update(CADCODER_CASES=str(case_file), CADCODER_RESULTS=str(results), **(extra_env or {}))
    command = ["freecadcmd", str(RUNNER)]
    if gui:
        command = ["xvfb-run", "-a", "-s", GUI_SCREEN, "freecad", str(RUNNER)]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=str(home),
        start_new_session=True,  # so a hung FreeCAD (and Xvfb) can be killed as a group
    )
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        output += f"\n[harness] FreeCAD did not finish within {timeout:g} s and was killed"
    found = {}
    if results.is_file():
        for line in results.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            found[record["test"]] = record
    return CaseRun(found, proc.returncode, output[-4000:])


def report(run: CaseRun, name: str) -> None:
    """Pass, fail or skip the pytest test for case ``name`` as FreeCAD reported it."""
    record = run.results.get(name)
    if record is None and "<load>" in run.results:
        pytest.fail(f"the case file did not load:\n{run.results['<load>']['detail']}", pytrace=False)
    if record is None:
        pytest.fail(f"{name} did not report (FreeCAD exit status {run.returncode}):\n{run.output}")
    if record["outcome"] == "skipped":
        pytest.skip(record.get("detail", ""))
    if record["outcome"] != "passed":
        pytest.fail(f"{name} {record['outcome']} inside FreeCAD:\n{record.get('detail', '')}", pytrace=False)
