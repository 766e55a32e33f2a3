"""CAD-Coder's preferences in FreeCAD's parameter tree, read into one ``Settings`` object.

The preferences page (``resources/ui/preferences.ui``, ``Gui::Pref*`` widgets) writes the entries
of ``settings.ENTRIES`` under ``PARAM_PATH``; this module is the only reader. Entries nobody has
written yet are absent from the tree and keep the defaults of ``Settings``.
"""

from __future__ import annotations

import FreeCAD as App

from CADCoderWorkbench.settings import ENTRIES, Settings, settings_from_parameters

PARAM_PATH = "User parameter:BaseApp/Preferences/Mod/CADCoder"


def load() -> Settings:
    group = App.ParamGet(PARAM_PATH)
    present = {"Int": set(group.GetInts()), "String": set(group.GetStrings())}
    values: dict[str, int | str] = {}
    for entry, (kind, _field) in ENTRIES.items():
        if entry in present[kind]:
            values[entry] = group.GetInt(entry) if kind == "Int" else group.GetString(entry)
    return settings_from_parameters(values)


def store(**entries: int | str) -> None:
    """Write entries by name (scripts and tests; users have the preferences page)."""
    group = App.ParamGet(PARAM_PATH)
    for entry, value in entries.items():
        kind = ENTRIES[entry][0]
        if kind == "Int":
            group.SetInt(entry, int(value))
        else:
            group.SetString(entry, str(value))


def clear(*entries: str) -> None:
    """Forget entries, so they fall back to their defaults."""
    group = App.ParamGet(PARAM_PATH)
    for entry in entries:
        if ENTRIES[entry][0] == "Int":
            group.RemInt(entry)
        else:
            group.RemString(entry)
