import cadquery as cq

outer_diameter = 1.18
thickness = 0.0892
hub_diameter = 0.49
hub_height = 0.5
bore_diameter = 0.2
bolt_circle_diameter = 0.9
bolt_diameter = 0.109
bolt_count = 6

solid = (
    cq.Workplane("XY")
    .circle(outer_diameter / 2)
    .extrude(thickness)
    .faces(">Z")
    .workplane()
    .circle(hub_diameter / 2)
    .extrude(hub_height)
    .faces(">Z")
    .workplane()
    .hole(bore_diameter)
    .faces(">Z")
    .workplane()
    .polarArray(bolt_circle_diameter / 2, 0, 360, bolt_count)
    .hole(bolt_diameter)
)
