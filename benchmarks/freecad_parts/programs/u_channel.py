import cadquery as cq

channel_width = 40.0
channel_height = 30.0
wall = 4.0
length = 100.0

solid = (
    cq.Workplane("XZ")
    .polyline(
        [
            (0, 0),
            (channel_width, 0),
            (channel_width, channel_height),
            (channel_width - wall, channel_height),
            (channel_width - wall, wall),
            (wall, wall),
            (wall, channel_height),
            (0, channel_height),
        ]
    )
    .close()
    .extrude(length)
)
