import cadquery as cq

length = 60.0
width = 40.0
thickness = 6.0
height = 35.0
hole_diameter = 6.5
corner_radius = 5.0

base = cq.Workplane("XY").box(length, width, thickness).translate((0, 0, thickness / 2))
base = base.edges("|Z and >X").fillet(corner_radius)
base = base.faces(">Z").workplane().pushPoints([(length / 6, -width / 4), (length / 6, width / 4)])
base = base.hole(hole_diameter)
upright = (
    cq.Workplane("XY").box(thickness, width, height).translate((-length / 2 + thickness / 2, 0, height / 2))
)
solid = base.union(upright)
