"""``cadcoder run``: exit codes, JSON contract, saved solids, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from core.cli.run_cmd import run
from core.paths import EXAMPLES_DIR

BRACKET = EXAMPLES_DIR / "flanged_bracket.py"


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    """Just the command (core.cli.main also wires commands other engineers own)."""
    app = typer.Typer()
    app.command()(run)
    return app


def invoke(cli: typer.Typer, *args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "400"})  # no wrapped errors


def test_json_has_the_contract_keys_and_saves_step(cli: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "bracket.step"
    result = invoke(cli, BRACKET, "--json", "-o", out, "--timeout", "60")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["status"] == "ok" and payload["message"] == ""
    assert payload["volume"] > 0 and len(payload["bbox"]) == 6
    assert payload["output"] == str(out)
    assert out.read_bytes().startswith(b"ISO-10303-21;")


@pytest.mark.parametrize("suffix", [".brep", ".stl"])
def test_other_output_formats(cli: typer.Typer, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"bracket{suffix}"
    result = invoke(cli, BRACKET, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 84
    assert "volume" in result.output and "ok" in result.output


def test_failing_script_exits_1_with_its_status(cli: typer.Typer, tmp_path: Path) -> None:
    script = tmp_path / "bad.py"
    script.write_text("import cadquery as cq\nx = 1\nsolid = cq.Workplane().box(1, 1, 1).fillet(5)\n")
    result = invoke(cli, script, "--json")
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["status"] == "runtime_error" and payload["message"].startswith("line 3: ")
    forbidden = tmp_path / "evil.py"
    forbidden.write_text("import os\n")
    summary = invoke(cli, forbidden)
    assert summary.exit_code == 1
    assert "forbidden" in summary.output and "line 1: forbidden: import of os" in summary.output


def test_missing_script_and_unknown_suffix_are_usage_errors(cli: typer.Typer, tmp_path: Path) -> None:
    missing = invoke(cli, tmp_path / "nope.py")
    assert missing.exit_code == 2 and "no such script" in missing.output
    unknown = invoke(cli, BRACKET, "-o", tmp_path / "x.obj")
    assert unknown.exit_code == 2 and "unknown output type" in unknown.output
