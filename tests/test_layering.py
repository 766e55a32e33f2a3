"""The light/heavy split of docs/architecture.md, checked under FreeCAD's own interpreter, and the
workbench's module graph.

FreeCAD imports the light modules; if one of them pulled in CadQuery, numpy or torch the workbench
would fail to load there (or load a second OCCT). Debian's ``/usr/bin/python3`` with ``-I -S`` (no
site-packages at all) is a stricter stand-in for FreeCAD's Python.

The workbench's modules depend one way (issue 14): GUI panels and commands on the feature, never the
feature on the GUI. A cycle hidden in a function-level import still is one (it worked only because
the import ran late), so the graph counts every import statement wherever it stands.
"""

from __future__ import annotations

import ast
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
    "core.program.part_ir",
    "core.program.sketch_ir",
    "core.program.sketch_parse",
    "core.program.sketch_constraints",
    "CADCoderWorkbench.settings",
    "CADCoderWorkbench.engine",
    "CADCoderWorkbench.image_job",
    "CADCoderWorkbench.parameter_properties",
    "CADCoderWorkbench.job_context",
    "CADCoderWorkbench.keep_job",
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


WORKBENCH = "CADCoderWorkbench"


def _module_name(path: Path, base: Path) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def workbench_imports(root: Path = REPO / WORKBENCH) -> dict[str, set[str]]:
    """Module -> the workbench modules it imports, from every import statement in it (module
    level or inside a function, relative or absolute). ``from PKG import name`` counts as an
    import of ``PKG.name`` when that is a module, else of ``PKG``."""
    modules = {_module_name(p, root.parent): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.append(full if full in modules else base)
            for target in targets:
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_workbench_modules_import_each_other_one_way_only() -> None:
    graph = workbench_imports()
    assert "CADCoderWorkbench.cadquery_feature" in graph and len(graph) > 20
    assert import_cycles(graph) == []
    # The feature knows nothing of the GUI: the view provider is attached from the GUI side.
    assert "CADCoderWorkbench.view_provider" not in graph["CADCoderWorkbench.cadquery_feature"]
    assert "CADCoderWorkbench.cadquery_feature" in graph["CADCoderWorkbench.code_panel"]


def test_the_cycle_check_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    """The issue's old circle, rebuilt in a scratch package: found, also when lazy or relative."""
    package = tmp_path / WORKBENCH
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "feature.py").write_text("def make():\n    from CADCoderWorkbench.viewer import View\n")
    (package / "viewer.py").write_text("def edit():\n    from . import panel\n")
    (package / "panel.py").write_text("from CADCoderWorkbench.feature import make\n")
    (package / "other.py").write_text("import CADCoderWorkbench.panel\n")
    graph = workbench_imports(package)
    assert graph["CADCoderWorkbench.viewer"] == {"CADCoderWorkbench.panel"}
    assert import_cycles(graph) == [
        ["CADCoderWorkbench.feature", "CADCoderWorkbench.panel", "CADCoderWorkbench.viewer"]
    ]
