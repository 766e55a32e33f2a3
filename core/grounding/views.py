"""How a sketch plane normal to a world axis lands in the benchmark's picture.

The benchmark camera is orthographic, so a face normal to a world axis maps onto the image by a
2 x 2 linear map plus a shift, and moving along the axis shifts the image by a fixed vector. These
maps are known up to one scale (pixels per unit, set by the framing), which the reconstruction
never needs: IOU_best normalises size, so everything is kept in pixel-sized units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.render.camera import Camera, view_basis

AXES = ("x", "y", "z")
_UNIT = {"x": np.array([1.0, 0.0, 0.0]), "y": np.array([0.0, 1.0, 0.0]), "z": np.array([0.0, 0.0, 1.0])}


@dataclass(frozen=True)
class AxisView:
    """The visible end face of a prism along ``axis``: its outward normal ``normal`` points towards
    the eye; (``x_dir``, ``y_dir``, ``normal``) is right-handed, as ``cq.Plane(xDir, normal)`` wants.
    ``plane_to_image`` maps plane (u, v) to image pixels (x right, y down) at one pixel per unit;
    ``depth_shift`` is the image shift of one unit *away* from the eye along the axis."""

    axis: str
    x_dir: np.ndarray
    y_dir: np.ndarray
    normal: np.ndarray
    plane_to_image: np.ndarray  # 2 x 2
    depth_shift: np.ndarray  # 2

    @property
    def image_to_plane(self) -> np.ndarray:
        return np.linalg.inv(self.plane_to_image)


def _image_of(direction: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Pixel displacement (x right, y down) of a unit world displacement."""
    return np.array([basis[0] @ direction, -(basis[1] @ direction)])


def axis_view(axis: str, camera: Camera | None = None) -> AxisView:
    basis = view_basis(camera or Camera())
    eye = basis[2]
    a = _UNIT[axis]
    normal = a if eye @ a >= 0 else -a
    # In-plane axes: the two other world axes, ordered so that x_dir x y_dir = normal.
    others = [_UNIT[o] for o in AXES if o != axis]
    x_dir, y_dir = others
    if np.cross(x_dir, y_dir) @ normal < 0:
        y_dir = -y_dir
    matrix = np.column_stack([_image_of(x_dir, basis), _image_of(y_dir, basis)])
    return AxisView(axis, x_dir, y_dir, normal, matrix, _image_of(-normal, basis))


def all_views(camera: Camera | None = None) -> list[AxisView]:
    return [axis_view(a, camera) for a in AXES]
