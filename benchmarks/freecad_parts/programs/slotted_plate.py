import cadquery as cq

length = 90.0
width = 50.0
thickness = 6.0
slot_length = 25.0
slot_width = 6.5
cbore_diameter = 11.0
cbore_depth = 3.0
hole_diameter = 6.5

solid = (
    cq.Workplane("XY")
    .box(length, width, thickness)
    .faces(">Z")
    .workplane()
    .pushPoints([(-25, 0), (25, 0)])
    .slot2D(slot_length, slot_width, 90)
    .cutThruAll()
    .faces(">Z")
    .workplane()
    .pushPoints([(0, 15), (0, -15)])
    .cboreHole(hole_diameter, cbore_diameter, cbore_depth)
)
