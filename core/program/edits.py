"""Follow-up edits without a model: "add 1 mm fillets to all edges" -> new CadQuery code.

The paper's CAD-Coder loses most of its instruction following in fine-tuning (reference-facts.md),
and the embedded model is far smaller still, so the common requests (fillet, chamfer, shell, a
through hole, scale, mirror) are handled by rules that work with every backend. An edit appends a
few lines that operate on the program's final solid and introduces its dimension as a named
top-level parameter (``fillet_radius = 1.0``), so it shows in FreeCAD's property panel like the rest.
A scale instead multiplies the program's lengths where they are written (``core.program.scaling``),
so ``height`` reads the new height; only a program whose numbers are not all understood gets an
appended ``scale(scale_factor)``. A one-axis size change ("twice as long", "80 mm wide") likewise
rewrites the named dimensions that drive that axis (``length = 40``) when running the program proves
they reach the requested size (``core.program.named_resize``); otherwise it appends a stretch, and
``Edit.describe`` says which of the two was done.

This module writes code (and, for a one-axis size change, probes candidate rewrites with ``measure``,
the sandbox by default); callers verify the result by running it, and an edit whose code fails never
replaces the feature.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace

from core.program.hole_placement import describe_hole, hole_faces, hole_lines
from core.program.named_resize import BBox, Measure, resize_by_names
from core.program.scaling import scale_lengths
from core.program.size_phrases import (
    AXIS_NAMES,
    SIZE_KINDS,
    describe_size_edit,
    parse_size_request,
    size_edit,
    size_request,
    stretch_lines,
)

# Words for edge groups -> CadQuery edge selectors on the final solid.
EDGE_SELECTORS: dict[str, str | None] = {
    "all": None,
    "every": None,
    "top": ">Z",
    "upper": ">Z",
    "bottom": "<Z",
    "lower": "<Z",
    "vertical": "|Z",
    "horizontal": "#Z",
}
FACE_SELECTORS = {"top": ">Z", "bottom": "<Z", "front": "<Y", "back": ">Y", "left": "<X", "right": ">X"}
MIRROR_PLANES = {"yz": "YZ", "xz": "XZ", "xy": "XY", "x": "YZ", "y": "XZ", "z": "XY"}
UNITS = {
    "mm": 1.0,
    "millimeter": 1.0,
    "millimetre": 1.0,
    "cm": 10.0,
    "in": 25.4,
    "inch": 25.4,
    "inches": 25.4,
}
_NUMBER = r"(?P<value>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>mm|millimet(?:er|re)s?|cm|inch(?:es)?|in\b|\")?"

SUPPORTED = (
    "add 1 mm fillets to all edges",
    "fillet the vertical edges 2 mm",
    "chamfer the top edges 0.5",
    "shell it 2 mm from the top",
    "add a 5 mm hole through the centre",
    "scale by 2",
    "make it twice as long",
    "make it 80 mm wide",
    "mirror about the YZ plane",
)


class EditNotUnderstood(ValueError):
    """The instruction matches none of the rule-based edits (the message lists what does)."""


@dataclass(frozen=True)
class Edit:
    """What was understood: shown to the user before the code diff."""

    kind: str  # fillet | chamfer | shell | hole | scale | stretch | resize | extend | mirror
    value: float | None = None
    selector: str | None = None
    union: bool = False
    at: tuple[float, float, float] | None = None  # a hole: the centre of the face the user selected
    # a one-axis size change, once applied: "length 20 -> 40" (named dimensions) or "transform"
    via: str | None = None

    def describe(self) -> str:
        where = f" on {self.selector!r}" if self.selector else ""
        if self.kind == "hole":
            return describe_hole(self.value or 0.0, self.selector, self.at)
        if self.kind in ("fillet", "chamfer", "shell", "hole"):
            size = "diameter" if self.kind == "hole" else "size"
            return f"{self.kind} {size} {self.value:g}{where}"
        if self.kind == "scale":
            return f"scale by {self.value:g}"
        if self.kind in SIZE_KINDS:
            return describe_size_edit(self.kind, self.value, self.selector) + _how(self)
        return f"mirror in the {self.selector} plane" + (" and keep both" if self.union else "")


def parse_edit(instruction: str) -> Edit:
    """The rule-based reading of ``instruction``; EditNotUnderstood when there is none."""
    text = " ".join(instruction.lower().replace("-", " ").split())
    for parse in (_fillet_or_chamfer, _shell, _hole, _size, _scale, _mirror):
        edit = parse(text)
        if edit is not None:
            return edit
    raise EditNotUnderstood(
        f"cannot turn {instruction!r} into an edit with the built-in rules; they understand e.g. "
        + "; ".join(SUPPORTED)
    )


def apply_edit(
    code: str,
    instruction: str,
    at: tuple[float, float, float] | None = None,
    measure: Measure | None = None,
) -> tuple[str, Edit]:
    """``code`` with the edit appended, and the edit as understood; ``at``: the centre of a face
    the user selected (a hole goes there); ``measure``: code -> bounding box or None, used to prove
    a one-axis size change through named dimensions (default: the shared sandbox)."""
    edit = parse_edit(instruction)
    if at is not None and edit.kind == "hole":
        edit = replace(edit, at=tuple(at))
    final = final_variable(code)
    if final is None:
        raise EditNotUnderstood("the program has no final solid (`solid`, `result` or show_object) to edit")
    names = _names(code)
    lines = [f"# edit: {' '.join(instruction.split())}"]
    if edit.kind in ("fillet", "chamfer"):
        param = _fresh(f"{edit.kind}_{'radius' if edit.kind == 'fillet' else 'size'}", names)
        edges = f'edges("{edit.selector}")' if edit.selector else "edges()"
        lines += [f"{param} = {edit.value!r}", f"{final} = {final}.{edges}.{edit.kind}({param})"]
    elif edit.kind == "shell":
        param = _fresh("shell_thickness", names)
        lines += [f"{param} = {edit.value!r}", f'{final} = {final}.faces("{edit.selector}").shell(-{param})']
    elif edit.kind == "hole":
        param = _fresh("hole_diameter", names)
        lines += [] if "cq" in names or edit.at is None else ["import cadquery as cq"]
        lines += [f"{param} = {edit.value!r}"]
        lines += hole_lines(final, param, edit.selector or "|Z", edit.at, _fresh("hole_face", names))
    elif edit.kind == "scale" and (scaled := scale_lengths(code, edit.value)) is not None:
        # the dimensions themselves carry the new size: no hidden multiplier behind ``height``
        return scaled.rstrip("\n") + f"\n\n{lines[0]} (every length x{edit.value:g})\n", edit
    elif edit.kind == "scale":
        param = _fresh("scale_factor", names)
        lines += [
            f"{param} = {edit.value!r}",
            f"{final} = {final}.newObject([s.scale({param}) for s in {final}.solids().vals()])",
        ]
    elif edit.kind in SIZE_KINDS:
        request = size_request(edit.kind, edit.value, edit.selector)
        named = resize_by_names(code, request, measure or sandbox_measure)
        if named is not None:  # ``length`` itself now says the new length
            edit = replace(edit, via=named.summary())
            return named.code.rstrip("\n") + f"\n\n{lines[0]} ({named.summary()})\n", edit
        edit = replace(edit, via="transform")
        lines += stretch_lines(final, request, lambda base: _fresh(base, names), "cq" in names)
    else:
        lines.append(f'{final} = {final}.mirror("{edit.selector}", union={edit.union})')
    return code.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n", edit


def sandbox_measure(code: str) -> BBox | None:
    """The bounding box of ``code``'s solid run in the shared sandbox; None when it does not run."""
    from core.sandbox import run_code  # started on first use only: parsing edits needs no workers

    result = run_code(code, timeout=60, outputs=())
    return result.bbox if result.ok else None


def _how(edit: Edit) -> str:
    """How a one-axis size change was made, so the user sees whether the parameters still tell
    the size: rewritten dimensions, or an appended stretch they do not include."""
    if edit.via is None:
        return ""
    if edit.via == "transform":
        axis = AXIS_NAMES.get(edit.selector or "", "size")
        return (
            f", appended as a stretch: no named {axis} dimension of the program could be set to give"
            " it, so its parameters keep their old values"
        )
    return f", by setting {edit.via}"


def final_variable(code: str) -> str | None:
    """The variable holding the program's solid, by the sandbox's rule: solid, result, show_object."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return None
    assigned = _names(code, tree)
    for name in ("solid", "result"):
        if name in assigned:
            return name
    shown = [
        node.args[0].id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "show_object"
        and node.args
        and isinstance(node.args[0], ast.Name)
    ]
    return shown[-1] if shown else None


def _fillet_or_chamfer(text: str) -> Edit | None:
    match = re.search(r"\b(fillet|round|chamfer|bevel)", text)
    if not match:
        return None
    kind = "chamfer" if match.group(1) in ("chamfer", "bevel") else "fillet"
    value = _length(text)
    if value is None:
        return None
    words = set(re.findall(r"[a-z]+", text))
    selector = next((EDGE_SELECTORS[w] for w in EDGE_SELECTORS if w in words and EDGE_SELECTORS[w]), None)
    return Edit(kind, value, selector)


def _shell(text: str) -> Edit | None:
    if not re.search(r"\b(shell|hollow)", text):
        return None
    value = _length(text)
    if value is None:
        return None
    return Edit("shell", value, _face(text, default=">Z"))


def _hole(text: str) -> Edit | None:
    if not re.search(r"\b(hole|bore|drill)", text):
        return None
    value = _length(text)
    if value is None:
        return None
    return Edit("hole", value, hole_faces(set(re.findall(r"[a-z]+", text))))


def _scale(text: str) -> Edit | None:
    match = re.search(
        r"\b(?:scale|enlarge|shrink|resize)\w*\b.*?(?:by|x|times|factor(?: of)?)?\s*(\d+(?:\.\d*)?|\.\d+)",
        text,
    )
    if not match:
        return None
    value = float(match.group(1))
    if re.match(r"\s*(%|percent)", text[match.end() :]):
        value /= 100.0
    return Edit("scale", value) if value > 0 else None


def _size(text: str) -> Edit | None:
    """ "make it twice as long", "half the size", "make it 80 mm wide" (core.program.size_phrases)."""
    request = parse_size_request(text)
    if request is None:
        return None
    if request.axis is None:
        return Edit("scale", request.factor)
    kind, value = size_edit(request)
    return Edit(kind, value, request.axis)


def _mirror(text: str) -> Edit | None:
    if not re.search(r"\b(mirror|flip|reflect)", text):
        return None
    plane = next(
        (MIRROR_PLANES[p] for p in re.findall(r"\b(yz|xz|xy|x|y|z)\b", text) if p in MIRROR_PLANES), "YZ"
    )
    return Edit(
        "mirror", selector=plane, union=bool(re.search(r"\b(union|join|keep both|both|combine)", text))
    )


def _length(text: str) -> float | None:
    match = re.search(_NUMBER, text)
    if not match:
        return None
    unit = (match.group("unit") or "mm").rstrip("s")
    factor = 25.4 if unit == '"' else UNITS.get(unit, UNITS.get(unit + "s", 1.0))
    value = float(match.group("value")) * factor
    return value if value > 0 else None


def _face(text: str, default: str) -> str:
    words = set(re.findall(r"[a-z]+", text))
    return next((sel for word, sel in FACE_SELECTORS.items() if word in words), default)


def _names(code: str, tree: ast.AST | None = None) -> set[str]:
    try:
        tree = tree or ast.parse(code)
    except (SyntaxError, ValueError):
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _fresh(base: str, taken: set[str]) -> str:
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name
