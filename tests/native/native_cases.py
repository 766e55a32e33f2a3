"""Hand-written CadQuery programs for the native translation: each idiom the IR models, with the
parameter names its sketches should carry. Shared by the IR tests and the FreeCAD tests."""

from __future__ import annotations

from pathlib import Path

HEADER = "import cadquery as cq\n"

CASES: dict[str, str] = {
    "box": HEADER + "solid = cq.Workplane('XY').box(10, 20, 5)\n",
    "plate_with_holes": HEADER
    + "width = 40.0\n"
    + "depth = 30.0\n"
    + "hole_radius = 3.0\n"
    + "wp = cq.Workplane('XY')\n"
    + "outline = wp.moveTo(0, 0).lineTo(width, 0).lineTo(width, depth).lineTo(0, depth).close()\n"
    + "hole_a = wp.moveTo(10, 15).circle(hole_radius)\n"
    + "hole_b = wp.moveTo(30, 15).circle(hole_radius)\n"
    + "solid = wp.add(outline).add(hole_a).add(hole_b).extrude(5)\n",
    "drilled_block": HEADER
    + "solid = (cq.Workplane('XY').box(80, 60, 10).faces('>Z').workplane()"
    + ".rect(60, 40, forConstruction=True).vertices().hole(8))\n",
    "cut": HEADER
    + "base = cq.Workplane('XY').rect(30, 20).extrude(10)\n"
    + "pocket = cq.Workplane('XY').workplane(offset=4).moveTo(5, 0).circle(6).extrude(10)\n"
    + "solid = base.cut(pocket)\n",
    "intersect": HEADER
    + "cube = cq.Workplane('XY').box(20, 20, 20)\n"
    + "post = cq.Workplane('XZ').cylinder(40, 12)\n"
    + "solid = cube.intersect(post)\n",
    "slot_arcs": HEADER
    + "wp = cq.Workplane('YZ')\n"
    + "slot = wp.moveTo(0, 0).lineTo(20, 0).threePointArc((25, 5), (20, 10)).lineTo(0, 10)"
    + ".threePointArc((-5, 5), (0, 0)).close()\n"
    + "solid = wp.add(slot).extrude(-4)\n",
    "tilted_plane": HEADER
    + "plane = cq.Plane(cq.Vector(1.0, 2.0, 3.0), cq.Vector(1.0, -1.0, 0.0), cq.Vector(1.0, 1.0, 1.0))\n"
    + "wp = cq.Workplane(plane)\n"
    + "tri = wp.moveTo(0, 0).lineTo(8, 0).lineTo(4, 6).close()\n"
    + "solid = wp.add(tri).extrude(2.5, both=True)\n",
    "hex_on_cylinder": HEADER
    + "solid = cq.Workplane('XY').cylinder(10, 5).faces('>Z').workplane().polygon(6, 6).extrude(3)\n",
    "disjoint_union": HEADER
    + "left = cq.Workplane('XY').box(5, 5, 5)\n"
    + "right = cq.Workplane('XY').center(20, 0).box(5, 5, 5)\n"
    + "solid = left.union(right)\n",
    "through_hole_side": HEADER
    + "solid = cq.Workplane('XY').box(30, 30, 10).faces('<Y').workplane().moveTo(0, 0).hole(4)\n",
}

# Parameter names that must reach the sketches' dimensional constraints.
NAMED_DIMENSIONS: dict[str, set[str]] = {
    "plate_with_holes": {"width", "depth", "hole_radius"},
    "drilled_block": {"hole_diameter"},
    "slot_arcs": {"lineTo_x"},
}


def engine_programs(per_family: int = 1) -> dict[str, str]:
    """Programs of every data-engine family in both styles (what the embedded model learned to
    write), by name ``family/style/index``."""
    from training.synth.idioms import IDIOMS
    from training.synth.sampler import GENERIC, SamplerConfig, sample_candidate

    out = {}
    for family in (GENERIC, *IDIOMS):
        for style in ("concise", "verbose"):
            config = SamplerConfig(style=style, family_weights={family: 1.0})
            for index in range(per_family):
                out[f"{family}/{style}/{index}"] = sample_candidate(7, index, config).code
    return out


# Parameters of the concise idioms that must name sketch dimensions (seed 7, candidate 0).
ENGINE_NAMES: dict[str, set[str]] = {
    "cylinder/concise/0": {"diameter"},
    "washer/concise/0": {"outer_diameter", "inner_diameter"},
    "l_bracket/concise/0": {"length", "height", "thickness", "hole_diameter"},
    "u_bracket/concise/0": {"span", "height", "thickness"},
    "flange/concise/0": {"outer_diameter", "hub_diameter", "bore_diameter", "bolt_diameter"},
    "hole_plate/concise/0": {"hole_diameter"},
    "slotted_plate/concise/0": {"slot_width"},
}


MODEL_OUTPUTS = Path(__file__).resolve().parent / "model_outputs"


def model_programs() -> dict[str, str]:
    """What the embedded model (cadcoder-mini) wrote, verbatim: ``cadcoder image2cad PNG --code``
    for resources/examples/flanged_bracket.png and for renders of data-engine parts (seed 11,
    candidate 0 of hole_plate, flange, u_bracket, stepped_shaft, slotted_plate, washer)."""
    return {f"model:{p.stem}": p.read_text(encoding="utf-8") for p in sorted(MODEL_OUTPUTS.glob("*.py"))}
