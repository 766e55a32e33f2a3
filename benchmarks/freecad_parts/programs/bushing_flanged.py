import cadquery as cq

flange_diameter = 28.0
flange_thickness = 3.0
sleeve_diameter = 18.0
sleeve_length = 16.0
bore_diameter = 12.0

solid = (
    cq.Workplane("XY")
    .circle(flange_diameter / 2)
    .extrude(flange_thickness)
    .faces(">Z")
    .workplane()
    .circle(sleeve_diameter / 2)
    .extrude(sleeve_length)
    .faces(">Z")
    .workplane()
    .hole(bore_diameter)
)
