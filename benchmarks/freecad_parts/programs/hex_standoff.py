import cadquery as cq

across_flats = 10.0
length = 25.0
bore_diameter = 5.0

solid = (
    cq.Workplane("XY")
    .polygon(6, across_flats / 0.8660254)
    .extrude(length)
    .faces(">Z")
    .workplane()
    .hole(bore_diameter)
)
