import cadquery as cq

pipe_diameter = 25.0
wall = 4.0
width = 15.0
ear_length = 14.0
ear_thickness = 4.0
screw_diameter = 5.0

ring = (
    cq.Workplane("XZ")
    .circle(pipe_diameter / 2 + wall)
    .circle(pipe_diameter / 2)
    .extrude(width / 2, both=True)
)
ears = (
    cq.Workplane("XY")
    .box(pipe_diameter + 2 * wall + 2 * ear_length, width, ear_thickness)
    .cut(cq.Workplane("XZ").circle(pipe_diameter / 2).extrude(width, both=True))
)
solid = (
    ring.union(ears)
    .faces(">Z")
    .workplane(centerOption="CenterOfBoundBox")
    .pushPoints(
        [(-(pipe_diameter / 2 + wall + ear_length / 2), 0), (pipe_diameter / 2 + wall + ear_length / 2, 0)]
    )
    .hole(screw_diameter)
)
