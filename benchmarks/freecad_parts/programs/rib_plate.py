import cadquery as cq

length = 80.0
width = 50.0
thickness = 4.0
rib_height = 10.0
rib_thickness = 3.0
ribs = 3

plate = cq.Workplane("XY").box(length, width, thickness, centered=(True, True, False))
pitch = width / (ribs + 1)
rib_points = [(0, -width / 2 + pitch * (i + 1)) for i in range(ribs)]
ribs_solid = (
    cq.Workplane("XY")
    .workplane(offset=thickness)
    .pushPoints(rib_points)
    .rect(length, rib_thickness)
    .extrude(rib_height)
)
solid = plate.union(ribs_solid)
