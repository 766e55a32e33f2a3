import cadquery as cq

length = 120.0
width = 80.0
height = 15.0
wall = 4.0
floor = 3.0
corner_radius = 8.0

solid = (
    cq.Workplane("XY")
    .rect(length, width)
    .extrude(height)
    .edges("|Z")
    .fillet(corner_radius)
    .faces(">Z")
    .shell(-wall)
)
