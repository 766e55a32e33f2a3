import cadquery as cq

length = 60.0
height = 45.0
width = 30.0
thickness = 5.0
hole_diameter = 6.5
bend_radius = 4.0

profile = (
    cq.Workplane("XZ")
    .polyline(
        [(0, 0), (length, 0), (length, thickness), (thickness, thickness), (thickness, height), (0, height)]
    )
    .close()
    .extrude(-width)
)
solid = (
    profile.edges("|Y")
    .edges(cq.selectors.NearestToPointSelector((thickness, width / 2, thickness)))
    .fillet(bend_radius)
)
solid = (
    solid.faces("<Z")
    .workplane(centerOption="CenterOfBoundBox")
    .center(length / 2 - 15, 0)
    .hole(hole_diameter)
)
solid = (
    solid.faces("<X")
    .workplane(centerOption="CenterOfBoundBox")
    .center(0, height / 2 - 15)
    .hole(hole_diameter)
)
