import cadquery as cq

leaf_length = 50.0
leaf_width = 30.0
leaf_thickness = 3.0
knuckle_diameter = 8.0
pin_diameter = 3.0
screw_diameter = 4.0
screw_spacing = 30.0

leaf = cq.Workplane("XY").box(leaf_length, leaf_width, leaf_thickness, centered=(True, False, False))
knuckle = (
    cq.Workplane("YZ")
    .center(0, knuckle_diameter / 2)
    .circle(knuckle_diameter / 2)
    .circle(pin_diameter / 2)
    .extrude(leaf_length / 2, both=True)
)
solid = (
    leaf.union(knuckle)
    .faces("<Z")
    .workplane(centerOption="CenterOfBoundBox")
    .pushPoints([(-screw_spacing / 2, 0), (screw_spacing / 2, 0)])
    .hole(screw_diameter)
)
