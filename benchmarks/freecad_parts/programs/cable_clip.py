import cadquery as cq

cable_diameter = 10.0
wall = 2.0
width = 12.0
tab_length = 14.0
screw_diameter = 4.5

ring = (
    cq.Workplane("XZ")
    .center(0, cable_diameter / 2 + wall)
    .circle(cable_diameter / 2 + wall)
    .circle(cable_diameter / 2)
    .extrude(width / 2, both=True)
)
tab = (
    cq.Workplane("XY")
    .center(cable_diameter / 2 + tab_length / 2, 0)
    .box(tab_length + cable_diameter / 2, width, wall, centered=(True, True, False))
)
solid = (
    ring.union(tab)
    .faces("<Z")
    .workplane(centerOption="CenterOfBoundBox")
    .center(tab_length / 2, 0)
    .hole(screw_diameter)
)
