"""The data engine's old import path for the one program representation, ``core.program.part_ir``.

A shim only, for modules not yet moved over (``emit_concise.py``); new code imports
``core.program.part_ir`` directly. Delete this file once nothing imports it.
"""

from __future__ import annotations

from core.program.part_ir import Arc, Circle, Curve, Extrude, Line, Loop, Program, Vec2, Vec3

__all__ = ["Arc", "Circle", "Curve", "Extrude", "Line", "Loop", "Program", "Vec2", "Vec3"]
