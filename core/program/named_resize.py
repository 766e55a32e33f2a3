"""One-axis size edits through the program's own named dimensions ("twice as long" -> ``length = 40``).

An appended stretch made the part longer while ``length`` kept its old value, so editing ``length``
in FreeCAD afterwards did something surprising (issue 15, point 6: an edit must leave parameters
that mean what they say). Here the request is first tried on the variables whose names say they
measure that direction (``length``, ``plate_length``, ``base_width``, ``overall_height``,
``thickness``, ``depth`` ...), and a rewrite counts only when the program, run for real, reaches the
requested extent along the axis (1e-6 relative) with the other axes unchanged -- unless the program
itself derives other values from the changed names (``width = length / 2``), in which case the
other axes that followed are reported. Names are a guess; the probe is the proof. Only the
changed numbers' characters differ (``core.program.parameters.apply_parameters``).

The caller supplies ``measure`` (code -> bounding box, None when it does not run), so this module
stays pure and testable; ``core.program.edits`` passes the sandbox.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

from core.program.parameters import Parameter, apply_parameters, find_parameters
from core.program.size_phrases import SizeRequest

BBox = tuple[float, float, float, float, float, float]  # xmin ymin zmin xmax ymax zmax
Measure = Callable[[str], BBox | None]

# Words in a variable's name that say which extent it measures (box(length, width, height)).
# "depth"/"deep" is Y for furniture and Z for plates: the probe tells which.
AXIS_NAME_WORDS: dict[str, tuple[str, ...]] = {
    "X": ("length", "long", "len"),
    "Y": ("width", "wide", "breadth", "depth", "deep"),
    "Z": ("height", "tall", "high", "thickness", "thick", "depth", "deep"),
}
# Prefixes that still name the whole part: tried before other names with the axis word.
WHOLE_PART_WORDS = (
    "overall",
    "total",
    "outer",
    "outside",
    "plate",
    "base",
    "body",
    "main",
    "block",
    "box",
    "part",
)
# A name with one of these measures a feature, not the part (``hole_depth``, ``wall_thickness``).
FEATURE_WORDS = (
    "hole", "bore", "slot", "fillet", "chamfer", "rib", "wall", "boss", "pocket", "groove", "cut",
    "counterbore", "csk", "thread", "tab", "lip", "gap", "clearance", "fin", "tooth", "teeth", "radius",
    "diameter", "inner", "inside", "offset", "margin", "spacing", "pitch", "step",
)  # fmt: skip
REL_TOL = 1e-6
MAX_GROUPS = 4  # each costs one or two sandbox runs


@dataclass(frozen=True)
class NamedResize:
    """A request met by rewriting named dimensions: the new code and what changed."""

    code: str
    old: dict[str, float]  # name -> value before
    new: dict[str, float]  # name -> value after
    coupled: tuple[str, ...] = ()  # other axes that followed because the program derives them

    def summary(self) -> str:
        """``length 20 -> 40`` (and which other axes followed), for the edit's description."""
        changes = ", ".join(f"{name} {self.old[name]:g} -> {self.new[name]:g}" for name in self.new)
        if self.coupled:
            changes += f" ({', '.join(self.coupled)} follow{'s' if len(self.coupled) == 1 else ''}: the program derives them)"
        return changes


def name_words(name: str) -> list[str]:
    """``plate_length`` / ``plateLength`` / ``PLATE_LENGTH`` -> ["plate", "length"]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [w for w in re.split(r"[_\W\d]+", spaced.lower()) if w]


def axis_parameters(params: list[Parameter], axis: str) -> list[Parameter]:
    """Named length variables whose name says they measure ``axis``, whole-part names first."""
    words = AXIS_NAME_WORDS[axis]
    found = []
    for param in params:
        tokens = name_words(param.name)
        if param.kind != "variable" or param.quantity != "length" or not param.value or param.value < 0:
            continue
        if any(t in words for t in tokens) and not any(t in FEATURE_WORDS for t in tokens):
            found.append(param)
    return sorted(found, key=lambda p: (_preference(p.name, words), p.start))


def candidate_groups(params: list[Parameter]) -> list[tuple[Parameter, ...]]:
    """Sets of parameters to try, one at a time first, then all together (a frame's outer and
    body lengths may both have to change)."""
    groups: list[tuple[Parameter, ...]] = [(p,) for p in params]
    if len(params) > 1:
        groups.append(tuple(params))
    return groups[:MAX_GROUPS]


def target_extent(request: SizeRequest, extent: float) -> float:
    """The extent along the request's axis that the user asked for."""
    if request.target is not None:
        return request.target
    if request.delta is not None:
        return extent + request.delta
    return extent * float(request.factor or 1.0)


def resize_by_names(code: str, request: SizeRequest, measure: Measure) -> NamedResize | None:
    """``code`` with the named dimensions along ``request.axis`` rewritten so the part reaches the
    requested size (verified by ``measure``), or None when no named set does."""
    if request.axis is None:
        return None
    params = axis_parameters(find_parameters(code), request.axis)
    if not params:
        return None
    before = measure(code)
    if before is None:
        return None
    axis = "XYZ".index(request.axis)
    extent = _extents(before)[axis]
    target = target_extent(request, extent)
    if not (extent > 0 and target > 0):
        return None
    derived = _derived_names(code)
    for group in candidate_groups(params):
        found = _solve(code, group, axis, target, before, measure, derived)
        if found is not None:
            return found
    return None


def _solve(
    code: str,
    group: tuple[Parameter, ...],
    axis: int,
    target: float,
    before: BBox,
    measure: Measure,
    derived: set[str],
) -> NamedResize | None:
    """Scale the group's values by one common factor until the extent is ``target``: first in
    proportion, then one secant step (extents are affine in a dimension for the parts this meets)."""
    e0 = _extents(before)[axis]
    s1 = target / e0
    tried = _try(code, group, s1, axis, target, before, measure, derived)
    if isinstance(tried, NamedResize) or tried is None:
        return tried
    e1 = tried
    if abs(e1 - e0) <= REL_TOL * e0:  # the group does not drive this extent
        return None
    s2 = 1 + (target - e0) * (s1 - 1) / (e1 - e0)
    found = _try(code, group, s2, axis, target, before, measure, derived)
    return found if isinstance(found, NamedResize) else None


def _try(
    code: str,
    group: tuple[Parameter, ...],
    scale: float,
    axis: int,
    target: float,
    before: BBox,
    measure: Measure,
    derived: set[str],
) -> NamedResize | float | None:
    """The resize when ``scale`` meets the target, else the extent it gave (None: unusable)."""
    if not scale > 0:
        return None
    new = {p.name: _nice(p.value * scale) for p in group}
    candidate = apply_parameters(code, new)
    after = measure(candidate)
    if after is None:
        return None
    got, was = _extents(after), _extents(before)
    if not _close(got[axis], target, target):
        return got[axis]
    size = max(max(was), max(got))
    moved = tuple("XYZ"[i] for i in range(3) if i != axis and not _close(got[i], was[i], size))
    if moved and not derived & {p.name for p in group}:
        return None  # another direction changed and nothing in the program says it should
    return NamedResize(candidate, {p.name: float(p.value) for p in group}, new, moved)


def _derived_names(code: str) -> set[str]:
    """Names other values are computed from by a formula (``width = length / 2`` -> {"length"}):
    the program couples those to something else, so other axes may rightly follow them. A point
    list or a CadQuery chain that uses a name is no such statement."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return set()
    used: set[str] = set()
    for node in ast.walk(tree):
        named = isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets)
        if named and _is_formula(node.value):
            used |= {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
    return used


def _is_formula(node: ast.expr) -> bool:
    """Arithmetic on numbers and names (``length / 2``, ``max(a, b)``, ``math.sqrt(a)``)."""
    if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Name, ast.IfExp)):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id in ("max", "min", "abs", "round", "float", "int")
        return (
            isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "math"
        )
    return False


def _preference(name: str, words: tuple[str, ...]) -> int:
    """0 for the bare word (``length``), 1 for a whole-part prefix (``plate_length``), 2 otherwise."""
    tokens = name_words(name)
    if len(tokens) == 1 and tokens[0] in words:
        return 0
    return 1 if any(t in WHOLE_PART_WORDS for t in tokens) else 2


def _extents(bbox: BBox) -> tuple[float, float, float]:
    return (bbox[3] - bbox[0], bbox[4] - bbox[1], bbox[5] - bbox[2])


def _close(a: float, b: float, size: float) -> bool:
    return abs(a - b) <= REL_TOL * max(abs(size), 1e-9)


def _nice(value: float) -> float:
    """Ten significant digits: a secant's 39.99999999997 is written 40."""
    return float(f"{value:.10g}")
