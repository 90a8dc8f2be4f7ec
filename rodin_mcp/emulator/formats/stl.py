"""Binary STL writer: triangles with facet normals, no material."""

from __future__ import annotations

import struct

import numpy as np

from rodin_mcp.model.mesh import Mesh

__all__ = ["write_stl"]

# A binary STL header must not start with "solid", or readers take the file for ASCII STL.
_HEADER = b"rodin-mcp emulator binary STL, metres, Y up".ljust(80, b" ")

_FACET = np.dtype(
    [("normal", "<f4", (3,)), ("vertices", "<f4", (3, 3)), ("attribute", "<u2")], align=False
)


def write_stl(mesh: Mesh) -> bytes:
    """Serialise every face (quads split) as binary STL facets.

    Args:
        mesh: The mesh; only positions and faces are used.

    Returns:
        The STL bytes: 80-byte header, facet count, 50 bytes per facet.
    """
    triangles = mesh.triangulated().astype(np.int64)
    corners = mesh.positions.astype(np.float64)[triangles]
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    normals = np.where(length > 0, normals / np.where(length > 0, length, 1.0), 0.0)
    facets = np.zeros(len(triangles), dtype=_FACET)
    facets["normal"] = normals.astype(np.float32)
    facets["vertices"] = corners.astype(np.float32)
    return _HEADER + struct.pack("<I", len(triangles)) + facets.tobytes()
