"""BANG part split: a generated model cut into named part meshes by spatial clustering.

The rule (also in docs/emulator.md): the source's triangles (its quads split along their 0-2
diagonal, as its GLB has them) are grouped by k-means over their centroids into ``strength``
clusters (at most one per triangle). The seeds are chosen by farthest-point sampling from the
first triangle, then refined by a fixed number of Lloyd steps, so the split is deterministic.
Every cluster that keeps at least one triangle becomes a part mesh ``part_01``, ``part_02``,
... in seed order, holding its triangles with their vertices (position, normal, UV) unchanged
and the source's material. So the parts together have exactly the source's triangle count.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.emulator.assets.generator import AssetRequest, generate_level
from rodin_mcp.emulator.assets.packaging import GeneratedFile, model_files, preview_file, variants
from rodin_mcp.model.mesh import Mesh

__all__ = ["LLOYD_STEPS", "split_files", "split_parts"]

LLOYD_STEPS = 8
_CHUNK = 65536


def split_parts(mesh: Mesh, count: int) -> list[Mesh]:
    """``mesh`` cut into at most ``count`` part meshes that together hold all its triangles."""
    triangles = mesh.triangulated().astype(np.int64)
    centroids = mesh.positions.astype(np.float64)[triangles].mean(axis=1)
    centres = _farthest_points(centroids, min(count, len(triangles)))
    labels = _nearest(centroids, centres)
    for _ in range(LLOYD_STEPS):
        for cluster in range(len(centres)):
            members = centroids[labels == cluster]
            if len(members):
                centres[cluster] = members.mean(axis=0)
        labels = _nearest(centroids, centres)
    parts: list[Mesh] = []
    for cluster in range(len(centres)):
        chosen = triangles[labels == cluster]
        if len(chosen):
            parts.append(_sub_mesh(mesh, chosen, f"part_{len(parts) + 1:02d}"))
    return parts


def split_files(
    source: AssetRequest, strength: int, fmt: str, material: str, high_resolution: bool
) -> list[GeneratedFile]:
    """The split model files (and loose textures) of the source generation, then its preview."""
    model, mesh_name = generate_level(source, high_texture=high_resolution)
    level = "high" if high_resolution else "basic"
    models, loose, preview_mesh = model_files(
        model, level, fmt, variants(material), mesh_name, lambda mesh: split_parts(mesh, strength)
    )
    return [*models, *loose, preview_file(preview_mesh)]


def _farthest_points(points: NDArray[np.float64], count: int) -> NDArray[np.float64]:
    chosen = [0]
    distance = np.sum((points - points[0]) ** 2, axis=1)
    while len(chosen) < count:
        index = int(np.argmax(distance))
        if distance[index] == 0.0:
            break
        chosen.append(index)
        distance = np.minimum(distance, np.sum((points - points[index]) ** 2, axis=1))
    return points[chosen].copy()


def _nearest(points: NDArray[np.float64], centres: NDArray[np.float64]) -> NDArray[np.int64]:
    labels = np.empty(len(points), dtype=np.int64)
    for start in range(0, len(points), _CHUNK):
        block = points[start : start + _CHUNK]
        distance = np.sum((block[:, None, :] - centres[None, :, :]) ** 2, axis=2)
        labels[start : start + _CHUNK] = np.argmin(distance, axis=1)
    return labels


def _sub_mesh(mesh: Mesh, triangles: NDArray[np.int64], name: str) -> Mesh:
    used, local = np.unique(triangles, return_inverse=True)
    return Mesh(
        positions=mesh.positions[used],
        normals=mesh.normals[used],
        uvs=mesh.uvs[used],
        triangles=local.reshape(-1, 3).astype(np.uint32),
        material=mesh.material,
        name=name,
    )
