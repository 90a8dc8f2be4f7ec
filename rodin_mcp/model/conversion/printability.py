"""Whether a mesh can be printed as it is, and closing it into a solid when asked.

The check welds corners that share a position (files split them at texture seams), then counts
each edge's faces: an edge of one face is open (a hole), of three or more non-manifold; a mesh
with neither is watertight. Its volume is the divergence theorem's sum over the faces
(meaningful once closed); it stands when the centre of mass (of the solid when closed, else of
the surface) lies over the convex hull of the points that touch the ground.

Repair: weld, drop degenerate and repeated faces, close each hole with a fan around its
centre, then let manifold3d (the Manifold library) accept the result as a solid and merge
overlapping closed parts into one (a boolean union). What manifold3d will not accept (edges of
three faces, crossed holes) is reported, not hidden.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, Field

from rodin_mcp.model.conversion.libraries import optional_module
from rodin_mcp.model.mesh import Mesh, vertex_normals

__all__ = ["PrintReport", "print_report", "repaired"]

_WELD_FRACTION = 1e-6
"""Corners closer than this fraction of the model's size are one corner."""
_GROUND_FRACTION = 0.005
"""Points within this fraction of the height above the lowest point touch the ground."""


class PrintReport(BaseModel):
    """What a slicer will make of the mesh."""

    watertight: bool = Field(description="Every edge joins exactly two faces (a closed solid).")
    open_edges: int = Field(description="Edges of one face only: the rims of holes.")
    non_manifold_edges: int = Field(description="Edges shared by three or more faces.")
    volume: float | None = Field(
        description="Enclosed volume in the file's unit cubed; None while the mesh is open."
    )
    stands: bool = Field(
        description="Its centre of mass lies over the area it touches the ground with, so it "
        "stands up as placed (up axis as written)."
    )
    repaired: bool | None = Field(
        default=None,
        description="With repair asked: whether the mesh was closed into a solid (None: not "
        "asked).",
    )
    notes: list[str] = Field(default_factory=list[str])


def _row_keys(rows: NDArray[np.int64]) -> NDArray[np.int64] | None:
    """One int64 per row of small non-negative integers (a 1-D unique is much faster than a
    row-wise one); None when the values are too large to pack."""
    bits = max(1, int(rows.max()).bit_length()) if rows.size else 1
    if bits * rows.shape[1] > 63:
        return None
    packed = np.zeros(len(rows), dtype=np.int64)
    for column in range(rows.shape[1]):
        packed = (packed << bits) | rows[:, column]
    return packed


def _row_ids(rows: NDArray[np.int64]) -> NDArray[np.int64]:
    """A dense id per distinct row: equal rows get equal ids."""
    packed = _row_keys(rows)
    if packed is None:
        return np.unique(rows, axis=0, return_inverse=True)[1].reshape(-1)
    return np.unique(packed, return_inverse=True)[1].reshape(-1)


def _first_of_each(ids: NDArray[np.int64]) -> NDArray[np.int64]:
    """For each id, the first position where it occurs."""
    first = np.zeros(int(ids.max()) + 1 if ids.size else 0, dtype=np.int64)
    first[ids[::-1]] = np.arange(len(ids) - 1, -1, -1)
    return first


def _welded(positions: NDArray[np.float64], triangles: NDArray[np.int64]) -> NDArray[np.int64]:
    """Triangles re-indexed so that corners at one position share one index."""
    extent = float(np.ptp(positions, axis=0).max()) if len(positions) else 0.0
    step = max(extent * _WELD_FRACTION, 1e-12)
    shifted: NDArray[np.float64] = (positions - positions.min(axis=0)) / step
    keys = np.round(shifted).astype(np.int64)
    ids = _row_ids(keys)
    return _first_of_each(ids)[ids][triangles]


def _edge_counts(triangles: NDArray[np.int64]) -> tuple[int, int]:
    edges = np.sort(triangles[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    counts = np.bincount(_row_ids(edges))
    return int(np.count_nonzero(counts == 1)), int(np.count_nonzero(counts > 2))


def _volume_and_centre(
    positions: NDArray[np.float64], triangles: NDArray[np.int64], closed: bool
) -> tuple[float, NDArray[np.float64]]:
    a, b, c = (positions[triangles[:, i]] for i in range(3))
    if closed:
        signed = np.einsum("ij,ij->i", a, np.cross(b, c)) / 6.0
        total = float(signed.sum())
        if abs(total) > 1e-30:
            return abs(total), (signed[:, None] * (a + b + c) / 4.0).sum(axis=0) / total
    area = np.linalg.norm(np.cross(b - a, c - a), axis=1)
    weight = float(area.sum()) or 1.0
    return 0.0, (area[:, None] * (a + b + c) / 3.0).sum(axis=0) / weight


def _inside_hull(points: NDArray[np.float64], query: NDArray[np.float64]) -> bool:
    """Whether ``query`` (2-D) lies inside the convex hull of ``points`` (monotone chain)."""
    unique = np.unique(points, axis=0)
    if len(unique) < 3:
        return False
    ordered = unique[np.lexsort((unique[:, 1], unique[:, 0]))]

    def half(rows: NDArray[np.float64]) -> list[NDArray[np.float64]]:
        chain: list[NDArray[np.float64]] = []
        for p in rows:
            while len(chain) >= 2:
                o, q = chain[-2], chain[-1]
                if (q[0] - o[0]) * (p[1] - o[1]) - (q[1] - o[1]) * (p[0] - o[0]) > 0:
                    break
                chain.pop()
            chain.append(p)
        return chain

    hull = half(ordered)[:-1] + half(ordered[::-1])[:-1]
    if len(hull) < 3:
        return False
    for i, p in enumerate(hull):
        q = hull[(i + 1) % len(hull)]
        if (q[0] - p[0]) * (query[1] - p[1]) - (q[1] - p[1]) * (query[0] - p[0]) < 0:
            return False
    return True


def print_report(mesh: Mesh, *, up: int) -> PrintReport:
    """The printability of ``mesh`` as written: coordinates in the file's unit, ``up`` the index
    of its up axis (1 for +Y, 2 for +Z)."""
    positions = mesh.positions.astype(np.float64)
    triangles = _welded(positions, mesh.triangulated().astype(np.int64))
    open_edges, non_manifold = _edge_counts(triangles)
    closed = open_edges == 0 and non_manifold == 0
    volume, centre = _volume_and_centre(positions, triangles, closed)
    used = positions[np.unique(triangles)]
    height = used[:, up]
    ground = used[height <= height.min() + (np.ptp(height) or 1.0) * _GROUND_FRACTION]
    across = [axis for axis in range(3) if axis != up]
    stands = _inside_hull(ground[:, across], centre[across])
    return PrintReport(
        watertight=closed,
        open_edges=open_edges,
        non_manifold_edges=non_manifold,
        volume=volume if closed else None,
        stands=stands,
    )


def _boundary_loops(triangles: NDArray[np.int64]) -> list[list[int]]:
    """Each hole's rim, in the direction its faces run (edges with no opposite edge)."""
    directed = triangles[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2)
    forward = _row_keys(directed)
    backward = _row_keys(directed[:, ::-1])
    if forward is None or backward is None:
        keys = {(int(a), int(b)) for a, b in directed}
        rims = np.array([(a, b) for a, b in keys if (b, a) not in keys], dtype=np.int64)
    else:
        ordered = np.sort(backward)
        at = np.minimum(np.searchsorted(ordered, forward), len(ordered) - 1)
        rims = directed[ordered[at] != forward]
    following: dict[int, int] = {}
    for a, b in rims.reshape(-1, 2).tolist():
        following.setdefault(int(a), int(b))
    loops: list[list[int]] = []
    seen: set[int] = set()
    for start in list(following):
        if start in seen:
            continue
        loop = [start]
        seen.add(start)
        current = following[start]
        while current != start and current in following and current not in seen:
            loop.append(current)
            seen.add(current)
            current = following[current]
        if current == start and len(loop) >= 3:
            loops.append(loop)
    return loops


def _filled(
    positions: NDArray[np.float64], triangles: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.int64], int]:
    """Holes closed by fans around their centres; also how many holes were closed."""
    loops = _boundary_loops(triangles)
    added_points: list[NDArray[np.float64]] = []
    added_faces: list[NDArray[np.int64]] = []
    next_index = len(positions)
    for loop in loops:
        rim = np.array(loop, dtype=np.int64)
        added_points.append(positions[rim].mean(axis=0))
        centre = np.full(len(rim), next_index, dtype=np.int64)
        # The rim runs along its faces; the fan runs the other way round, so it faces outwards.
        added_faces.append(np.stack([np.roll(rim, -1), rim, centre], axis=1))
        next_index += 1
    if not loops:
        return positions, triangles, 0
    return (
        np.concatenate([positions, np.array(added_points)]),
        np.concatenate([triangles, *added_faces]),
        len(loops),
    )


def repaired(mesh: Mesh) -> tuple[Mesh, bool, list[str]]:
    """The mesh closed into a solid where manifold3d accepts it; whether it was; notes.

    Textures do not survive (printing formats carry none): UVs become zeros.

    Raises:
        ConverterMissingError: manifold3d is not installed.
    """
    m3 = optional_module("manifold3d", "Repairing for printing")
    positions = mesh.positions.astype(np.float64)
    triangles = _welded(positions, mesh.triangulated().astype(np.int64))
    keep = (
        (triangles[:, 0] != triangles[:, 1])
        & (triangles[:, 1] != triangles[:, 2])
        & (triangles[:, 2] != triangles[:, 0])
    )
    triangles = triangles[keep]
    triangles = triangles[np.sort(_first_of_each(_row_ids(np.sort(triangles, axis=1))))]
    positions, triangles, holes = _filled(positions, triangles)
    used, compact = np.unique(triangles, return_inverse=True)
    solid_mesh = m3.Mesh(
        vert_properties=positions[used].astype(np.float32),
        tri_verts=compact.reshape(-1, 3).astype(np.uint32),
    )
    solid_mesh.merge()
    solid = m3.Manifold(solid_mesh)
    notes = [f"{holes} hole(s) closed"] if holes else []
    if str(solid.status()).split(".")[-1] != "NoError" or solid.is_empty():
        notes.append(
            "manifold3d did not accept the mesh as a solid (edges shared by three or more "
            "faces, or holes that cross themselves); it is written as it was"
        )
        return mesh, False, notes
    parts = solid.decompose()
    if len(parts) > 1:
        solid = m3.Manifold.batch_boolean(parts, m3.OpType.Add)
        notes.append(f"{len(parts)} overlapping parts merged into one solid")
    out = solid.to_mesh()
    points = np.asarray(out.vert_properties, dtype=np.float64)[:, :3]
    faces = np.asarray(out.tri_verts, dtype=np.int64).reshape(-1, 3)
    closed = Mesh(
        positions=points.astype(np.float32),
        normals=vertex_normals(points, faces),
        uvs=np.zeros((len(points), 2), dtype=np.float32),
        triangles=faces.astype(np.uint32),
        material=None,
        name=mesh.name,
    )
    return dataclasses.replace(closed), True, notes
