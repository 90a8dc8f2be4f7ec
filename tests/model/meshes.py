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
