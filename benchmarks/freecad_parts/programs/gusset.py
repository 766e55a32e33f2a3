import cadquery as cq

leg_a = 50.0
leg_b = 50.0
thickness = 6.0
hole_diameter = 5.0

solid = (
    cq.Workplane("XY")
    .polyline([(0, 0), (leg_a, 0), (0, leg_b)])
    .close()
    .extrude(thickness)
    .faces(">Z")
    .workplane()
    .pushPoints([(leg_a / 4, leg_b / 4)])
    .hole(hole_diameter)
)
