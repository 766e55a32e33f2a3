import cadquery as cq

length = 100.0
width = 70.0
thickness = 4.0
corner_radius = 6.0
lip_height = 5.0
lip_wall = 2.0
lip_clearance = 0.5
screw_diameter = 3.5
screw_inset = 6.0

plate = cq.Workplane("XY").rect(length, width).extrude(thickness).edges("|Z").fillet(corner_radius)
lip_l = length - 2 * (screw_inset + 4)
lip_w = width - 2 * (screw_inset + 4)
lip = (
    cq.Workplane("XY")
    .rect(lip_l, lip_w)
    .rect(lip_l - 2 * lip_wall, lip_w - 2 * lip_wall)
    .extrude(-lip_height)
)
solid = (
    plate.union(lip)
    .faces(">Z")
    .workplane()
    .rect(length - 2 * screw_inset, width - 2 * screw_inset, forConstruction=True)
    .vertices()
    .hole(screw_diameter)
)
