"""The workbench's FreeCAD-free logic and its contracts with the .ui files, in plain pytest."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from CADCoderWorkbench import engine
from CADCoderWorkbench.image_job import describe_event, image2cad_args
from CADCoderWorkbench.parameter_properties import parameter_properties
from CADCoderWorkbench.settings import BACKENDS, ENTRIES, QUANTIZATIONS, Settings, settings_from_parameters
from core.program import find_parameters

PACKAGE = Path(engine.__file__).resolve().parent
UI = PACKAGE.parent / "resources" / "ui"
PREF_KINDS = {
    "Gui::PrefComboBox": "Int",
    "Gui::PrefSpinBox": "Int",
    "Gui::PrefCheckBox": "Bool",
    "Gui::PrefLineEdit": "String",
    "Gui::PrefFileChooser": "String",
}


def pref_widgets() -> dict[str, ET.Element]:
    widgets = {}
    for widget in ET.parse(UI / "preferences.ui").iter("widget"):
        if widget.get("class", "").startswith("Gui::Pref"):
            entry = widget.find("property[@name='prefEntry']/cstring").text
            assert widget.find("property[@name='prefPath']/cstring").text == "Mod/CADCoder"
            widgets[entry] = widget
    return widgets


def test_the_preferences_page_writes_exactly_the_entries_that_are_read() -> None:
    widgets = pref_widgets()
    assert sorted(widgets) == sorted(ENTRIES)
    for entry, widget in widgets.items():
        assert PREF_KINDS[widget.get("class")] == ENTRIES[entry][0], entry


def test_the_page_shows_the_defaults_and_choices_the_settings_use() -> None:
    widgets, default = pref_widgets(), Settings()

    def number(entry: str, prop: str) -> int:
        return int(widgets[entry].find(f"property[@name='{prop}']/number").text)

    assert number("Candidates", "value") == default.candidates
    assert number("SandboxTimeoutSeconds", "value") == default.sandbox_timeout
    assert number("GenerationTimeoutSeconds", "value") == default.generation_timeout
    assert len(widgets["Backend"].findall("item")) == len(BACKENDS)
    assert len(widgets["Quantization"].findall("item")) == len(QUANTIZATIONS)
    lowest = settings_from_parameters(
        {"Candidates": -5, "SandboxTimeoutSeconds": 0, "GenerationTimeoutSeconds": 0}
    )
    assert number("Candidates", "minimum") == lowest.candidates
    assert number("SandboxTimeoutSeconds", "minimum") == lowest.sandbox_timeout
    assert number("GenerationTimeoutSeconds", "minimum") == lowest.generation_timeout


def test_parameters_map_to_settings_with_clamping() -> None:
    assert settings_from_parameters({}) == Settings()
    s = settings_from_parameters({"Backend": 9, "Quantization": 1, "ModelDir": " /m ", "Candidates": 4})
    assert (s.backend, s.quantization, s.model_dir, s.candidates) == ("remote", "8bit", "/m", 4)
    assert settings_from_parameters({"Backend": -1}).backend == "embedded"
    assert "model directory" in Settings(backend="local").problem()
    assert "endpoint" in Settings(backend="remote").problem()
    assert Settings(backend="remote", endpoint="http://x/v1").problem() is None


def test_image2cad_arguments_follow_the_backend_and_keep_the_key_out() -> None:
    remote = Settings(
        backend="remote", endpoint="http://h:8/v1", model_name="m", api_key="sk-secret", candidates=3
    )
    args = image2cad_args("/p.png", remote)
    assert args[:3] == ["image2cad", "/p.png", "--events"]
    assert args[args.index("--endpoint") + 1] == "http://h:8/v1" and args[args.index("--n") + 1] == "3"
    assert "sk-secret" not in " ".join(engine.cli_command(remote, args))
    env = engine.subprocess_environment(
        remote, {"PATH": "/bin", "PYTHONPATH": "/usr/lib/freecad", "LD_LIBRARY_PATH": "/x"}
    )
    assert env == {"PATH": "/bin", "CADCODER_API_KEY": "sk-secret"}
    local = image2cad_args("/p.png", Settings(backend="local", model_dir="/models/cc", quantization="4bit"))
    assert local[local.index("--model") + 1] == "/models/cc" and local[-2:] == ["--quantization", "4bit"]
    assert not {"--model", "--endpoint"} & set(image2cad_args("/p.png", Settings()))
    assert "--grounded" in image2cad_args("/p.png", Settings())  # the picture is read by default
    assert "--no-grounded" in image2cad_args("/p.png", Settings(grounded=False))
    assert settings_from_parameters({"ReadPicture": False}).grounded is False


def test_progress_events_read_as_status_lines() -> None:
    assert (
        describe_event({"event": "stage", "stage": "generate", "backend": "remote"}) == "Generate... (remote)"
    )
    line = describe_event(
        {"event": "candidate", "index": 1, "status": "runtime_error", "message": "line 3: x"}
    )
    assert line == "Candidate 2: runtime_error: line 3: x"
    assert describe_event({"event": "token", "text": "import"}) is None


def test_parameter_properties_avoid_freecad_names_and_keep_types() -> None:
    code = "import cadquery as cq\nLabel = 2.0\nn = 3\nsolid = cq.Workplane().box(Label, n, 1.5)\n"
    props = parameter_properties(find_parameters(code), reserved={"Label", "Shape", "Label_"})
    # All three are box sizes: lengths (issue 15), never a rounding PropertyFloat.
    assert [(p.name, p.type_id) for p in props] == [
        ("Label__", "App::PropertyLength"),
        ("n", "App::PropertyLength"),
        ("box_height", "App::PropertyLength"),
    ]
    assert props[2].tooltip == "1.5 in the code (line 4, argument of box())"


@pytest.mark.parametrize("module", ["code_panel", "image_panel", "edit_panel", "convert_panel"])
def test_panels_use_only_widgets_their_form_has(module: str) -> None:
    names = {w.get("name") for w in ET.parse(UI / f"{module}.ui").iter("widget")}
    used = set(re.findall(r"self\.form\.(\w+)(?!\w|\()", (PACKAGE / f"{module}.py").read_text()))
    assert used and used <= names, used - names


def test_every_command_icon_exists() -> None:
    tree = ast.parse((PACKAGE / "commands.py").read_text())
    icons = [
        node.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["ICON"]
        and isinstance(node.value, ast.Constant)
        and node.value.value.endswith(".svg")
    ]
    assert len(icons) == 5
    for name in icons:
        svg = ET.parse(PACKAGE.parent / "resources" / "icons" / name).getroot()
        assert svg.tag.endswith("svg") and svg.get("viewBox") == "0 0 64 64", name


def test_parameter_types_follow_what_the_number_means() -> None:
    """Lengths with units (signed where they are coordinates), angles, counts; never a float
    property whose 2-decimal editor rounds values (issue 15)."""
    from CADCoderWorkbench.parameter_properties import code_value

    code = (
        "import cadquery as cq\nhole_diameter = 0.0223\nangle = 30.0\ncount = 4\n"
        "solid = cq.Workplane().box(2, 2, 1).translate((-1.5, 0, 0)).polarArray(3, 0, angle, count)\n"
    )
    types = {p.name: p.type_id for p in parameter_properties(find_parameters(code), reserved=set())}
    # 0.0223 needs 4 decimals to keep 3 digits: FreeCAD 0.20's 2-decimal quantity editor would
    # round what is typed, so it is an exact 16-decimal PropertyPrecision.
    assert types["hole_diameter"] == "App::PropertyPrecision"
    wider = {p.name: p.type_id for p in parameter_properties(find_parameters(code), set(), decimals=4)}
    assert wider["hole_diameter"] == "App::PropertyLength"
    assert types["angle"] == "App::PropertyAngle"
    assert types["count"] == "App::PropertyInteger"
    assert "App::PropertyFloat" not in types.values()
    assert any(t == "App::PropertyDistance" for n, t in types.items() if n.startswith("translate"))
    assert code_value("App::PropertyLength", 0.0223, 0.0223) == 0.0223
    assert code_value("App::PropertyInteger", 4, 4) == 4


def test_a_new_part_goes_beside_the_others_or_at_the_selection() -> None:
    from CADCoderWorkbench import layout

    old = [(-5.0, -5.0, 0.0, 5.0, 5.0, 10.0), (20.0, 0.0, 0.0, 30.0, 4.0, 2.0)]
    new = (-1.0, -1.0, 0.0, 1.0, 1.0, 1.0)
    move = layout.beside(old, new)
    moved = tuple(v + move[i % 3] for i, v in enumerate(new))
    assert not any(layout.overlaps(moved, box) for box in old)
    assert moved[0] > 30.0 and moved[2] == 0.0
    assert layout.beside([], new) == (0.0, 0.0, 0.0)
    assert layout.at((10.0, 10.0, 5.0, 20.0, 30.0, 9.0), new) == (15.0, 20.0, 5.0)
