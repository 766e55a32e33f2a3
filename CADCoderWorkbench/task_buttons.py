"""The OK/Cancel buttons FreeCAD puts under a Python task panel.

FreeCAD 0.20 gives a task panel no handle on its standard buttons; they live in the TaskView that
holds the panel's form, so they are found by walking up from the form. A panel disables OK when
pressing it could do nothing, instead of silently ignoring the press.
"""

from __future__ import annotations

from PySide import QtGui


def dialog_button(form: QtGui.QWidget, which=QtGui.QDialogButtonBox.Ok) -> QtGui.QPushButton | None:
    """The task dialog's ``which`` button, or None while the form is not shown in a task dialog."""
    widget = form.parentWidget()
    while widget is not None:
        for box in widget.findChildren(QtGui.QDialogButtonBox):
            button = box.button(which)
            if button is not None:
                return button
        widget = widget.parentWidget()
    return None


def set_ok(form: QtGui.QWidget, enabled: bool, reason: str = "") -> bool:
    """Enable or disable the dialog's OK, with ``reason`` as its tooltip; False when not found."""
    button = dialog_button(form)
    if button is None:
        return False
    button.setEnabled(enabled)
    button.setToolTip(reason)
    return True
