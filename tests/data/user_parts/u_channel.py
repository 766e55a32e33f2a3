import cadquery as cq

length = 50.0
width = 30.0
height = 20.0
thickness = 3.0
hole_diameter = 4.5

outer = cq.Workplane("XY").box(length, width, height)
inner = cq.Workplane("XY").box(length, width - 2 * thickness, height).translate((0, 0, thickness))
solid = outer.cut(inner)
solid = solid.faces("<Z").workplane().pushPoints([(-length / 4, 0), (length / 4, 0)]).hole(hole_diameter)
