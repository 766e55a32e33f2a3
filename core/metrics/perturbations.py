"""Wrong answers of known kinds, made from ground-truth scripts, for checking the IoU protocol.

A metric that must agree with the authors' evaluation code sample by sample is only tested where
it is fragile: parts with other proportions, features moved to the other side, self-intersecting
sketches (OCCT builds an invalid solid from a bow-tie profile) and results that are several solids
side by side instead of one fused solid. Each perturbation is a plain text rewrite of a GenCAD-Code
script, so it applies to any sample and changes the geometry the way a model's mistake would.
``None`` means the script has nothing to perturb in that way.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_EXTRUDE = re.compile(rf"extrude\(({_NUMBER})")
_LINE_TO = re.compile(rf"\.lineTo\(({_NUMBER}), ({_NUMBER})\)")
_PLANE_ORIGIN = re.compile(rf"cq\.Plane\(cq\.Vector\(({_NUMBER}), ")


def scaled_dimensions(code: str) -> str | None:
    """Every extrusion 1.6 times deeper: the part's proportions change, not just its size."""
    if not _EXTRUDE.search(code):
        return None
    return _EXTRUDE.sub(lambda m: f"extrude({float(m.group(1)) * 1.6!r}", code)


def swapped_signs(code: str) -> str | None:
    """The first extrusion goes the other way and every sketch plane's x origin changes sign, so
    later features land on the wrong side of the first one."""
    if not _EXTRUDE.search(code):
        return None
    flipped = _EXTRUDE.sub(lambda m: f"extrude({-float(m.group(1))!r}", code, count=1)
    return _PLANE_ORIGIN.sub(lambda m: f"cq.Plane(cq.Vector({-float(m.group(1))!r}, ", flipped)


def self_intersecting_profile(code: str) -> str | None:
    """Two consecutive corners of the first polygon swapped: a bow-tie outline."""
    for line in code.splitlines():
        points = list(_LINE_TO.finditer(line))
        if len(points) >= 3:
            a, b = points[0], points[1]
            swapped = (
                line[: a.start()] + b.group(0) + line[a.end() : b.start()] + a.group(0) + line[b.end() :]
            )
            return code.replace(line, swapped, 1)
    return None


def multi_solid(code: str) -> str | None:
    """Bodies kept side by side (``add``) instead of fused (``union``), or, for a one-body part, a
    displaced copy added beside it: the result is a compound of several, possibly overlapping, solids."""
    if "solid=solid.union(" in code:
        return code.replace("solid=solid.union(", "solid=solid.add(")
    if "solid=solid0\n" not in code:
        return None
    return code + "solid=solid.add(solid0.translate((0.25, 0.1, 0.05)))\n"


PERTURBATIONS: dict[str, Callable[[str], str | None]] = {
    "scaled": scaled_dimensions,
    "swapped_signs": swapped_signs,
    "self_intersecting": self_intersecting_profile,
    "multi_solid": multi_solid,
}
