"""Where a model sits and how big it is: up axis, scale to a size, origin.

Meshes here are +Y up, as everywhere in the model room. Turning +Y up into +Z up is a rotation
of +90 degrees about X, ``(x, y, z) -> (x, -z, y)`` (what Blender's glTF importer does); it
keeps the winding, so normals and faces need no flipping.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.model.mesh import Mesh

__all__ = ["extent_along", "placed", "scaled", "y_up_to_z_up", "z_up_to_y_up"]


def _rotated(mesh: Mesh, rows: NDArray[np.float64]) -> Mesh:
    positions = (mesh.positions.astype(np.float64) @ rows.T).astype(np.float32)
    normals = (mesh.normals.astype(np.float64) @ rows.T).astype(np.float32)
    return dataclasses.replace(mesh, positions=positions, normals=normals)


def y_up_to_z_up(mesh: Mesh) -> Mesh:
    """The mesh rotated so that what pointed +Y points +Z."""
    return _rotated(mesh, np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]]))


def z_up_to_y_up(mesh: Mesh) -> Mesh:
    """The mesh rotated so that what pointed +Z points +Y."""
    return _rotated(mesh, np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]]))


def extent_along(mesh: Mesh, along: str) -> float:
    """The +Y up mesh's height, or its longest side."""
    low, high = mesh.bounds()
    size = (high - low).astype(np.float64)
    return float(size[1] if along == "height" else size.max())


def scaled(mesh: Mesh, factor: float) -> Mesh:
    """The mesh scaled uniformly about the origin (normals unchanged)."""
    positions = (mesh.positions.astype(np.float64) * factor).astype(np.float32)
    return dataclasses.replace(mesh, positions=positions)


def placed(mesh: Mesh, origin: str | None) -> Mesh:
    """The +Y up mesh moved so the origin is at its ``bottom`` centre (standing on the ground
    plane y = 0) or at its bounding box's ``center``; ``None`` leaves it where it is."""
    if origin is None:
        return mesh
    low, high = (v.astype(np.float64) for v in mesh.bounds())
    anchor = (low + high) / 2.0
    if origin == "bottom":
        anchor[1] = low[1]
    positions = (mesh.positions.astype(np.float64) - anchor).astype(np.float32)
    return dataclasses.replace(mesh, positions=positions)
