import cadquery as cq

length = 80.0
width = 50.0
thickness = 5.0
hole_diameter = 5.5
bore_diameter = 20.0
inset = 8.0

solid = cq.Workplane("XY").box(length, width, thickness)
solid = solid.edges("|Z").fillet(4.0)
solid = (
    solid.faces(">Z")
    .workplane()
    .rect(length - 2 * inset, width - 2 * inset, forConstruction=True)
    .vertices()
    .hole(hole_diameter)
)
solid = solid.faces(">Z").workplane().hole(bore_diameter)
