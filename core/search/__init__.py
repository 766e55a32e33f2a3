"""Structure search: edits of a candidate's features, not only of its numbers (issue 12).

A grounded candidate is a tuple of prisms (``core.grounding.sketch.Prism``); ``proposals`` edits
it (a hole through another face, a further extrusion where the silhouette is unexplained, a
dropped or absorbed feature, union/cut, the body's axis, an edge moved, a hole resized),
``loop`` runs the edited programs in the sandbox and keeps what matches the picture better, within
a ``budget`` of sandbox runs and seconds.
"""

from core.search.budget import Budget
from core.search.loop import Found, search
from core.search.scene import Scene, scene_of

__all__ = ["Budget", "Found", "Scene", "scene_of", "search"]
