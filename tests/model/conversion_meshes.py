"""Hand-made models for the conversion tests: a blue-textured box, a pyramid on its tip."""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from rodin_mcp.model.mesh import Material, Mesh, vertex_normals
from tests.model.meshes import uv_sphere

BLUE = (30, 70, 230)
BOX_SIZE = (0.4, 1.0, 0.6)
"""Width (x), height (y) and depth (z) of the box, in metres."""

_CORNERS = np.array(
    [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]],
    dtype=np.float64,
)
# Counter-clockwise seen from outside, two triangles per side.
_SIDES = [
    (0, 3, 2, 1),
    (4, 5, 6, 7),
    (0, 1, 5, 4),
    (3, 7, 6, 2),
    (0, 4, 7, 3),
    (1, 2, 6, 5),
]


def solid_png(colour: tuple[int, int, int], side: int = 16) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), colour).save(out, format="PNG")
    return out.getvalue()


def blue_box(offset: tuple[float, float, float] = (2.0, 3.0, -1.0)) -> Mesh:
    """A closed box of :data:`BOX_SIZE` away from the origin, every side textured blue, its
    corners split per side (as files split them at texture seams)."""
    positions: list[NDArray[np.float64]] = []
    uvs: list[list[float]] = []
    triangles: list[list[int]] = []
    for side in _SIDES:
        base = len(positions)
        for corner, uv in zip(side, ([0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]), strict=True):
            positions.append(_CORNERS[corner] * np.array(BOX_SIZE) + np.array(offset))
            uvs.append(uv)
        triangles += [[base, base + 1, base + 2], [base, base + 2, base + 3]]
    points = np.array(positions)
    faces = np.array(triangles)
    return Mesh(
        positions=points.astype(np.float32),
        normals=vertex_normals(points, faces),
        uvs=np.array(uvs, dtype=np.float32),
        triangles=faces.astype(np.uint32),
        material=Material(name="blue", base_color_png=solid_png(BLUE)),
        name="box",
    )


def blue_sphere(stacks: int = 60, slices: int = 120) -> Mesh:
    """A blue-textured unit sphere of ``2 * stacks * slices`` triangles."""
    return uv_sphere(stacks, slices, Material(name="blue", base_color_png=solid_png(BLUE)))


def pyramid_on_its_tip() -> Mesh:
    """A closed square pyramid standing on its apex: it cannot stand."""
    points = np.array([[0, 0, 0], [-1, 2, -1], [1, 2, -1], [1, 2, 1], [-1, 2, 1]], dtype=np.float64)
    faces = np.array([[0, 2, 1], [0, 3, 2], [0, 4, 3], [0, 1, 4], [1, 2, 3], [1, 3, 4]])
    return Mesh(
        positions=points.astype(np.float32),
        normals=vertex_normals(points, faces),
        uvs=np.zeros((5, 2), dtype=np.float32),
        triangles=faces.astype(np.uint32),
        name="pyramid",
    )


def share_of_colour(webp: bytes, colour: tuple[int, int, int], tolerance: int = 60) -> float:
    """The share of a picture's pixels that are of ``colour``'s hue (lit or shaded)."""
    pixels = np.asarray(Image.open(io.BytesIO(webp)).convert("RGB"), dtype=np.float64)
    target = np.array(colour, dtype=np.float64)
    direction = target / np.linalg.norm(target)
    length = np.linalg.norm(pixels, axis=2, keepdims=True)
    unit = pixels / np.maximum(length, 1.0)
    close: NDArray[np.bool_] = np.linalg.norm(unit - direction, axis=2) < tolerance / 255.0
    lit: NDArray[np.bool_] = length[..., 0] > 40
    return float(np.count_nonzero(close & lit)) / close.size
