"""Reading the files commands are given, with errors that name the file (shared by the CLI commands)."""

from __future__ import annotations

from pathlib import Path

import typer


def read_script(script: Path) -> str:
    if not script.is_file():
        raise typer.BadParameter(f"{script}: no such script", param_hint="SCRIPT")
    try:
        return script.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(
            f"{script}: cannot be read as UTF-8 text ({exc})", param_hint="SCRIPT"
        ) from exc
