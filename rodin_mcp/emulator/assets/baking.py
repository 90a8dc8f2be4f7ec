"""Bake lighting into a base-colour texture (Rodin's "Shaded" material).

The mesh is rasterised in UV space; every texel gets the light of the surface point that maps
to it: a sky ambient, one key light from the upper front left, and a height-based occlusion
term. Where several surfaces share texels (projected images), the one nearest the front wins.
Texels no surface maps to take the median light, then covered values are spread into them so
filtering at rectangle edges does not pick up a seam.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.model.render.colour import linear_to_srgb8, srgb8_to_linear
from rodin_mcp.model.render.raster import rasterize

__all__ = ["bake_shaded"]

_KEY = np.array([-0.45, 0.75, 0.5]) / np.linalg.norm([-0.45, 0.75, 0.5])


def _vertex_light(
    positions: NDArray[np.float64], normals: NDArray[np.float64]
) -> NDArray[np.float64]:
    sky = 0.5 + 0.5 * normals[:, 1]
    key = np.clip(np.einsum("nc,c->n", normals, _KEY), 0.0, None)
    low, high = positions[:, 1].min(), positions[:, 1].max()
    rise = (positions[:, 1] - low) / max(high - low, 1e-9)
    occlusion = 0.7 + 0.3 * np.sqrt(rise)
    return (0.32 + 0.3 * sky + 0.75 * key) * occlusion


def _spread(
    values: NDArray[np.float64], known: NDArray[np.bool_], steps: int
) -> NDArray[np.float64]:
    """Copy known values into unknown neighbours, ``steps`` texels deep."""
    values, known = values.copy(), known.copy()
    for _ in range(steps):
        for axis, shift in ((0, 1), (0, -1), (1, 1), (1, -1)):
            moved = np.roll(values, shift, axis=axis)
            moved_known = np.roll(known, shift, axis=axis)
            take = ~known & moved_known
            values[take] = moved[take]
            known = known | take
    return values


def bake_shaded(
    positions: NDArray[np.floating],
    normals: NDArray[np.floating],
    uvs: NDArray[np.floating],
    triangles: NDArray[np.integer],
    base_color: NDArray[np.uint8],
) -> NDArray[np.uint8]:
    """The base colour with lighting multiplied in (linear light), as sRGB uint8.

    Args:
        positions: ``(n, 3)`` vertex positions, Y up.
        normals: ``(n, 3)`` unit vertex normals.
        uvs: ``(n, 2)`` UVs, glTF convention.
        triangles: ``(m, 3)`` faces.
        base_color: ``(s, s, 3)`` sRGB base colour.

    Returns:
        The shaded texture, same size as ``base_color``.
    """
    size_y, size_x = base_color.shape[0], base_color.shape[1]
    p = np.asarray(positions, dtype=np.float64)
    light = _vertex_light(p, np.asarray(normals, dtype=np.float64))
    uv = np.asarray(uvs, dtype=np.float64)
    screen = np.stack([uv[:, 0] * size_x, uv[:, 1] * size_y, -p[:, 2]], axis=1)
    coverage = rasterize(screen, np.asarray(triangles), size_x, size_y)
    mask = coverage.mask
    tri = np.asarray(triangles, dtype=np.int64)
    texel_light = np.full((size_y, size_x), float(np.median(light)))
    if mask.any():
        corners = tri[coverage.triangle[mask]]
        texel_light[mask] = np.sum(coverage.barycentric[mask] * light[corners], axis=1)
        texel_light = _spread(texel_light, mask, 3)
    linear = srgb8_to_linear(base_color) * texel_light[:, :, None].astype(np.float32)
    return linear_to_srgb8(linear)
