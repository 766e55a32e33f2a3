import cadquery as cq

length = 1.3
width = 0.9
thickness = 0.132
hole_diameter = 0.244
nx = 3
ny = 2
pitch_x = 0.2
pitch_y = 0.218

solid = (
    cq.Workplane("XY")
    .box(length, width, thickness)
    .faces(">Z")
    .workplane()
    .rarray(pitch_x, pitch_y, nx, ny)
    .hole(hole_diameter)
)
