"""PartDesign Bodies (and Part booleans where PartDesign cannot follow) from the sketch IR.

The strategy is described in the package docstring: each leaf of the IR's boolean tree becomes a
Pad/Pocket/primitive feature in the current Body when FreeCAD accepts it there (one valid solid
after recompute), otherwise a separate Body joined by a Part boolean. Unions and cuts by a union
are applied leaf by leaf (``a ∪ (b ∪ c) = (a ∪ b) ∪ c``, ``a − (b ∪ c) = (a − b) − c``), so GenCAD's
``solid_temp`` chains stay in one Body.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from CADCoderWorkbench.native.sketches import attach_to_body, make_sketch
from core.program.sketch_ir import Boolean, Extrude, Node, NotNative, Primitive, Program, Region, Sketch

# A PartDesign feature's volume must match the OCCT boolean it stands for this closely (relative).
CHECK_TOLERANCE = 1e-9


@dataclass
class _State:
    """The solid built so far: ``obj`` shows it; ``body`` is the Body whose tip it is, if any."""

    obj: object
    body: object | None


@dataclass
class NativeBuild:
    """What ``build_native`` made: the object holding the final solid, and every sketch."""

    result: object
    sketches: list = field(default_factory=list)
    bodies: list = field(default_factory=list)
    part_booleans: list = field(default_factory=list)


def build_native(doc, program: Program) -> NativeBuild:
    """Build ``program`` in ``doc``; raises NotNative (leaving partial objects for the caller to
    remove) when FreeCAD cannot build a part of it."""
    builder = _Builder(doc)
    state = builder.node(program.solid)
    doc.recompute()
    _require_valid(state.obj, "the final solid")
    for obj in [*builder.made.bodies, *builder.made.part_booleans, *builder.made.sketches]:
        if obj is not state.obj and obj.ViewObject is not None:  # only the result shows in the GUI
            obj.ViewObject.Visibility = False
    builder.made.result = state.obj
    return builder.made


class _Builder:
    def __init__(self, doc) -> None:
        self.doc = doc
        self.made = NativeBuild(None)
        self.last_error = ""  # why FreeCAD refused the last feature tried

    def node(self, node: Node) -> _State:
        node = _separate_touching(node)
        if isinstance(node, Boolean):
            return self.apply(self.node(node.base), node.op, node.tool)
        body = self.new_body()
        return self.add_leaf(_State(body, body), node, first=True)

    def apply(self, state: _State, op: str, tool: Node) -> _State:
        tool = _separate_touching(tool)
        if op in ("union", "cut") and isinstance(tool, Boolean) and tool.op == "union":
            return self.apply(self.apply(state, op, tool.base), op, tool.tool)
        if op in ("union", "cut") and not isinstance(tool, Boolean) and state.body is not None:
            return self.add_leaf(state, tool, first=False, additive=op == "union")
        return self.part_boolean(state, op, self.node(self.with_depth(tool, state)))

    def add_leaf(
        self, state: _State, leaf: Extrude | Primitive, first: bool, additive: bool = True
    ) -> _State:
        """``leaf`` as a feature of ``state.body``; when FreeCAD refuses it there: its faces one by
        one (a sketch with separate faces), else a Part boolean with a Body of its own."""
        if self.try_feature(state.body, leaf, additive):
            return state
        regions = _split_regions(leaf)
        if len(regions) > 1:
            if first:
                state = self.add_leaf(state, regions[0], first=True)
                regions = regions[1:]
            for part in regions:
                state = self.apply(state, "union" if additive else "cut", part)
            return state
        if first:
            raise NotNative(f"FreeCAD cannot build line {leaf.line} as a feature: {self.last_error}")
        tool = self.node(self.with_depth(leaf, state))
        return self.part_boolean(state, "union" if additive else "cut", tool)

    def try_feature(self, body, leaf: Extrude | Primitive, additive: bool) -> bool:
        made = []
        before = body.Shape.copy() if body.Tip is not None else None
        try:
            feature = self.feature(body, leaf, additive, made)
            self.doc.recompute()
            self.last_error = _feature_problem(feature, body.Shape, before, additive)
            if not self.last_error:
                self.made.sketches.extend(o for o in made if o.TypeId == "Sketcher::SketchObject")
                return True
        except NotNative as exc:
            self.last_error = exc.reason
        for obj in reversed(made):
            body.removeObject(obj)
            self.doc.removeObject(obj.Name)
        self.doc.recompute()
        return False

    def feature(self, body, leaf: Extrude | Primitive, additive: bool, made: list):
        if isinstance(leaf, Primitive):
            kind = ("Additive" if additive else "Subtractive") + leaf.kind.capitalize()
            prim = body.newObject(f"PartDesign::{kind}", leaf.kind.capitalize())
            made.append(prim)
            attach_to_body(prim, body, leaf.plane)
            if leaf.kind == "box":
                prim.Length, prim.Width, prim.Height = leaf.size
            else:
                prim.Radius, prim.Height = leaf.size
            prim.Label2 = ", ".join(
                f"{n} = {v:g}" for n, v in zip(leaf.size_names, leaf.size, strict=True) if n
            )
            return prim
        sketch = make_sketch(body, leaf.sketch.plane, leaf.sketch.loops, f"Sketch line {leaf.sketch.line}")
        made.append(sketch)
        feature = body.newObject(
            "PartDesign::Pad" if additive else "PartDesign::Pocket", "Pad" if additive else "Pocket"
        )
        made.append(feature)
        feature.Profile = sketch
        along_normal = leaf.distance is not None and leaf.distance > 0
        if leaf.distance is None:
            feature.Type = "ThroughAll"  # a hole without depth: against the normal, through everything
        else:
            feature.Length = abs(leaf.distance) * (2 if leaf.both else 1)
        feature.Midplane = leaf.both
        # A Pad grows along the sketch normal, a Pocket cuts against it; CadQuery's sign decides.
        feature.Reversed = (not along_normal) if additive else along_normal
        if leaf.distance_name:
            feature.Label2 = f"{leaf.distance_name} = {leaf.distance:g}"
        return feature

    def part_boolean(self, state: _State, op: str, tool: _State) -> _State:
        if op == "union" and state.obj in self.made.part_booleans and state.obj.TypeId == "Part::MultiFuse":
            state.obj.Shapes = [*state.obj.Shapes, tool.obj]
            return _State(state.obj, None)
        if op == "union":
            result = self.doc.addObject("Part::MultiFuse", "Fusion")
            result.Shapes = [state.obj, tool.obj]
        else:
            result = self.doc.addObject("Part::Cut" if op == "cut" else "Part::Common", op.capitalize())
            result.Base, result.Tool = state.obj, tool.obj
        self.made.part_booleans.append(result)
        self.doc.recompute()
        _require_valid(result, f"the {op}")
        return _State(result, None)

    def new_body(self):
        body = self.doc.addObject("PartDesign::Body", "Body")
        self.made.bodies.append(body)
        return body

    def with_depth(self, leaf: Node, state: _State) -> Node:
        """A through-all hole as a tool body needs a length: CadQuery's, the diagonal of the solid's
        bounding box (measured from the hole's start point)."""
        if isinstance(leaf, Extrude) and leaf.distance is None:
            self.doc.recompute()
            return Extrude(leaf.sketch, -state.obj.Shape.BoundBox.DiagonalLength, False, None, leaf.line)
        return leaf


def _separate_touching(node: Node) -> Node:
    """An extrusion whose loops touch, as sketches that FreeCAD can face: each face's outline with
    its free holes, minus each touching hole on its own, the faces united (same solid: the holes
    lie inside their outline)."""
    if not isinstance(node, Extrude) or not node.sketch.touching:
        return node
    touched = {node.sketch.loops[i] for pair in node.sketch.touching for i in pair}
    plane, line = node.sketch.plane, node.sketch.line

    def extrude(loops: tuple) -> Extrude:
        sketch = Sketch(plane, loops, (Region(loops[0], loops[1:]),), line)
        return Extrude(sketch, node.distance, node.both, node.distance_name, node.line)

    result: Node | None = None
    for region in node.sketch.regions:
        part: Node = extrude((region.outer, *(h for h in region.holes if h not in touched)))
        for hole in region.holes:
            if hole in touched:
                part = Boolean("cut", part, extrude((hole,)), line)
        result = part if result is None else Boolean("union", result, part, line)
    assert result is not None
    return result


def _split_regions(leaf: Extrude | Primitive) -> list[Extrude]:
    if not isinstance(leaf, Extrude) or len(leaf.sketch.regions) < 2:
        return []
    out = []
    for region in leaf.sketch.regions:
        loops = (region.outer, *region.holes)
        sketch = Sketch(leaf.sketch.plane, loops, (region,), leaf.sketch.line)
        out.append(Extrude(sketch, leaf.distance, leaf.both, leaf.distance_name, leaf.line))
    return out


def _feature_problem(feature, shape, before, additive: bool) -> str:
    """Why a PartDesign feature's result cannot be kept ("" when it can): invalid, not one solid,
    or not the plain boolean of the body before it and the feature's tool shape. The last check
    catches what 0.20 lets through silently (an additive primitive apart from the body keeps only
    one of the two solids)."""
    if not feature.isValid():
        return feature.getStatusString()
    if shape.isNull() or not shape.isValid() or len(shape.Solids) != 1:
        return "not one valid solid"
    tool = feature.AddSubShape.copy()  # stored in the feature's own frame
    tool.Placement = feature.Placement.multiply(tool.Placement)
    expected = tool.Volume if before is None else (before.fuse(tool) if additive else before.cut(tool)).Volume
    if abs(shape.Volume - expected) > CHECK_TOLERANCE * max(abs(expected), before.Volume if before else 0.0):
        return f"PartDesign made volume {shape.Volume:.9g} where the boolean gives {expected:.9g}"
    return ""


def _require_valid(obj, what: str) -> None:
    if not obj.isValid():
        raise NotNative(f"FreeCAD could not build {what}: {obj.getStatusString()}")
    shape = obj.Shape
    if shape.isNull() or not shape.isValid() or not shape.Solids:
        raise NotNative(f"FreeCAD could not build {what}: no valid solid")
