"""What each number and variable of a program measures: length, angle, count, plain number, or none.

The FreeCAD property view shows lengths in mm, angles in degrees and counts as integers, and a scale
edit must scale lengths and nothing else, so both need to know a number's quantity. It comes from
where the number ends up: the CadQuery argument it fills (``cadquery_signatures``), passed through
the arithmetic on the way (in ``w - 2`` both are lengths, in ``w / 2`` the 2 is a plain ratio), and
through variables in both directions (``r = d / 2`` used as a radius makes ``d`` a length). Variables
used nowhere CadQuery tells us about fall back to their names (``angle``, ``n_holes``), then length.
Static and conservative: a number it cannot place has quantity None.
"""

from __future__ import annotations

import ast
import re

from core.program.cadquery_signatures import (
    ANGLE,
    COUNT,
    DIRECTION,
    LENGTH,
    NUMBER,
    POINT,
    argument,
)

_ANGLE_NAME = re.compile(r"(^|_)(angle|angles|deg|degrees|rot|rotation|twist|taper|tilt|pitch_angle)(_|$)")
_COUNT_NAME = re.compile(
    r"(^|_)(n|num|number|count|nb|qty|teeth|sides|segments|steps|rows|cols|columns|copies)(_|$)"
)
_NUMBER_NAME = re.compile(r"(^|_)(scale|factor|ratio|fraction|percent)(_|$)")
_LENGTH_NAME = re.compile(
    r"(^|_)(length|width|height|thickness|radius|diameter|dia|depth|size|distance|offset|fontsize|"
    r"pitch|spacing|gap|clearance|wall|inset)(_|$)"
)
_SCALARS = {"sin", "cos", "tan", "sqrt", "atan", "atan2", "asin", "acos", "len"}


def name_quantity(name: str) -> str:
    """A variable's quantity by its name alone: the last resort (a named number is mostly a length)."""
    return word_quantity(name) or LENGTH


def word_quantity(name: str) -> str | None:
    """The quantity a name spells out (``tilt_angle``, ``num_teeth``, ``wallThickness``), else None."""
    lowered = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    if _ANGLE_NAME.search(lowered):
        return ANGLE
    if _COUNT_NAME.search(lowered) or lowered.startswith(("num_", "n_")):
        return COUNT
    if _NUMBER_NAME.search(lowered):
        return NUMBER
    if _LENGTH_NAME.search(lowered):
        return LENGTH
    return None


class Quantities:
    """Quantities of a parsed program's numeric literals (by node) and variables (by name)."""

    def __init__(self, tree: ast.AST) -> None:
        self.names: dict[str, str] = {}
        self.literals: dict[int, str] = {}  # id(node) -> quantity
        self._assignments = [
            (target, value) for node in ast.walk(tree) for target, value in _assignment_pairs(node)
        ]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                self._call(node)
            elif isinstance(node, ast.For) and _call_name(node.iter) == "range":
                self._push(node.target, COUNT)
            elif isinstance(node, ast.arguments):
                self._defaults(node)
        for _ in range(4):  # propagate through assignments until nothing changes
            before = (len(self.names), len(self.literals))
            for target, value in self._assignments:
                self._assign(target, value)
            if (len(self.names), len(self.literals)) == before:
                break
        placed = set(self.literals)
        for target, value in self._assignments:  # names nothing placed: by their names
            for name in _names_of(target):
                self.names.setdefault(name, name_quantity(name))
            self._assign(target, value)
        for node in ast.walk(tree):  # a Vector no context placed: its own signature (a point)
            if isinstance(node, ast.Call) and _call_name(node.func) == "Vector":
                self._call(node, own_vector=True)
        # literals whose quantity is a guess (a name, a Vector's signature), not a CadQuery argument
        self.assumed = set(self.literals) - placed

    def literal(self, node: ast.expr) -> str | None:
        """Quantity of a numeric literal (``-3`` too); None where nothing says."""
        if isinstance(node, ast.UnaryOp):
            node = node.operand
        quantity = self.literals.get(id(node))
        return LENGTH if quantity == POINT else quantity

    def name(self, name: str) -> str:
        quantity = self.names.get(name) or name_quantity(name)
        return LENGTH if quantity == POINT else quantity

    # context -> parts

    def _call(self, call: ast.Call, own_vector: bool = False) -> None:
        name = _call_name(call.func)
        if name == "Vector" and not own_vector:
            return  # where a Vector goes decides first: a point, a move or a direction
        for index, arg in enumerate(call.args):
            self._push(arg, argument(name, index, None)[1])
        for kw in call.keywords:
            if kw.arg is not None:  # a keyword CadQuery does not tell about may say it itself
                self._push(kw.value, argument(name, None, kw.arg)[1] or word_quantity(kw.arg))

    def _defaults(self, args: ast.arguments) -> None:
        positional = args.posonlyargs + args.args
        pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=False))
        pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False) if d is not None]
        self._assignments += [(ast.Name(id=a.arg), d) for a, d in pairs]

    def _push(self, node: ast.expr, quantity: str | None) -> None:
        """``node`` is used as ``quantity``: record it on its literals and variables."""
        if quantity is None:
            return
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            self.literals.setdefault(id(node), quantity)
        elif isinstance(node, ast.Name):
            self.names.setdefault(node.id, quantity)
        elif isinstance(node, ast.UnaryOp):
            self._push(node.operand, quantity)
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            for element in node.elts:
                self._push(element, quantity)
        elif isinstance(node, ast.Dict):
            for value in node.values:
                self._push(value, quantity)
        elif isinstance(node, ast.Starred):
            self._push(node.value, quantity)
        elif isinstance(node, ast.IfExp):
            self._push(node.body, quantity)
            self._push(node.orelse, quantity)
        elif isinstance(node, ast.Call) and _call_name(node.func) == "Vector":
            for arg in node.args:  # a Vector as a direction or a point: the context decides
                self._push(arg, quantity)
        elif isinstance(node, ast.BinOp):
            self._binary(node, quantity)

    def _binary(self, node: ast.BinOp, quantity: str) -> None:
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mod)):
            self._push(node.left, quantity)
            self._push(node.right, quantity)
        elif isinstance(node.op, ast.Mult):
            if self._is_scalar(node.left):
                self._push(node.left, NUMBER)
                self._push(node.right, quantity)
            elif self._is_scalar(node.right):
                self._push(node.right, NUMBER)
                self._push(node.left, quantity)
        elif isinstance(node.op, (ast.Div, ast.FloorDiv)):
            if quantity == COUNT and self._quantity_of(node.left) == LENGTH:
                self._push(node.right, LENGTH)  # n = int(width / pitch)
            else:
                self._push(node.left, quantity)
                if self._is_scalar(node.right):
                    self._push(node.right, NUMBER)

    # parts -> whole

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
            for t, v in zip(target.elts, value.elts, strict=False):
                self._assign(t, v)
            return
        if not isinstance(target, ast.Name):
            return
        known = self.names.get(target.id)
        if known is not None:
            self._push(value, known)
            return
        found = self._quantity_of(value)
        if found is not None:
            self.names[target.id] = found
            self._push(value, found)

    def _quantity_of(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.UnaryOp):
            return self._quantity_of(node.operand)
        if isinstance(node, ast.Call):
            name = _call_name(node.func)
            if name in ("radians", "degrees"):
                return ANGLE
            if name in ("int", "round", "len"):
                return COUNT
            return None
        if isinstance(node, ast.BinOp):
            left, right = self._quantity_of(node.left), self._quantity_of(node.right)
            if isinstance(node.op, (ast.Add, ast.Sub, ast.Mod)):
                return left or right
            if isinstance(node.op, ast.Mult):
                if self._is_scalar(node.left):
                    return right
                if self._is_scalar(node.right):
                    return left
            if isinstance(node.op, (ast.Div, ast.FloorDiv)) and self._is_scalar(node.right):
                return left
        return None

    def _is_scalar(self, node: ast.expr) -> bool:
        """A factor that does not change what the other side measures: a literal, a count, sin(x)..."""
        if isinstance(node, ast.UnaryOp):
            return self._is_scalar(node.operand)
        if isinstance(node, ast.Constant):
            return type(node.value) in (int, float)
        if isinstance(node, ast.Name):
            return self.names.get(node.id) in (COUNT, NUMBER)
        if isinstance(node, ast.Attribute):
            return node.attr in ("pi", "tau", "e")
        if isinstance(node, ast.Call):
            return _call_name(node.func) in _SCALARS
        if isinstance(node, ast.BinOp) and not isinstance(node.op, (ast.Add, ast.Sub)):
            return self._is_scalar(node.left) and self._is_scalar(node.right)
        return False


def _assignment_pairs(node: ast.AST) -> list[tuple[ast.expr, ast.expr]]:
    if isinstance(node, ast.Assign):
        return [(target, node.value) for target in node.targets]
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        return [(node.target, node.value)]
    return []


def _names_of(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _names_of(element)]
    return []


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Call):
        func = func.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


__all__ = ["DIRECTION", "Quantities", "name_quantity"]
