"""The project's single version source is ``package.xml`` (the Addon Manager needs it there).

Everything else (``pyproject.toml`` through setuptools' dynamic version, the CLI's ``--version``,
the server's ``/health``) reads it from here so the two can never drift.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
_NS = {"p": "https://wiki.freecad.org/Package_Metadata"}


def _read_version() -> str:
    root = ET.parse(REPO_ROOT / "package.xml").getroot()
    node = root.find("p:version", _NS)
    if node is None or not (node.text or "").strip():
        raise RuntimeError("package.xml has no <version>")
    return node.text.strip()


__version__ = _read_version()
