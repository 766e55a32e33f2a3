import cadquery as cq

diameter_0 = 0.19
length_0 = 0.261
diameter_1 = 0.22
length_1 = 0.4
diameter_2 = 0.2
length_2 = 0.5
diameter_3 = 0.897
length_3 = 0.824

solid = (
    cq.Workplane("XY")
    .circle(diameter_0 / 2)
    .extrude(length_0)
    .faces(">Z")
    .workplane()
    .circle(diameter_1 / 2)
    .extrude(length_1)
    .faces(">Z")
    .workplane()
    .circle(diameter_2 / 2)
    .extrude(length_2)
    .faces(">Z")
    .workplane()
    .circle(diameter_3 / 2)
    .extrude(length_3)
)
