"""The in-memory mesh and material shared by every writer, the GLB reader and the renderer."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

__all__ = ["Material", "Mesh", "unit_or_up", "vertex_normals", "vertex_tangents"]


@dataclass(frozen=True)
class Material:
    """A glTF-style metallic-roughness material; textures are encoded image bytes.

    The emulator's writers make PNG; a material read from a GLB, or made for the viewer copy,
    may hold JPEG (the ``_png`` names predate that).

    Attributes:
        name: Material name written into every format.
        base_color_factor: Linear RGBA multiplier of the base colour.
        metallic_factor: Multiplier of the metallic channel (blue of the packed texture).
        roughness_factor: Multiplier of the roughness channel (green of the packed texture).
        base_color_png: Base colour (sRGB) texture.
        normal_png: Tangent-space normal map (OpenGL convention, +Y up).
        metallic_roughness_png: glTF packing: roughness in G, metallic in B.
        unlit: Lighting is baked into the base colour (Rodin's "Shaded" material).
    """

    name: str = "material"
    base_color_factor: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    metallic_factor: float = 0.0
    roughness_factor: float = 0.8
    base_color_png: bytes | None = field(default=None, repr=False)
    normal_png: bytes | None = field(default=None, repr=False)
    metallic_roughness_png: bytes | None = field(default=None, repr=False)
    unlit: bool = False


def _empty_index(width: int) -> NDArray[np.uint32]:
    return np.zeros((0, width), dtype=np.uint32)


@dataclass(frozen=True, eq=False)
class Mesh:
    """An indexed polygon mesh with one material, Y up, in metres.

    Vertices are split wherever a normal or UV differs, so every attribute is per vertex. The
    faces are ``quads`` plus ``triangles``, each wound counter-clockwise seen from outside.

    Attributes:
        positions: ``(n, 3)`` float32 vertex positions.
        normals: ``(n, 3)`` float32 unit vertex normals.
        uvs: ``(n, 2)`` float32 texture coordinates, glTF convention (origin at the image's
            top-left corner).
        triangles: ``(m, 3)`` uint32 triangle faces.
        quads: ``(k, 4)`` uint32 quad faces (empty for triangle meshes).
        material: The single material, or None for an untextured mesh.
        name: Mesh name written into every format.
    """

    positions: NDArray[np.float32]
    normals: NDArray[np.float32]
    uvs: NDArray[np.float32]
    triangles: NDArray[np.uint32] = field(default_factory=lambda: _empty_index(3))
    quads: NDArray[np.uint32] = field(default_factory=lambda: _empty_index(4))
    material: Material | None = None
    name: str = "mesh"

    def __post_init__(self) -> None:
        n = self.positions.shape[0]
        expected: list[tuple[str, NDArray[np.generic], tuple[int, ...], type[np.generic]]] = [
            ("positions", self.positions, (n, 3), np.float32),
            ("normals", self.normals, (n, 3), np.float32),
            ("uvs", self.uvs, (n, 2), np.float32),
            ("triangles", self.triangles, (self.triangles.shape[0], 3), np.uint32),
            ("quads", self.quads, (self.quads.shape[0], 4), np.uint32),
        ]
        for name, array, shape, dtype in expected:
            if array.ndim != len(shape) or array.shape != shape or array.dtype != dtype:
                raise ValueError(f"Mesh.{name} must be {dtype.__name__} of shape {shape}")
        for name, faces in (("triangles", self.triangles), ("quads", self.quads)):
            if faces.size and int(faces.max()) >= n:
                raise ValueError(f"Mesh.{name} refers to a vertex that does not exist")

    def __repr__(self) -> str:
        return (
            f"Mesh(name={self.name!r}, vertices={self.vertex_count}, quads={len(self.quads)}, "
            f"triangles={len(self.triangles)}, material={self.material!r})"
        )

    @property
    def vertex_count(self) -> int:
        """Number of (split) vertices."""
        return int(self.positions.shape[0])

    @property
    def face_count(self) -> int:
        """Number of polygons, a quad counting as one face."""
        return int(self.triangles.shape[0] + self.quads.shape[0])

    @property
    def triangle_count(self) -> int:
        """Number of triangles once every quad is split in two."""
        return int(self.triangles.shape[0] + 2 * self.quads.shape[0])

    def triangulated(self) -> NDArray[np.uint32]:
        """Every face as triangles: quads first (split along their 0-2 diagonal), then triangles."""
        q = self.quads
        from_quads = np.stack([q[:, [0, 1, 2]], q[:, [0, 2, 3]]], axis=1).reshape(-1, 3)
        return np.ascontiguousarray(np.concatenate([from_quads, self.triangles]), dtype=np.uint32)

    def bounds(self) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Axis-aligned bounds ``(min, max)`` of the positions (zeros for an empty mesh)."""
        if self.vertex_count == 0:
            zero = np.zeros(3, dtype=np.float32)
            return zero, zero.copy()
        return self.positions.min(axis=0), self.positions.max(axis=0)


def vertex_normals(
    positions: NDArray[np.floating], triangles: NDArray[np.integer]
) -> NDArray[np.float32]:
    """Area-weighted vertex normals of a triangle mesh, unit length (+Y where undefined)."""
    p = positions.astype(np.float64)
    tri = triangles.astype(np.int64)
    face = np.cross(p[tri[:, 1]] - p[tri[:, 0]], p[tri[:, 2]] - p[tri[:, 0]])
    acc = np.zeros_like(p)
    for corner in range(3):
        np.add.at(acc, tri[:, corner], face)
    return unit_or_up(acc)


def unit_or_up(vectors: NDArray[np.floating]) -> NDArray[np.float32]:
    """Normalise rows; rows too short to have a direction become +Y."""
    v = vectors.astype(np.float64)
    length = np.linalg.norm(v, axis=1, keepdims=True)
    ok = length[:, 0] > 1e-12
    out = np.zeros_like(v)
    out[:, 1] = 1.0
    out[ok] = v[ok] / length[ok]
    return out.astype(np.float32)


def vertex_tangents(mesh: Mesh) -> NDArray[np.float32]:
    """Per-vertex tangents ``(n, 4)`` for normal mapping, glTF convention.

    The tangent follows +U, the bitangent follows texture "up" (the OpenGL convention, with V
    flipped from glTF's top-left origin), and ``w`` = +-1 gives the handedness:
    ``bitangent = cross(normal, tangent.xyz) * w``. Vertices whose UVs do not span a plane get
    any unit vector perpendicular to their normal.
    """
    p = mesh.positions.astype(np.float64)
    uv = mesh.uvs.astype(np.float64) * np.array([1.0, -1.0])
    tri = mesh.triangulated().astype(np.int64)
    e1 = p[tri[:, 1]] - p[tri[:, 0]]
    e2 = p[tri[:, 2]] - p[tri[:, 0]]
    d1 = uv[tri[:, 1]] - uv[tri[:, 0]]
    d2 = uv[tri[:, 2]] - uv[tri[:, 0]]
    det = d1[:, 0] * d2[:, 1] - d2[:, 0] * d1[:, 1]
    inv = np.where(np.abs(det) > 1e-20, 1.0 / np.where(det == 0, 1.0, det), 0.0)[:, None]
    face_t = (e1 * d2[:, 1:2] - e2 * d1[:, 1:2]) * inv
    face_b = (e2 * d1[:, 0:1] - e1 * d2[:, 0:1]) * inv
    acc_t = np.zeros_like(p)
    acc_b = np.zeros_like(p)
    for corner in range(3):
        np.add.at(acc_t, tri[:, corner], face_t)
        np.add.at(acc_b, tri[:, corner], face_b)
    n = mesh.normals.astype(np.float64)
    t = acc_t - n * np.sum(acc_t * n, axis=1, keepdims=True)
    short = np.linalg.norm(t, axis=1) < 1e-12
    if short.any():
        helper = np.where(np.abs(n[short, 0:1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
        fallback = np.cross(n[short], helper)
        t[short] = fallback
    t = unit_or_up(t).astype(np.float64)
    w = np.where(np.sum(np.cross(n, t) * acc_b, axis=1) < 0.0, -1.0, 1.0)
    return np.concatenate([t, w[:, None]], axis=1).astype(np.float32)
