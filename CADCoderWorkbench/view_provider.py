"""How a CadQuery feature looks in the tree (icon) — GUI only."""

from __future__ import annotations

from pathlib import Path

ICON = str(Path(__file__).resolve().parent.parent / "resources" / "icons" / "cadquery_feature.svg")


class CadQueryViewProvider:
    def __init__(self, vobj) -> None:
        vobj.Proxy = self

    def getIcon(self) -> str:
        return ICON

    def attach(self, vobj) -> None:
        self.Object = vobj.Object

    def __getstate__(self):
        return None

    def __setstate__(self, state) -> None:
        return None
