"""Where a new part goes (standard library only, so it is testable without FreeCAD).

Issue 15: every Image to CAD result landed at the origin, on top of what was there. A new part now
goes beside everything visible in the document (to its +X side, a quarter of the larger width
apart, centred on the same Y, standing on the same Z floor), or, for Snapshot to CAD of a
selection, where the selection is (centred on it, same floor), since it is meant to be a CAD
version of that selection. Boxes are (xmin, ymin, zmin, xmax, ymax, zmax).
"""

from __future__ import annotations

from collections.abc import Iterable

Box = tuple[float, float, float, float, float, float]
Vector = tuple[float, float, float]
GAP_SHARE = 0.25


def union(boxes: Iterable[Box]) -> Box | None:
    boxes = list(boxes)
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        min(b[2] for b in boxes),
        max(b[3] for b in boxes),
        max(b[4] for b in boxes),
        max(b[5] for b in boxes),
    )


def beside(existing: Iterable[Box], new: Box) -> Vector:
    """The move that puts ``new`` next to ``existing`` (no move when there is nothing)."""
    around = union(existing)
    if around is None:
        return (0.0, 0.0, 0.0)
    gap = GAP_SHARE * max(around[3] - around[0], new[3] - new[0], 1e-6)
    dx = around[3] + gap - new[0]
    dy = (around[1] + around[4]) / 2 - (new[1] + new[4]) / 2
    dz = around[2] - new[2]
    return (dx, dy, dz)


def at(selection: Box, new: Box) -> Vector:
    """The move that centres ``new`` on ``selection``, on the same floor."""
    return (
        (selection[0] + selection[3]) / 2 - (new[0] + new[3]) / 2,
        (selection[1] + selection[4]) / 2 - (new[1] + new[4]) / 2,
        selection[2] - new[2],
    )


def overlaps(a: Box, b: Box) -> bool:
    return all(a[i] < b[i + 3] and b[i] < a[i + 3] for i in range(3))
