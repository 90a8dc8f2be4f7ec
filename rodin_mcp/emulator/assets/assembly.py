"""From part specs to one mesh: face budget, placement, normals and the UV atlas.

The face budget is met by searching the tessellation density (segments per metre) whose exact
face count is closest to the target; a face is a quad in Quad mode (the few pole and cap fans
count one per triangle) and a triangle in Raw mode. The object is then centred on the origin
and scaled so its largest side is 1 m, or stretched to the requested bounding-box proportions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.emulator.assets.primitives import PartSpec, Surface
from rodin_mcp.emulator.assets.texture_maps import AtlasRect
from rodin_mcp.model.mesh import unit_or_up

__all__ = ["Assembly", "assemble", "count_faces", "solve_density"]

Float = NDArray[np.float64]
Index = NDArray[np.int64]

_DENSITY_RANGE = (0.5, 4000.0)
_ATLAS_FILL = 0.62  # share of the atlas the packer aims to cover before shrinking


def count_faces(parts: Sequence[PartSpec], density: float, quad_mode: bool) -> int:
    """Faces all parts have at ``density``, counted as the mesh mode counts them."""
    quads = tris = 0
    for part in parts:
        q, t = part.face_count(density)
        quads += q
        tris += t
    return quads + tris if quad_mode else 2 * quads + tris


def solve_density(parts: Sequence[PartSpec], target: int, quad_mode: bool) -> float:
    """The density whose face count is closest to ``target`` (bisection on a log scale)."""
    lo, hi = math.log(_DENSITY_RANGE[0]), math.log(_DENSITY_RANGE[1])
    if count_faces(parts, math.exp(hi), quad_mode) <= target:
        return math.exp(hi)
    for _ in range(40):
        mid = (lo + hi) / 2
        if count_faces(parts, math.exp(mid), quad_mode) < target:
            lo = mid
        else:
            hi = mid
    below, above = math.exp(lo), math.exp(hi)
    under = target - count_faces(parts, below, quad_mode)
    over = count_faces(parts, above, quad_mode) - target
    return below if under <= over else above


@dataclass(frozen=True)
class Assembly:
    """The merged geometry before it becomes a :class:`Mesh`.

    Attributes:
        positions: ``(n, 3)`` vertex positions (metres, centred, Y up).
        normals: ``(n, 3)`` unit normals.
        local_uvs: ``(n, 2)`` each surface's own [0, 1] coordinates.
        surface_of: ``(n,)`` index of the surface each vertex belongs to.
        quads: ``(k, 4)`` quad faces.
        triangles: ``(m, 3)`` triangle faces.
        surfaces: The placed surfaces (their sizes in metres after scaling).
    """

    positions: Float
    normals: Float
    local_uvs: Float
    surface_of: Index
    quads: Index
    triangles: Index
    surfaces: tuple[Surface, ...]


def _fit_scale(low: Float, high: Float, bbox: tuple[int, int, int] | None) -> Float:
    extent = np.maximum(high - low, 1e-9)
    if bbox is None:
        return np.full(3, 1.0 / float(extent.max()))
    width_y, height_z, length_x = (max(int(v), 1) for v in bbox)
    # Rodin's Z-up [Width(Y), Height(Z), Length(X)] -> glTF Y-up: X length, Y height, Z width.
    wanted = np.array([length_x, height_z, width_y], dtype=np.float64)
    wanted /= wanted.max()
    return wanted / extent


def _smooth_normals(positions: Float, faces: Index) -> Float:
    """Area-weighted normals shared between coincident vertices (closes UV seams)."""
    key = np.round(positions * 1e6).astype(np.int64)
    _, weld = np.unique(key, axis=0, return_inverse=True)
    weld = weld.reshape(-1)
    a, b, c = positions[faces[:, 0]], positions[faces[:, 1]], positions[faces[:, 2]]
    face_normals = np.cross(b - a, c - a)
    acc = np.zeros((int(weld.max()) + 1, 3))
    for corner in range(3):
        np.add.at(acc, weld[faces[:, corner]], face_normals)
    return unit_or_up(acc[weld]).astype(np.float64)


def assemble(surfaces: Sequence[Surface], bbox: tuple[int, int, int] | None) -> Assembly:
    """Merge surfaces, centre and scale them, and give every vertex a smooth normal.

    Args:
        surfaces: Built surfaces of all parts.
        bbox: Rodin ``bbox_condition`` ``[Width(Y), Height(Z), Length(X)]``, or None.

    Returns:
        The merged geometry.
    """
    all_points = np.concatenate([s.positions for s in surfaces])
    low, high = all_points.min(axis=0), all_points.max(axis=0)
    centre = (low + high) / 2.0
    scale = _fit_scale(low, high, bbox)
    positions: list[Float] = []
    normals: list[Float] = []
    uvs: list[Float] = []
    owner: list[Index] = []
    quads: list[Index] = []
    tris: list[Index] = []
    placed: list[Surface] = []
    offset = 0
    for index, surface in enumerate(surfaces):
        p = (surface.positions - centre) * scale
        faces = np.concatenate(
            [surface.quads[:, [0, 1, 2]], surface.quads[:, [0, 2, 3]], surface.triangles]
        )
        positions.append(p)
        normals.append(_smooth_normals(p, faces))
        uvs.append(surface.uvs)
        owner.append(np.full(len(p), index, dtype=np.int64))
        quads.append(surface.quads + offset)
        tris.append(surface.triangles + offset)
        stretch = float(np.sqrt(np.prod(np.sort(scale)[1:])))
        size = (surface.size[0] * stretch, surface.size[1] * stretch)
        placed.append(Surface(p, surface.uvs, surface.quads, surface.triangles, size, surface.slot))
        offset += len(p)
    return Assembly(
        positions=np.concatenate(positions),
        normals=np.concatenate(normals),
        local_uvs=np.concatenate(uvs),
        surface_of=np.concatenate(owner),
        quads=np.concatenate(quads),
        triangles=np.concatenate(tris),
        surfaces=tuple(placed),
    )


def _rect_sizes(surfaces: Sequence[Surface], scale: float) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s in surfaces:
        u, v = max(s.size[0], 1e-4), max(s.size[1], 1e-4)
        aspect = min(max(u / v, 1 / 8), 8.0)
        area = u * v
        w = math.sqrt(area * aspect) * scale
        h = math.sqrt(area / aspect) * scale
        out.append((max(4, round(w)), max(4, round(h))))
    return out


def _shelf_pack(sizes: list[tuple[int, int]], atlas: int) -> list[tuple[int, int]] | None:
    order = sorted(range(len(sizes)), key=lambda i: (-sizes[i][1], -sizes[i][0], i))
    spots: list[tuple[int, int]] = [(0, 0)] * len(sizes)
    x = y = shelf = 0
    for i in order:
        w, h = sizes[i]
        if w > atlas:
            return None
        if x + w > atlas:
            x, y, shelf = 0, y + shelf, 0
        if y + h > atlas:
            return None
        spots[i] = (x, y)
        x += w
        shelf = max(shelf, h)
    return spots


def pack_atlas(surfaces: Sequence[Surface], atlas: int, margin: int) -> list[AtlasRect]:
    """Give every surface a rectangle of the atlas proportional to its physical size.

    Args:
        surfaces: Surfaces with sizes in metres.
        atlas: Atlas width and height in texels.
        margin: Bleed texels around each rectangle's used area.

    Returns:
        One rectangle per surface, in the same order.
    """
    total = sum(max(s.size[0], 1e-4) * max(s.size[1], 1e-4) for s in surfaces)
    scale = math.sqrt(_ATLAS_FILL * atlas * atlas / total)
    while True:
        sizes = _rect_sizes(surfaces, scale)
        padded = [(w + 2 * margin, h + 2 * margin) for w, h in sizes]
        spots = _shelf_pack(padded, atlas)
        if spots is not None:
            break
        scale *= 0.92
        if scale < 1e-3:
            raise ValueError("too many surfaces for the texture atlas")
    return [
        AtlasRect(x, y, w, h, margin, s.size, s.slot)
        for (x, y), (w, h), s in zip(spots, padded, surfaces, strict=True)
    ]


def atlas_uvs(assembly: Assembly, rects: Sequence[AtlasRect], atlas: int) -> Float:
    """Each vertex's UV inside its surface's rectangle (glTF convention, origin top-left)."""
    table = np.array(
        [[r.x + r.margin, r.y + r.margin, r.w - 2 * r.margin, r.h - 2 * r.margin] for r in rects],
        dtype=np.float64,
    )
    cell = table[assembly.surface_of]
    u = (cell[:, 0] + assembly.local_uvs[:, 0] * cell[:, 2]) / atlas
    v = (cell[:, 1] + assembly.local_uvs[:, 1] * cell[:, 3]) / atlas
    return np.stack([u, v], axis=1)


def front_projection_uvs(positions: Float) -> Float:
    """UVs that project the image onto the object from the front (+Z), fitting its bounds."""
    low, high = positions.min(axis=0), positions.max(axis=0)
    extent = np.maximum(high - low, 1e-9)
    u = (positions[:, 0] - low[0]) / extent[0]
    v = 1.0 - (positions[:, 1] - low[1]) / extent[1]
    return np.stack([u, v], axis=1)
