"""Mesh decimation by vertex clustering on a grid, seams kept.

Every vertex falls in a cubic grid cell; the vertices of one cell merge into one position (their
mean), and triangles with two corners in the same cell vanish. The cell size grows until the
triangle count fits the cap. This is fast (a few numpy passes per try) and keeps the silhouette
and the bounds to within about one cell; it does not keep sharp creases, which a viewer copy can
do without.

Texture seams: a mesh's vertices are split where UVs jump (the same position with coordinates in
two islands of the atlas). Averaging their UVs would smear texels from one island across the
other, so within a cell vertices are grouped again by a coarse UV bucket (1/64 of the texture on
each side): vertices of different islands keep their own UV (the mean of their group) while all
groups of a cell share the cell's position, so the surface has no cracks. A bucket boundary
running through one island only adds a vertex there. Normals are the unit mean of each group's.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.model.mesh import Mesh, unit_or_up

__all__ = ["cluster_decimate"]

_UV_BUCKETS = 64
_UV_LIMIT = float(1 << 14)
_MAX_TRIES = 12
_GROWTH_MARGIN = 1.03


def _surface_area(positions: NDArray[np.float64], triangles: NDArray[np.int64]) -> float:
    a = positions[triangles[:, 0]]
    u, v = positions[triangles[:, 1]] - a, positions[triangles[:, 2]] - a
    # The cross product by columns (np.cross is several times slower on long arrays).
    cx = u[:, 1] * v[:, 2] - u[:, 2] * v[:, 1]
    cy = u[:, 2] * v[:, 0] - u[:, 0] * v[:, 2]
    cz = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
    return float(np.sqrt(cx * cx + cy * cy + cz * cz).sum() / 2.0)


def _group_means(
    groups: NDArray[np.int64], count: int, values: NDArray[np.floating]
) -> NDArray[np.float64]:
    sizes = np.bincount(groups, minlength=count).astype(np.float64)
    columns = [np.bincount(groups, values[:, c], minlength=count) for c in range(values.shape[1])]
    return np.stack(columns, axis=1) / np.maximum(sizes, 1.0)[:, None]


def _cells(
    positions: NDArray[np.float64], low: NDArray[np.float64], cell: float
) -> NDArray[np.int64]:
    """A cell number per vertex (numbers are dense: 0 to the count of occupied cells - 1)."""
    ijk = np.floor((positions - low) / cell).astype(np.int64)
    span = ijk.max(axis=0) + 1
    flat = (ijk[:, 0] * span[1] + ijk[:, 1]) * span[2] + ijk[:, 2]
    return np.unique(flat, return_inverse=True)[1].reshape(-1)


def _spanning(cells: NDArray[np.int64], triangles: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Which triangles have their three corners in three different cells."""
    a, b, c = cells[triangles[:, 0]], cells[triangles[:, 1]], cells[triangles[:, 2]]
    return (a != b) & (b != c) & (c != a)


def _collapse(mesh: Mesh, triangles: NDArray[np.int64], cells: NDArray[np.int64]) -> Mesh:
    """The mesh with each cell's vertices merged (per UV bucket), degenerate triangles dropped."""
    positions = mesh.positions.astype(np.float64)
    triangles = triangles[_spanning(cells, triangles)]
    if len(triangles) == 0:
        nothing = np.zeros((0, 3), dtype=np.float32)
        uvs = np.zeros((0, 2), np.float32)
        return Mesh(nothing, nothing.copy(), uvs, material=mesh.material, name=mesh.name)
    referenced = np.zeros(mesh.vertex_count, dtype=np.bool_)
    referenced[triangles.reshape(-1)] = True
    used = np.nonzero(referenced)[0]
    # Clipped so that far-repeated UVs cannot overflow the group key.
    scaled = np.clip(mesh.uvs[used].astype(np.float64) * _UV_BUCKETS, -_UV_LIMIT, _UV_LIMIT)
    buckets = np.floor(scaled).astype(np.int64)
    buckets -= buckets.min(axis=0)
    width = int(buckets[:, 1].max()) + 1
    key = (cells[used] * (int(buckets[:, 0].max()) + 1) + buckets[:, 0]) * width + buckets[:, 1]
    group_keys, group_of_used = np.unique(key, return_inverse=True)
    group_of_used = group_of_used.reshape(-1)
    group_count = len(group_keys)
    cell_count = int(cells.max()) + 1
    cell_position = _group_means(cells[used], cell_count, positions[used])
    group_cell = np.zeros(group_count, dtype=np.int64)
    group_cell[group_of_used] = cells[used]
    group_of = np.full(mesh.vertex_count, -1, dtype=np.int64)
    group_of[used] = group_of_used
    faces = _without_duplicates(group_of[triangles])
    return Mesh(
        positions=cell_position[group_cell].astype(np.float32),
        normals=unit_or_up(_group_means(group_of_used, group_count, mesh.normals[used])),
        uvs=_group_means(group_of_used, group_count, mesh.uvs[used]).astype(np.float32),
        triangles=faces.astype(np.uint32),
        material=mesh.material,
        name=mesh.name,
    )


def _without_duplicates(faces: NDArray[np.int64]) -> NDArray[np.int64]:
    """Faces with repeats of the same vertex cycle removed (first kept, order kept)."""
    if len(faces) == 0:
        return faces
    turn = np.argmin(faces, axis=1)
    rows = np.arange(len(faces))[:, None]
    rotated = faces[rows, (turn[:, None] + np.arange(3)[None, :]) % 3]
    bits = max(1, int(faces.max()).bit_length())
    if 3 * bits > 63:
        first = np.unique(rotated, axis=0, return_index=True)[1]
    else:  # one int64 per cycle: a 1-D unique is much faster than a row-wise one
        packed = (rotated[:, 0] << (2 * bits)) | (rotated[:, 1] << bits) | rotated[:, 2]
        first = np.unique(packed, return_index=True)[1]
    return faces[np.sort(first)]


def cluster_decimate(mesh: Mesh, max_triangles: int) -> Mesh:
    """A copy of ``mesh`` with at most ``max_triangles`` triangles (see the module notes).

    A mesh already within the cap comes back as is (quads included). The material is kept.

    Raises:
        ValueError: ``max_triangles`` is below 1.
    """
    if max_triangles < 1:
        raise ValueError("max_triangles must be at least 1")
    if mesh.triangle_count <= max_triangles:
        return mesh
    triangles = mesh.triangulated().astype(np.int64)
    positions = mesh.positions.astype(np.float64)
    area = max(_surface_area(positions, triangles), 1e-12)
    # A cell per two target triangles' worth of surface, then grown until the count fits.
    extent = max(float((positions.max(axis=0) - positions.min(axis=0)).max()), 1e-12)
    # At most 2^20 cells a side, so cell numbers fit in an int64.
    cell = max(math.sqrt(area / (max_triangles / 2.0)), extent / (1 << 20))
    low = positions.min(axis=0)
    for _ in range(_MAX_TRIES):
        cells = _cells(positions, low, cell)
        # Removing duplicates later only lowers the count, so this bound is safe.
        spanning = int(np.count_nonzero(_spanning(cells, triangles)))
        if spanning <= max_triangles:
            return _collapse(mesh, triangles, cells)
        cell *= math.sqrt(spanning / max_triangles) * _GROWTH_MARGIN
    return _collapse(mesh, triangles, np.zeros(mesh.vertex_count, dtype=np.int64))
