import cadquery as cq

length = 40.0
height = 40.0
width = 35.0
thickness = 4.0
gusset_thickness = 4.0
hole_diameter = 5.5

angle = (
    cq.Workplane("XZ")
    .polyline(
        [(0, 0), (length, 0), (length, thickness), (thickness, thickness), (thickness, height), (0, height)]
    )
    .close()
    .extrude(-width)
)
gusset = (
    cq.Workplane("XZ")
    .polyline([(thickness, thickness), (length * 0.8, thickness), (thickness, height * 0.8)])
    .close()
    .extrude(gusset_thickness / 2, both=True)
    .translate((0, width / 2, 0))
)
solid = angle.union(gusset)
solid = (
    solid.faces("<Z")
    .workplane(centerOption="CenterOfBoundBox")
    .pushPoints([(8, -10), (8, 10)])
    .hole(hole_diameter)
)
