import cadquery as cq

flange_diameter = 80.0
flange_thickness = 10.0
hub_diameter = 40.0
hub_height = 20.0
bore_diameter = 20.0
bolt_circle = 62.0
bolt_diameter = 8.0
bolts = 6

solid = (
    cq.Workplane("XY")
    .circle(flange_diameter / 2)
    .extrude(flange_thickness)
    .faces(">Z")
    .workplane()
    .circle(hub_diameter / 2)
    .extrude(hub_height)
    .faces(">Z")
    .workplane()
    .hole(bore_diameter)
    .faces("<Z")
    .workplane()
    .polarArray(bolt_circle / 2, 0, 360, bolts)
    .hole(bolt_diameter, flange_thickness)
)
