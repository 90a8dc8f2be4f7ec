"""Wavefront OBJ + MTL writer (textures are separate PNG files named in the MTL)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rodin_mcp.emulator.formats.text_arrays import format_rows
from rodin_mcp.model.mesh import Mesh

__all__ = ["MtlTextures", "write_mtl", "write_obj"]


@dataclass(frozen=True)
class MtlTextures:
    """File names (next to the MTL) of the maps a material uses; None leaves a map out."""

    diffuse: str | None = None
    normal: str | None = None
    metallic: str | None = None
    roughness: str | None = None


def write_obj(mesh: Mesh, mtl_name: str | None = None, *, keep_quads: bool = True) -> bytes:
    """Serialise a mesh as OBJ text with ``v``, ``vt``, ``vn`` and ``f v/vt/vn`` faces.

    Args:
        mesh: The mesh. UV V is flipped to OBJ's bottom-left origin.
        mtl_name: File name of the MTL to reference (``mtllib``/``usemtl``), or None.
        keep_quads: Write quads as 4-vertex faces; otherwise split them into triangles.

    Returns:
        The OBJ as UTF-8 bytes (deterministic).
    """
    parts = ["# rodin-mcp emulator\n"]
    if mtl_name is not None:
        parts.append(f"mtllib {mtl_name}\n")
    parts.append(f"o {mesh.name}\n")
    parts.append(format_rows("v %.6f %.6f %.6f\n", mesh.positions.astype(np.float64)))
    uv = mesh.uvs.astype(np.float64) * np.array([1.0, -1.0]) + np.array([0.0, 1.0])
    parts.append(format_rows("vt %.6f %.6f\n", uv))
    parts.append(format_rows("vn %.6f %.6f %.6f\n", mesh.normals.astype(np.float64)))
    if mtl_name is not None and mesh.material is not None:
        parts.append(f"usemtl {mesh.material.name}\n")
    parts.append("s 1\n")
    if keep_quads:
        quads = mesh.quads.astype(np.int64) + 1
        tris = mesh.triangles.astype(np.int64) + 1
    else:
        quads = np.zeros((0, 4), dtype=np.int64)
        tris = mesh.triangulated().astype(np.int64) + 1
    parts.append(
        format_rows("f %d/%d/%d %d/%d/%d %d/%d/%d %d/%d/%d\n", np.repeat(quads, 3, axis=1))
    )
    parts.append(format_rows("f %d/%d/%d %d/%d/%d %d/%d/%d\n", np.repeat(tris, 3, axis=1)))
    return "".join(parts).encode("utf-8")


def write_mtl(mesh: Mesh, textures: MtlTextures) -> bytes:
    """Serialise the mesh's material as an MTL with PBR extensions (``Pm``, ``Pr``, ``map_Pr``).

    Args:
        mesh: The mesh whose material to describe (a plain grey one when it has none).
        textures: Names of the texture files to reference.

    Returns:
        The MTL as UTF-8 bytes.
    """
    material = mesh.material
    name = material.name if material is not None else "material"
    r, g, b = material.base_color_factor[:3] if material is not None else (0.8, 0.8, 0.8)
    lines = [
        "# rodin-mcp emulator",
        f"newmtl {name}",
        "Ka 1.000000 1.000000 1.000000",
        f"Kd {r:.6f} {g:.6f} {b:.6f}",
        "Ks 0.000000 0.000000 0.000000",
        "d 1.000000",
        "illum 1" if material is not None and material.unlit else "illum 2",
    ]
    if material is not None and not material.unlit:
        lines.append(f"Pm {material.metallic_factor:.6f}")
        lines.append(f"Pr {material.roughness_factor:.6f}")
    if textures.diffuse:
        lines.append(f"map_Kd {textures.diffuse}")
    if textures.normal:
        lines.append(f"norm {textures.normal}")
        lines.append(f"map_Bump -bm 1.000000 {textures.normal}")
    if textures.metallic:
        lines.append(f"map_Pm {textures.metallic}")
    if textures.roughness:
        lines.append(f"map_Pr {textures.roughness}")
    return ("\n".join(lines) + "\n").encode("utf-8")
