import cadquery as cq

plate_length = 100.0
plate_width = 60.0
plate_thickness = 8.0
boss_diameter = 14.0
boss_height = 10.0
hole_diameter = 6.0
inset = 14.0

plate = cq.Workplane("XY").box(plate_length, plate_width, plate_thickness, centered=(True, True, False))
points = [
    (sx * (plate_length / 2 - inset), sy * (plate_width / 2 - inset)) for sx in (-1, 1) for sy in (-1, 1)
]
bosses = (
    cq.Workplane("XY")
    .workplane(offset=plate_thickness)
    .pushPoints(points)
    .circle(boss_diameter / 2)
    .extrude(boss_height)
)
solid = plate.union(bosses).faces(">Z").workplane().pushPoints(points).hole(hole_diameter)
