"""Fewer triangles, same look: quadric edge collapse by fast-simplification, UVs kept.

fast-simplification (Fast-Quadric-Mesh-Simplification) moves vertices but its Python interface
returns no texture coordinates. It does return the collapses, and replaying them maps every
original vertex to the output vertex it became; each output vertex then takes the UV (and
normal direction, recomputed after) of the original vertex nearest to its new place among those
merged into it. A mesh's vertices are split where UVs jump (texture seams), so merges never
cross a seam: the first pass keeps every open edge (seams included) fixed
(``preserve_border``), which keeps seams closed. When that cannot reach the budget (a mesh of
many small UV islands), a second pass lets open edges collapse along themselves too; seams may
then open slightly, and the result says so.

The library keeps its state in module globals, so calls are serialised by a lock.
"""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.model.conversion.libraries import optional_module
from rodin_mcp.model.mesh import Mesh, vertex_normals

__all__ = ["SEAMS_MAY_OPEN", "simplified"]

SEAMS_MAY_OPEN = "texture seams were allowed to move to reach the triangle budget"
_LOCK = threading.Lock()
_AGGRESSION = 7.0
"""The library's default trade-off between speed and faithfulness."""


def simplified(mesh: Mesh, max_triangles: int) -> tuple[Mesh, list[str]]:
    """The mesh with at most ``max_triangles`` triangles, and notes on what it cost.

    A mesh within the budget comes back as it is.

    Raises:
        ConverterMissingError: fast-simplification is not installed.
    """
    if mesh.triangle_count <= max_triangles:
        return mesh, []
    simplify = optional_module("fast_simplification", "Simplifying")
    positions = mesh.positions.astype(np.float64)
    triangles = mesh.triangulated().astype(np.int64)
    notes: list[str] = []
    with _LOCK:
        points, faces, mapping = _run(simplify, positions, triangles, max_triangles, True)
        if len(faces) > max_triangles:
            notes.append(SEAMS_MAY_OPEN)
            points, faces, mapping = _run(simplify, positions, triangles, max_triangles, False)
    keep = _nearest_origin(positions, points, mapping)
    return (
        dataclasses.replace(
            mesh,
            positions=points.astype(np.float32),
            normals=_normals(points, faces, mesh.normals[keep]),
            uvs=mesh.uvs[keep],
            triangles=faces.astype(np.uint32),
            quads=np.zeros((0, 4), dtype=np.uint32),
        ),
        notes,
    )


def _run(
    library: object,
    positions: NDArray[np.float64],
    triangles: NDArray[np.int64],
    target: int,
    keep_borders: bool,
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    lib = library  # the module; typed loosely (see libraries.optional_module)
    _, _, collapses = lib.simplify(  # type: ignore[attr-defined]
        positions,
        triangles,
        target_count=target,
        agg=_AGGRESSION,
        return_collapses=True,
        preserve_border=keep_borders,
    )
    points, faces, mapping = lib.replay_simplification(  # type: ignore[attr-defined]
        positions, triangles, collapses
    )
    return (
        np.asarray(points, dtype=np.float64),
        np.asarray(faces, dtype=np.int64).reshape(-1, 3),
        np.asarray(mapping, dtype=np.int64),
    )


def _nearest_origin(
    original: NDArray[np.float64], points: NDArray[np.float64], mapping: NDArray[np.int64]
) -> NDArray[np.int64]:
    """For each output vertex, the original vertex merged into it that lies nearest to it."""
    distance = np.sum((original - points[mapping]) ** 2, axis=1)
    order = np.lexsort((distance, mapping))
    first = np.ones(len(order), dtype=np.bool_)
    first[1:] = mapping[order][1:] != mapping[order][:-1]
    keep = np.zeros(len(points), dtype=np.int64)
    keep[mapping[order][first]] = order[first]
    return keep


def _normals(
    points: NDArray[np.float64], faces: NDArray[np.int64], old: NDArray[np.float32]
) -> NDArray[np.float32]:
    """Area-weighted normals of the new surface, facing the way the old normals did."""
    fresh = vertex_normals(points, faces)
    flip = np.sum(fresh.astype(np.float64) * old.astype(np.float64), axis=1) < 0.0
    fresh[flip] *= -1.0
    return fresh
