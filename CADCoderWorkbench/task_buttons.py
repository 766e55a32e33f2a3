"""The OK button FreeCAD puts under a Python task panel, for panels that disable it.

FreeCAD 0.20 hands a task panel its standard buttons only through ``modifyStandardButtons(box)``,
called when the dialog is shown (walking the widget tree to find them gives stale PySide wrappers
in 0.20). A panel disables OK when pressing it could do nothing -- with the reason as tooltip --
instead of silently ignoring the press.
"""

from __future__ import annotations

from PySide import QtGui


class OkGate:
    """Whether OK may be pressed, applied to the button once FreeCAD hands it over."""

    def __init__(self, reason: str = "") -> None:
        self.button: QtGui.QPushButton | None = None
        self.reason = reason  # why OK is disabled; "" when enabled

    @property
    def enabled(self) -> bool:
        return not self.reason

    def attach(self, box: QtGui.QDialogButtonBox) -> None:
        """For the panel's ``modifyStandardButtons``."""
        self.button = box.button(QtGui.QDialogButtonBox.Ok)
        self._apply()

    def set(self, reason: str) -> None:
        """Disable OK with ``reason``, or enable it with ``""``."""
        self.reason = reason
        self._apply()

    def _apply(self) -> None:
        if self.button is None:
            return
        try:
            self.button.setEnabled(self.enabled)
            self.button.setToolTip(self.reason)
        except RuntimeError:  # the dialog was closed and its buttons deleted
            self.button = None
