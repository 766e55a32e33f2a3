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
    present = {"Int": set(group.GetInts()), "String": set(group.GetStrings()), "Bool": set(group.GetBools())}
    read = {"Int": group.GetInt, "String": group.GetString, "Bool": group.GetBool}
    values: dict[str, int | str | bool] = {}
    for entry, (kind, _field) in ENTRIES.items():
        if entry in present[kind]:
            values[entry] = read[kind](entry)
    return settings_from_parameters(values)


def store(**entries: int | str | bool) -> None:
    """Write entries by name (scripts and tests; users have the preferences page)."""
    group = App.ParamGet(PARAM_PATH)
    for entry, value in entries.items():
        kind = ENTRIES[entry][0]
        if kind == "Int":
            group.SetInt(entry, int(value))
        elif kind == "Bool":
            group.SetBool(entry, bool(value))
        else:
            group.SetString(entry, str(value))


def clear(*entries: str) -> None:
    """Forget entries, so they fall back to their defaults."""
    group = App.ParamGet(PARAM_PATH)
    remove = {"Int": group.RemInt, "String": group.RemString, "Bool": group.RemBool}
    for entry in entries:
        remove[ENTRIES[entry][0]](entry)
