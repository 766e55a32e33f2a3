"""Reading CadQuery source into the sketch IR without running it.

A small symbolic interpreter over ``ast``: numbers (with the parameter names of
``core.program.find_parameters``), arithmetic, ``math``, tuples, ``cq.Vector``/``cq.Plane``/
``cq.Workplane`` and the Workplane methods that ``sketch_workplane`` models. Every other construct
(loops, functions, other modules, other methods) raises ``NotNative`` naming the line: a translation
that guessed would put a wrong solid in the user's document.
"""

from __future__ import annotations

import ast
import math
import warnings
from collections.abc import Callable
from typing import Any

from core.program import sketch_workplane as wpm
from core.program.parameters import find_parameters
from core.program.part_ir import Extrude, Plane, Point, Program, leaves, make_plane
from core.program.sketch_ir import NotNative
from core.program.sketch_workplane import Context, Num, SolidRef, Workplane

REQUIRED = object()
MATH_FUNCTIONS: dict[str, Callable[..., float]] = {
    name: getattr(math, name)
    for name in (
        "sqrt",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "atan2",
        "radians",
        "degrees",
        "hypot",
        "fabs",
        "exp",
        "log",
    )
}
MATH_CONSTANTS = {"pi": math.pi, "e": math.e, "tau": math.tau}
BUILTINS: dict[str, Callable[..., float]] = {
    "abs": abs,
    "min": min,
    "max": max,
    "float": float,
    "round": round,
}
NAMED_PLANES = {
    "XY": ((1, 0, 0), (0, 0, 1)),
    "YZ": ((0, 1, 0), (1, 0, 0)),
    "ZX": ((0, 0, 1), (0, 1, 0)),
    "XZ": ((1, 0, 0), (0, -1, 0)),
    "YX": ((0, 1, 0), (0, 0, -1)),
    "ZY": ((0, 0, 1), (-1, 0, 0)),
    "front": ((1, 0, 0), (0, 0, 1)),
    "back": ((-1, 0, 0), (0, 0, -1)),
    "left": ((0, 0, 1), (-1, 0, 0)),
    "right": ((0, 0, -1), (1, 0, 0)),
    "top": ((1, 0, 0), (0, 1, 0)),
    "bottom": ((1, 0, 0), (0, -1, 0)),
}
_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a**b,
}
# Workplane methods: positional names with defaults (REQUIRED where CadQuery has none).
SIGNATURES: dict[str, tuple[tuple[str, Any], ...]] = {
    "moveTo": (("x", 0.0), ("y", 0.0)),
    "lineTo": (("x", REQUIRED), ("y", REQUIRED), ("forConstruction", False)),
    "line": (("xDist", REQUIRED), ("yDist", REQUIRED), ("forConstruction", False)),
    "hLine": (("distance", REQUIRED), ("forConstruction", False)),
    "vLine": (("distance", REQUIRED), ("forConstruction", False)),
    "hLineTo": (("xCoord", REQUIRED), ("forConstruction", False)),
    "vLineTo": (("yCoord", REQUIRED), ("forConstruction", False)),
    "threePointArc": (("point1", REQUIRED), ("point2", REQUIRED), ("forConstruction", False)),
    "close": (),
    "circle": (("radius", REQUIRED), ("forConstruction", False)),
    "rect": (("xLen", REQUIRED), ("yLen", REQUIRED), ("centered", True), ("forConstruction", False)),
    "polygon": (
        ("nSides", REQUIRED),
        ("diameter", REQUIRED),
        ("forConstruction", False),
        ("circumscribed", False),
    ),
    "box": (
        ("length", REQUIRED),
        ("width", REQUIRED),
        ("height", REQUIRED),
        ("centered", True),
        ("combine", True),
        ("clean", True),
    ),
    "cylinder": (
        ("height", REQUIRED),
        ("radius", REQUIRED),
        ("direct", (Num(0.0), Num(0.0), Num(1.0))),
        ("angle", 360),
        ("centered", True),
        ("combine", True),
        ("clean", True),
    ),
    "hole": (("diameter", REQUIRED), ("depth", None), ("clean", True)),
    "extrude": (("until", REQUIRED), ("combine", True), ("clean", True), ("both", False), ("taper", None)),
    "union": (("toUnion", None), ("clean", True), ("glue", False), ("tol", None)),
    "cut": (("toCut", REQUIRED), ("clean", True), ("tol", None)),
    "intersect": (("toIntersect", REQUIRED), ("clean", True), ("tol", None)),
    "add": (("obj", REQUIRED),),
    "pushPoints": (("pntList", REQUIRED),),
    "center": (("x", REQUIRED), ("y", REQUIRED)),
    "vertices": (("selector", None), ("tag", None)),
    "faces": (("selector", None), ("tag", None)),
    "workplane": (("offset", 0.0), ("invert", False), ("centerOption", "ProjectedOrigin"), ("origin", None)),
    "polyline": (("listOfXYTuple", REQUIRED), ("forConstruction", False), ("includeCurrent", False)),
    "rarray": (
        ("xSpacing", REQUIRED),
        ("ySpacing", REQUIRED),
        ("xCount", REQUIRED),
        ("yCount", REQUIRED),
        ("center", True),
    ),
    "polarArray": (
        ("radius", REQUIRED),
        ("startAngle", REQUIRED),
        ("angle", REQUIRED),
        ("count", REQUIRED),
        ("fill", True),
        ("rotate", True),
    ),
    "slot2D": (("length", REQUIRED), ("diameter", REQUIRED), ("angle", 0.0)),
    "cutThruAll": (("clean", True), ("taper", 0.0)),
    "rotate": (("axisStartPoint", REQUIRED), ("axisEndPoint", REQUIRED), ("angleDegrees", REQUIRED)),
}


def evaluate_program(code: str) -> Program:
    """The IR of ``code`` (see ``core.program.sketch_ir``)."""
    with warnings.catch_warnings():  # the reader needs the tree, not Python's style advice
        warnings.simplefilter("ignore", SyntaxWarning)
        try:
            tree = ast.parse(code)
        except SyntaxError as exc:
            raise NotNative(f"syntax error: {exc.msg}", exc.lineno) from exc
        reader = _Reader(code)
    for stmt in tree.body:
        try:
            reader.statement(stmt)
        except (ArithmeticError, RecursionError) as exc:
            raise NotNative(f"cannot evaluate: {exc}", stmt.lineno) from exc
    return reader.program()


def _keep_root(value: float, operand: Num, factor: float) -> Num:
    root = operand.root()
    if root is None:
        return Num(value)
    new = root[1] * factor
    return Num(value, root[0] if new == 1.0 else None, (root[0], new))


def _scaled_parameter(op: ast.operator, value: float, left: Num, right: Num) -> Num:
    """``diameter / 2``, ``2 * radius``, ``-width``: the result still follows one parameter (by a
    fixed factor); sums and products of parameters follow none."""
    if left.root() is not None and right.root() is None and right.value != 0:
        if isinstance(op, ast.Mult):
            return _keep_root(value, left, right.value)
        if isinstance(op, ast.Div):
            return _keep_root(value, left, 1.0 / right.value)
    if right.root() is not None and left.root() is None and isinstance(op, ast.Mult):
        return _keep_root(value, right, left.value)
    return Num(value)


class _Module:
    def __init__(self, name: str) -> None:
        self.name = name


class _Reader:
    def __init__(self, code: str) -> None:
        self.env: dict[str, Any] = {}
        self.shown: Any = None
        self.line_starts = [0]
        for text in code.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(text))
        self.lines = code.splitlines()
        self.parameters = {p.start: p.name for p in find_parameters(code)}

    # statements

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name not in ("cadquery", "math"):
                    raise NotNative(f"import of {alias.name}", stmt.lineno)
                self.env[alias.asname or alias.name] = _Module(alias.name)
        elif isinstance(stmt, ast.Assign):
            value = self.expr(stmt.value)
            for target in stmt.targets:
                self.assign(target, value, stmt.lineno)
        elif isinstance(stmt, ast.Expr):
            self.expression_statement(stmt)
        elif isinstance(stmt, ast.Pass):
            return
        else:
            raise NotNative(f"{type(stmt).__name__} statement", stmt.lineno)

    def assign(self, target: ast.expr, value: Any, line: int) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = value
        elif (
            isinstance(target, (ast.Tuple, ast.List))
            and isinstance(value, tuple)
            and len(value) == len(target.elts)
        ):
            for sub, item in zip(target.elts, value, strict=True):
                self.assign(sub, item, line)
        else:
            raise NotNative("assignment to something other than names", line)

    def expression_statement(self, stmt: ast.Expr) -> None:
        node = stmt.value
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return  # a docstring
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "show_object":
            if not node.args:
                raise NotNative("show_object() without an object", stmt.lineno)
            self.shown = self.expr(node.args[0])
            return
        self.expr(node)

    def program(self) -> Program:
        final = self.env.get("solid", self.env.get("result", self.shown))
        if not isinstance(final, Workplane):
            raise NotNative("no workplane in `solid`, `result` or show_object()")
        solids = [o.node for o in final.objects if isinstance(o, SolidRef)]
        if len(solids) != 1 or len(solids) != len(final.objects):
            raise NotNative("the final workplane does not hold exactly one solid")
        sketches = tuple(leaf.sketch for leaf in leaves(solids[0]) if isinstance(leaf, Extrude))
        return Program(solids[0], sketches)

    # expressions

    def expr(self, node: ast.expr) -> Any:
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or node.value is None or isinstance(node.value, str):
                return node.value
            if isinstance(node.value, (int, float)):
                return Num(node.value, self.parameter_at(node))
            raise NotNative(f"constant {node.value!r}", line)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.number(node.operand)
            value = -operand.value if isinstance(node.op, ast.USub) else operand.value
            literal = self.parameter_at(node)
            if literal:
                return Num(value, literal)
            return _keep_root(value, operand, -1.0 if isinstance(node.op, ast.USub) else 1.0)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self.number(node.left), self.number(node.right)
            try:
                value = _BINARY[type(node.op)](left.value, right.value)
            except (ArithmeticError, ValueError) as exc:
                raise NotNative(f"arithmetic error: {exc}", line) from exc
            return _scaled_parameter(node.op, value, left, right)
        if isinstance(node, ast.Name):
            if node.id not in self.env:
                raise NotNative(f"unknown name {node.id!r}", line)
            return self.env[node.id]
        if isinstance(node, (ast.Tuple, ast.List)):
            return tuple(self.expr(e) for e in node.elts)
        if isinstance(node, ast.Attribute):
            owner = self.expr(node.value)
            if isinstance(owner, _Module) and owner.name == "math" and node.attr in MATH_CONSTANTS:
                return Num(MATH_CONSTANTS[node.attr])
            raise NotNative(f"attribute {node.attr!r}", line)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise NotNative(f"{type(node).__name__} expression", line)

    def number(self, node: ast.expr) -> Num:
        value = self.expr(node)
        if not isinstance(value, Num):
            raise NotNative("a number was expected", getattr(node, "lineno", 0))
        return value

    def parameter_at(self, node: ast.expr) -> str | None:
        start = self.line_starts[node.lineno - 1]
        prefix = (
            self.lines[node.lineno - 1].encode("utf-8")[: node.col_offset].decode("utf-8", errors="ignore")
        )
        return self.parameters.get(start + len(prefix))

    def call(self, node: ast.Call) -> Any:
        line = node.lineno
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise NotNative("*args or **kwargs in a call", line)
        func = node.func
        if isinstance(func, ast.Name):
            if func.id not in BUILTINS:
                raise NotNative(f"call of {func.id}()", line)
            args = [self.number(a).value for a in node.args]
            return Num(BUILTINS[func.id](*args))
        if not isinstance(func, ast.Attribute):
            raise NotNative("call of a computed function", line)
        owner = self.expr(func.value)
        if isinstance(owner, _Module):
            return self.module_call(owner.name, func.attr, node)
        if isinstance(owner, Workplane):
            return self.method(owner, func.attr, node)
        raise NotNative(f"call of .{func.attr}()", line)

    def module_call(self, module: str, name: str, node: ast.Call) -> Any:
        line = node.lineno
        if module == "math":
            if name not in MATH_FUNCTIONS or node.keywords:
                raise NotNative(f"math.{name}()", line)
            try:
                return Num(MATH_FUNCTIONS[name](*(self.number(a).value for a in node.args)))
            except (ArithmeticError, ValueError, TypeError) as exc:
                raise NotNative(f"math.{name}(): {exc}", line) from exc
        if name == "Vector":
            args = self.bind(node, (("x", REQUIRED), ("y", REQUIRED), ("z", Num(0.0))), allow_short=True)
            parts = (
                args["x"]
                if isinstance(args["x"], tuple) and len(node.args) == 1
                else (args["x"], args["y"], args["z"])
            )
            self.vector(parts, line)  # validates
            return tuple(parts) + (Num(0.0),) * (3 - len(parts))
        if name == "Plane":
            args = self.bind(
                node, (("origin", REQUIRED), ("xDir", None), ("normal", (Num(0.0), Num(0.0), Num(1.0))))
            )
            if args["xDir"] is None:
                raise NotNative("cq.Plane without xDir", line)
            return self.plane(args["origin"], args["xDir"], args["normal"], line)
        if name == "Workplane":
            args = self.bind(
                node, (("inPlane", "XY"), ("origin", (Num(0.0), Num(0.0), Num(0.0))), ("obj", None))
            )
            if args["obj"] is not None:
                raise NotNative("cq.Workplane(obj=...)", line)
            plane = args["inPlane"]
            if isinstance(plane, str):
                if plane not in NAMED_PLANES:
                    raise NotNative(f"unknown plane name {plane!r}", line)
                x_dir, normal = NAMED_PLANES[plane]
                plane = make_plane(tuple(self.vector(args["origin"], line)), x_dir, normal)
            elif not isinstance(plane, Plane):
                raise NotNative("cq.Workplane of something other than a plane", line)
            return Workplane(plane, Context())
        raise NotNative(f"cq.{name}", line)

    def vector(self, value: Any, line: int) -> tuple[float, float, float]:
        if (
            not isinstance(value, tuple)
            or len(value) not in (2, 3)
            or not all(isinstance(v, Num) for v in value)
        ):
            raise NotNative("a vector of 2 or 3 numbers was expected", line)
        numbers = [v.value for v in value] + [0.0] * (3 - len(value))
        return (float(numbers[0]), float(numbers[1]), float(numbers[2]))

    def plane(self, origin: Any, x_dir: Any, normal: Any, line: int) -> Plane:
        try:
            return make_plane(self.vector(origin, line), self.vector(x_dir, line), self.vector(normal, line))
        except ValueError as exc:
            raise NotNative(f"cq.Plane: {exc}", line) from exc

    def point(self, value: Any, line: int) -> Point:
        if (
            not isinstance(value, tuple)
            or len(value) not in (2, 3)
            or not all(isinstance(v, Num) for v in value)
        ):
            raise NotNative("a point (x, y) was expected", line)
        if len(value) == 3 and value[2].value != 0:
            raise NotNative("a sketch point off the workplane", line)
        return Point(float(value[0].value), float(value[1].value), value[0].name, value[1].name)

    def bind(
        self, node: ast.Call, signature: tuple[tuple[str, Any], ...], allow_short: bool = False
    ) -> dict[str, Any]:
        """Call arguments by name, CadQuery's defaults filled in."""
        line = node.lineno
        names = [name for name, _ in signature]
        if len(node.args) > len(names):
            raise NotNative("too many arguments", line)
        bound = {names[i]: self.expr(a) for i, a in enumerate(node.args)}
        for kw in node.keywords:
            if kw.arg not in names or kw.arg in bound:
                raise NotNative(f"argument {kw.arg!r}", line)
            bound[kw.arg] = self.expr(kw.value)
        for name, default in signature:
            if name not in bound:
                if default is REQUIRED and not (allow_short and bound):
                    raise NotNative(f"missing argument {name!r}", line)
                bound[name] = default
        return bound

    def method(self, wp: Workplane, name: str, node: ast.Call) -> Any:
        line = node.lineno
        if name not in SIGNATURES:
            raise NotNative(f"Workplane.{name}()", line)
        a = self.bind(node, SIGNATURES[name])
        if a.get("forConstruction") and name not in ("rect", "polygon", "circle"):
            raise NotNative(f"{name}(forConstruction=True)", line)
        if name == "moveTo":
            return wpm.move_to(wp, self.num(a["x"], line), self.num(a["y"], line), line)
        if name == "lineTo":
            return wpm.line_to(wp, self.num(a["x"], line), self.num(a["y"], line), line)
        if name == "line":
            return wpm.line_by(wp, self.num(a["xDist"], line).value, self.num(a["yDist"], line).value, line)
        if name in ("hLine", "vLine"):
            d = self.num(a["distance"], line).value
            return wpm.line_by(wp, d if name == "hLine" else 0.0, d if name == "vLine" else 0.0, line)
        if name in ("hLineTo", "vLineTo"):
            s = wpm.start_point(wp, line)
            if name == "hLineTo":
                return wpm.line_to(wp, self.num(a["xCoord"], line), Num(s.y, s.y_name), line)
            return wpm.line_to(wp, Num(s.x, s.x_name), self.num(a["yCoord"], line), line)
        if name == "threePointArc":
            return wpm.three_point_arc(wp, self.point(a["point1"], line), self.point(a["point2"], line), line)
        if name == "close":
            return wpm.close(wp, line)
        if name == "circle":
            return wpm.circle(wp, self.num(a["radius"], line), self.flag(a["forConstruction"], line), line)
        if name == "rect":
            centered = self.flags(a["centered"], 2, line)
            return wpm.rect(
                wp,
                self.num(a["xLen"], line),
                self.num(a["yLen"], line),
                centered,
                self.flag(a["forConstruction"], line),
                line,
            )
        if name == "polygon":
            sides = self.num(a["nSides"], line).value
            if sides != int(sides):
                raise NotNative("a polygon with a fractional number of sides", line)
            return wpm.polygon(
                wp,
                int(sides),
                self.num(a["diameter"], line).value,
                self.flag(a["forConstruction"], line),
                self.flag(a["circumscribed"], line),
                line,
            )
        if name == "box":
            size = (self.num(a["length"], line), self.num(a["width"], line), self.num(a["height"], line))
            return wpm.box(
                wp, size, self.flags(a["centered"], 3, line), self.combine_mode(a["combine"], line), line
            )
        if name == "cylinder":
            if self.vector(a["direct"], line) != (0.0, 0.0, 1.0):
                raise NotNative("cylinder(direct=...) other than the normal", line)
            if self.num(a["angle"], line).value != 360:
                raise NotNative("a partial cylinder", line)
            centered = self.flags(a["centered"], 3, line)
            return wpm.cylinder(
                wp,
                self.num(a["height"], line),
                self.num(a["radius"], line),
                centered,
                self.combine_mode(a["combine"], line),
                line,
            )
        if name == "hole":
            depth = None if a["depth"] is None else self.num(a["depth"], line)
            return wpm.hole(wp, self.num(a["diameter"], line), depth, line)
        if name == "extrude":
            if a["taper"] is not None and self.num(a["taper"], line).value != 0:
                raise NotNative("a tapered extrusion", line)
            return wpm.extrude(
                wp,
                self.num(a["until"], line),
                self.flag(a["both"], line),
                self.combine_mode(a["combine"], line),
                line,
            )
        if name in ("union", "cut", "intersect"):
            other = a.get("toUnion", a.get("toCut", a.get("toIntersect")))
            if a.get("glue") or a.get("tol") is not None:
                raise NotNative(f"{name}() with glue or tol", line)
            return wpm.boolean(wp, name, other, line)
        if name == "add":
            if not isinstance(a["obj"], Workplane):
                raise NotNative("add() of something other than a workplane", line)
            wp.objects.extend(a["obj"].objects)
            return wp
        if name == "pushPoints":
            if not isinstance(a["pntList"], tuple):
                raise NotNative("pushPoints() of something other than a list", line)
            return wpm.push_points(wp, [self.point(p, line) for p in a["pntList"]])
        if name == "polyline":
            if not isinstance(a["listOfXYTuple"], tuple) or self.flag(a["includeCurrent"], line):
                raise NotNative("polyline() of something other than a list of points", line)
            points = [self.point(p, line) for p in a["listOfXYTuple"]]
            return wpm.polyline(wp, points, self.flag(a["forConstruction"], line), line)
        if name == "rarray":
            counts = (self.count(a["xCount"], line), self.count(a["yCount"], line))
            spacing = (self.num(a["xSpacing"], line), self.num(a["ySpacing"], line))
            return wpm.rarray(wp, spacing, counts, self.flags(a["center"], 2, line), line)
        if name == "polarArray":
            return wpm.polar_array(
                wp,
                self.num(a["radius"], line).value,
                self.num(a["startAngle"], line).value,
                self.num(a["angle"], line).value,
                self.count(a["count"], line),
                self.flag(a["fill"], line),
                self.flag(a["rotate"], line),
                line,
            )
        if name == "slot2D":
            return wpm.slot2d(
                wp,
                self.num(a["length"], line),
                self.num(a["diameter"], line),
                self.num(a["angle"], line).value,
                line,
            )
        if name == "cutThruAll":
            if self.num(a["taper"], line).value != 0:
                raise NotNative("a tapered cut", line)
            return wpm.cut_thru_all(wp, line)
        if name == "rotate":
            return wpm.rotate(
                wp,
                self.vector(a["axisStartPoint"], line),
                self.vector(a["axisEndPoint"], line),
                self.num(a["angleDegrees"], line).value,
                line,
            )
        if name == "center":
            return wpm.center(wp, self.num(a["x"], line).value, self.num(a["y"], line).value)
        if name == "vertices":
            if a["selector"] is not None or a["tag"] is not None:
                raise NotNative("vertices() with a selector", line)
            return wpm.vertices(wp, line)
        if name == "faces":
            if not isinstance(a["selector"], str) or a["tag"] is not None:
                raise NotNative("faces() without a string selector", line)
            return wpm.faces(wp, a["selector"], line)
        if a["centerOption"] != "ProjectedOrigin" or a["origin"] is not None:
            raise NotNative("workplane() with centerOption or origin", line)
        return wpm.workplane(wp, self.num(a["offset"], line).value, self.flag(a["invert"], line), line)

    def num(self, value: Any, line: int) -> Num:
        if isinstance(value, Num):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Num(value)
        raise NotNative("a number was expected", line)

    def count(self, value: Any, line: int) -> int:
        number = self.num(value, line).value
        if number != int(number):
            raise NotNative("a count that is not a whole number", line)
        return int(number)

    def flag(self, value: Any, line: int) -> bool:
        if isinstance(value, bool):
            return value
        raise NotNative("True or False was expected", line)

    def flags(self, value: Any, count: int, line: int) -> tuple:
        if isinstance(value, bool):
            return (value,) * count
        if isinstance(value, tuple) and len(value) == count and all(isinstance(v, bool) for v in value):
            return value
        raise NotNative(f"centered must be a bool or {count} bools", line)

    def combine_mode(self, value: Any, line: int) -> str:
        if value is True or value == "a":
            return "a"
        if value is False:
            return "none"
        if value in ("cut", "s"):
            return "s"
        raise NotNative(f"combine={value!r}", line)
