"""Whether a triangle soup closes into a watertight surface, told cheaply with numpy."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["MAX_TOPOLOGY_TRIANGLES", "is_watertight"]

MAX_TOPOLOGY_TRIANGLES = 4_000_000
"""Above this many triangles the check is skipped (it sorts every edge)."""


def is_watertight(positions: NDArray[np.floating], triangles: NDArray[np.integer]) -> bool | None:
    """True when, with vertices welded at equal positions, every edge borders exactly two
    triangles; ``None`` when the mesh is empty or too large to check.

    Vertices are split at UV seams in Rodin's files, so welding by exact position is what makes
    a closed surface look closed.
    """
    import numpy as np

    count = len(triangles)
    if count == 0 or count > MAX_TOPOLOGY_TRIANGLES:
        return None
    _, welded = np.unique(np.ascontiguousarray(positions), axis=0, return_inverse=True)
    corners = welded.reshape(-1)[np.asarray(triangles, dtype=np.int64)]
    faces = corners[(corners[:, 0] != corners[:, 1]) & (corners[:, 1] != corners[:, 2])]
    faces = faces[faces[:, 0] != faces[:, 2]]
    if len(faces) == 0:
        return None
    edges = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    edges.sort(axis=1)
    keys = edges[:, 0] * (int(welded.max()) + 1) + edges[:, 1]
    _, uses = np.unique(keys, return_counts=True)
    return bool(np.all(uses == 2))
