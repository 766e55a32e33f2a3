import cadquery as cq

d1 = 30.0
l1 = 20.0
d2 = 22.0
l2 = 35.0
d3 = 15.0
l3 = 25.0
chamfer = 1.0

solid = (
    cq.Workplane("XY")
    .circle(d1 / 2)
    .extrude(l1)
    .faces(">Z")
    .workplane()
    .circle(d2 / 2)
    .extrude(l2)
    .faces(">Z")
    .workplane()
    .circle(d3 / 2)
    .extrude(l3)
    .faces(">Z")
    .chamfer(chamfer)
)
