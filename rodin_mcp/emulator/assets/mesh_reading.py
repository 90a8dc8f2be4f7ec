"""Uploaded model bytes -> a triangle :class:`Mesh` (GLB, OBJ and STL; FBX and USDZ are not read).

GLB goes through :func:`rodin_mcp.model.read_glb` (the default scene, node transforms applied).
OBJ keeps its ``v`` positions and ``f`` faces (fan-triangulated, negative indices allowed); STL
(binary or ASCII) its facets. Their normals are recomputed and their UVs dropped: re-texturing
gives every vertex new UVs anyway.
"""

from __future__ import annotations

import itertools
import re
import struct

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.model.glb_reader import GLBReadError, read_glb
from rodin_mcp.model.mesh import Mesh, vertex_normals

__all__ = ["READABLE_FORMATS", "UnreadableModel", "read_mesh"]

READABLE_FORMATS = ("glb", "obj", "stl")
_ASCII_VERTEX = re.compile(rb"^\s*vertex\s+(\S+)\s+(\S+)\s+(\S+)", re.M)


class UnreadableModel(ValueError):
    """The upload is not a mesh the emulator can read (or has no faces)."""


def read_mesh(data: bytes, fmt: str) -> Mesh:
    """The upload's triangles, positions and normals (UVs are zeros for OBJ and STL).

    Raises:
        UnreadableModel: ``fmt`` is not readable, the data is malformed, or it has no faces.
    """
    try:
        if fmt == "glb":
            mesh = read_glb(data)
        elif fmt == "obj":
            mesh = _from_triangles(*_obj(data))
        elif fmt == "stl":
            mesh = _from_triangles(*_stl(data))
        else:
            raise UnreadableModel(f"the emulator does not read {fmt} models")
    except (GLBReadError, ValueError, IndexError, struct.error) as exc:
        if isinstance(exc, UnreadableModel):
            raise
        raise UnreadableModel(f"the {fmt} model is malformed") from exc
    if mesh.triangle_count == 0:
        raise UnreadableModel("the model has no faces")
    return mesh


def _from_triangles(positions: NDArray[np.float64], triangles: NDArray[np.int64]) -> Mesh:
    if len(triangles) == 0 or not np.all(np.isfinite(positions)):
        raise UnreadableModel("the model has no faces")
    if triangles.min() < 0 or triangles.max() >= len(positions):
        raise UnreadableModel("a face refers to a vertex that does not exist")
    return Mesh(
        positions=positions.astype(np.float32),
        normals=vertex_normals(positions, triangles),
        uvs=np.zeros((len(positions), 2), dtype=np.float32),
        triangles=triangles.astype(np.uint32),
        name="model",
    )


def _obj(data: bytes) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    positions: list[tuple[float, float, float]] = []
    triangles: list[tuple[int, int, int]] = []
    for raw in data.decode("utf-8", errors="replace").splitlines():
        words = raw.split()
        if not words:
            continue
        if words[0] == "v":
            positions.append((float(words[1]), float(words[2]), float(words[3])))
        elif words[0] == "f":
            corners = [_obj_index(word, len(positions)) for word in words[1:]]
            triangles.extend((corners[0], a, b) for a, b in itertools.pairwise(corners[1:]))
    return np.array(positions, dtype=np.float64).reshape(-1, 3), np.array(
        triangles, dtype=np.int64
    ).reshape(-1, 3)


def _obj_index(word: str, count: int) -> int:
    index = int(word.split("/")[0])
    return index - 1 if index > 0 else count + index


def _stl(data: bytes) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    count = int.from_bytes(data[80:84], "little") if len(data) >= 84 else -1
    if count > 0 and len(data) == 84 + 50 * count:
        records = np.frombuffer(data[84:], dtype=np.dtype([("f", "<f4", (12,)), ("a", "<u2")]))
        corners = records["f"][:, 3:12].reshape(-1, 3).astype(np.float64)
    else:
        found = _ASCII_VERTEX.findall(data)
        corners = np.array([[float(x), float(y), float(z)] for x, y, z in found], dtype=np.float64)
        corners = corners.reshape(-1, 3)[: len(corners) // 3 * 3]
    return corners, np.arange(len(corners), dtype=np.int64).reshape(-1, 3)
