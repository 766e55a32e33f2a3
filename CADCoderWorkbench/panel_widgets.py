"""What the task panels share: their Designer forms and the code view's look (GUI only)."""

from __future__ import annotations

import FreeCADGui as Gui
from PySide import QtGui

from CADCoderWorkbench.bootstrap import REPO_ROOT

UI_DIR = REPO_ROOT / "resources" / "ui"
ICON_DIR = REPO_ROOT / "resources" / "icons"
ERROR_LINE_COLOUR = "#ffd7d7"


def load_form(name: str):
    """The widget of ``resources/ui/<name>.ui`` (FreeCAD's loader knows its Gui:: widgets)."""
    return Gui.PySideUic.loadUi(str(UI_DIR / f"{name}.ui"))


def icon(name: str) -> str:
    return str(ICON_DIR / name)


def make_code_view(editor: QtGui.QPlainTextEdit) -> None:
    """A fixed-width font and four-space tab stops, as in any Python editor."""
    font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.FixedFont)
    editor.setFont(font)
    editor.setTabStopDistance(4 * QtGui.QFontMetricsF(font).horizontalAdvance(" "))


def mark_line(editor: QtGui.QPlainTextEdit, line: int | None) -> None:
    """Highlight 1-based ``line`` and put the cursor there; ``None`` clears the mark."""
    if line is None or line < 1:
        editor.setExtraSelections([])
        return
    block = editor.document().findBlockByNumber(line - 1)
    if not block.isValid():
        editor.setExtraSelections([])
        return
    selection = QtGui.QTextEdit.ExtraSelection()
    selection.format.setBackground(QtGui.QColor(ERROR_LINE_COLOUR))
    selection.format.setProperty(QtGui.QTextFormat.FullWidthSelection, True)
    selection.cursor = QtGui.QTextCursor(block)
    editor.setExtraSelections([selection])
    editor.setTextCursor(QtGui.QTextCursor(block))
    editor.centerCursor()
