"""What the task panels share: their Designer forms and the code view's look (GUI only)."""

from __future__ import annotations

import FreeCADGui as Gui
import shiboken2
from PySide import QtGui
from PySide2 import QtCore, QtWidgets

from CADCoderWorkbench.bootstrap import REPO_ROOT

UI_DIR = REPO_ROOT / "resources" / "ui"
ICON_DIR = REPO_ROOT / "resources" / "icons"
ERROR_LINE_COLOUR = "#ffd7d7"


def load_form(name: str):
    """The widget of ``resources/ui/<name>.ui`` (FreeCAD's loader knows its Gui:: widgets), its named
    children as attributes of their own types."""
    form = Gui.PySideUic.loadUi(str(UI_DIR / f"{name}.ui"))
    retype_children(form)
    return form


def qt_class(obj: QtCore.QObject) -> type | None:
    """The nearest Qt class of the C++ object behind ``obj`` (its meta-object, not its wrapper):
    ``Gui::PrefSpinBox`` gives ``QSpinBox``."""
    meta = obj.metaObject()
    while meta is not None:
        name = meta.className()
        cls = getattr(QtWidgets, name, None) or getattr(QtCore, name, None)
        if isinstance(cls, type):
            return cls
        meta = meta.superClass()
    return None


def retype_children(form: QtWidgets.QWidget) -> int:
    """Re-wrap every named child whose Python wrapper is not of its widget's class; how many were.

    Why: PySide2 looks a widget's wrapper up by address. A panel closed from outside
    (``Gui.Control.closeDialog``) has its widgets deleted by Qt while their wrappers live on, and a
    widget of the next panel allocated at one of those addresses gets the old wrapper and its type:
    the preview label came back as a plain QWidget without ``setPixmap``. The C++ object is the
    right one; only its wrapper is stale, so a wrapper of the class its meta-object names replaces
    it (shiboken does not register it over the old one, which is harmless)."""
    fixed = 0
    for child in form.findChildren(QtCore.QObject):
        try:
            name = child.objectName()
            current = getattr(form, name, None) if name else None
            if not isinstance(current, QtCore.QObject) or not shiboken2.isValid(current):
                continue
            cls = qt_class(current)
            if cls is not None and not isinstance(current, cls):
                setattr(form, name, shiboken2.wrapInstance(shiboken2.getCppPointer(current)[0], cls))
                fixed += 1
        except RuntimeError:  # a wrapper already invalid: nothing better to put in its place
            continue
    return fixed


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
