import cadquery as cq

knob_diameter = 30.0
knob_height = 15.0
scallop_diameter = 8.0
scallops = 6
shaft_diameter = 6.0
shaft_depth = 10.0

body = cq.Workplane("XY").circle(knob_diameter / 2).extrude(knob_height)
cutters = (
    cq.Workplane("XY")
    .polarArray(knob_diameter / 2 + scallop_diameter / 4, 0, 360, scallops)
    .circle(scallop_diameter / 2)
    .extrude(knob_height)
)
solid = body.cut(cutters).faces("<Z").workplane().hole(shaft_diameter, shaft_depth)
