"""Small meshes and textures for the mesh, writer and renderer tests, from first principles."""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from rodin_mcp.model.mesh import Material, Mesh


def png(width: int, height: int, seed: int = 0) -> bytes:
    """A noisy RGB PNG (so it cannot be mistaken for a flat colour)."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def pbr_material(seed: int = 0) -> Material:
    return Material(
        name="test_material",
        metallic_factor=1.0,
        roughness_factor=1.0,
        base_color_png=png(8, 8, seed),
        normal_png=png(8, 8, seed + 1),
        metallic_roughness_png=png(8, 8, seed + 2),
    )


def grid(columns: int, rows: int, material: Material | None = None, quads: bool = True) -> Mesh:
    """A bumpy height-field patch of ``columns`` x ``rows`` quads with smooth normals and UVs."""
    u, v = np.meshgrid(np.linspace(0.0, 1.0, columns + 1), np.linspace(0.0, 1.0, rows + 1))
    height = 0.1 * np.sin(u * 6.0) * np.cos(v * 5.0)
    positions = np.stack([u, height, -v], axis=-1).reshape(-1, 3)
    dh_du = 0.6 * np.cos(u * 6.0) * np.cos(v * 5.0)
    dh_dv = -0.5 * np.sin(u * 6.0) * np.sin(v * 5.0)
    normals = np.stack([-dh_du, np.ones_like(u), dh_dv], axis=-1).reshape(-1, 3)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    uvs = np.stack([u, v], axis=-1).reshape(-1, 2)
    r, c = np.meshgrid(np.arange(rows), np.arange(columns), indexing="ij")
    a = (r * (columns + 1) + c).reshape(-1)
    # Counter-clockwise seen from +Y (the patch's outside).
    quad_faces: NDArray[np.int64] = np.stack([a, a + 1, a + columns + 2, a + columns + 1], axis=1)
    mesh_quads = quad_faces.astype(np.uint32)
    triangles = np.zeros((0, 3), dtype=np.uint32)
    if not quads:
        triangles = np.concatenate([quad_faces[:, [0, 1, 2]], quad_faces[:, [0, 2, 3]]]).astype(
            np.uint32
        )
        mesh_quads = np.zeros((0, 4), dtype=np.uint32)
    return Mesh(
        positions=positions.astype(np.float32),
        normals=normals.astype(np.float32),
        uvs=uvs.astype(np.float32),
        triangles=triangles,
        quads=mesh_quads,
        material=material,
        name="patch",
    )


def solid_halves_png(
    left: tuple[int, int, int], right: tuple[int, int, int], side: int = 64
) -> bytes:
    """A square PNG whose left half (u < 0.5) is ``left`` and right half is ``right``."""
    pixels = np.zeros((side, side, 3), dtype=np.uint8)
    pixels[:, : side // 2] = left
    pixels[:, side // 2 :] = right
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def uv_sphere(stacks: int, slices: int, material: Material | None = None) -> Mesh:
    """A unit sphere of ``2 * stacks * slices`` triangles; u runs once round the equator."""
    theta, phi = np.meshgrid(
        np.linspace(0.0, np.pi, stacks + 1), np.linspace(0.0, 2 * np.pi, slices + 1), indexing="ij"
    )
    positions = np.stack(
        [np.sin(theta) * np.sin(phi), np.cos(theta), np.sin(theta) * np.cos(phi)], axis=-1
    ).reshape(-1, 3)
    uvs = np.stack([phi / (2 * np.pi), theta / np.pi], axis=-1).reshape(-1, 2)
    r, c = np.meshgrid(np.arange(stacks), np.arange(slices), indexing="ij")
    a = (r * (slices + 1) + c).reshape(-1)
    b = a + slices + 1
    # Counter-clockwise seen from outside.
    triangles = np.concatenate([np.stack([a, b, a + 1], 1), np.stack([a + 1, b, b + 1], 1)])
    return Mesh(
        positions=positions.astype(np.float32),
        normals=positions.astype(np.float32),
        uvs=uvs.astype(np.float32),
        triangles=triangles.astype(np.uint32),
        material=material,
        name="sphere",
    )
