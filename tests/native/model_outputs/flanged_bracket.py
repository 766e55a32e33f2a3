import cadquery as cq

length = 0.695
height = 0.412
width = 0.49
thickness = 0.0607
hole_diameter = 0.0223

solid = (
    cq.Workplane("XZ")
    .polyline(
        [(0, 0), (length, 0), (length, thickness), (thickness, thickness), (thickness, height), (0, height)]
    )
    .close()
    .extrude(-width)
)
hole = (
    cq.Workplane("XY")
    .moveTo((length + thickness) / 2, width / 2)
    .circle(hole_diameter / 2)
    .extrude(thickness)
)
solid = solid.cut(hole)
