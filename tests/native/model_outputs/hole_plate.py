import cadquery as cq

length = 1.28
width = 1.1
thickness = 0.132
hole_diameter = 0.00302
nx = 3
ny = 2
pitch_x = 0.495
pitch_y = 0.36

solid = (
    cq.Workplane("XY")
    .box(length, width, thickness)
    .faces(">Z")
    .workplane()
    .rarray(pitch_x, pitch_y, nx, ny)
    .hole(hole_diameter)
)
