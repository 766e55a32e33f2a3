import cadquery as cq

base_length = 80.0
base_width = 30.0
base_height = 10.0
block_width = 40.0
axis_height = 30.0
bore_diameter = 22.0
bolt_diameter = 9.0
bolt_spacing = 60.0

base = cq.Workplane("XY").box(base_length, base_width, base_height, centered=(True, True, False))
housing = (
    cq.Workplane("XZ")
    .center(0, axis_height)
    .circle(block_width / 2)
    .extrude(base_width / 2, both=True)
    .union(cq.Workplane("XY").box(block_width, base_width, axis_height, centered=(True, True, False)))
)
solid = base.union(housing)
solid = solid.cut(
    cq.Workplane("XZ").center(0, axis_height).circle(bore_diameter / 2).extrude(base_width, both=True)
)
solid = (
    solid.faces("<Z")
    .workplane()
    .pushPoints([(-bolt_spacing / 2, 0), (bolt_spacing / 2, 0)])
    .hole(bolt_diameter)
)
