"""A model file read into one :class:`~rodin_mcp.model.Mesh` (+Y up) for converting, with the
unit its coordinates are in when the file says.

GLB goes through the model room's own reader (:func:`~rodin_mcp.model.read_glb`: hardened,
node transforms applied, primitives merged, first material kept), in metres. OBJ (with its
material and base-colour texture, read only from its own folder) and STL go through trimesh;
they state no unit. STL is taken as +Z up (the printing convention) and turned to +Y up. USDZ
goes through OpenUSD (usd-core): its first material's base-colour texture is kept, and its
``upAxis`` and ``metersPerUnit`` are honoured. FBX is refused: no well-kept Python library reads
it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.errors import ConversionError
from rodin_mcp.model.conversion.libraries import optional_module
from rodin_mcp.model.conversion.placement import z_up_to_y_up
from rodin_mcp.model.glb_reader import GLBReadError, read_glb
from rodin_mcp.model.mesh import Material, Mesh, vertex_normals

__all__ = ["READABLE", "SourceModel", "read_source"]

READABLE = ("glb", "obj", "stl", "usdz")


@dataclass(frozen=True)
class SourceModel:
    """A model read for converting.

    Attributes:
        mesh: Its triangles, +Y up.
        metres_per_unit: What one coordinate unit is in metres; None when the file does not say.
    """

    mesh: Mesh
    metres_per_unit: float | None


def read_source(path: Path, fmt: str) -> SourceModel:
    """Read ``path`` (whose content is ``fmt``, told by :func:`~rodin_mcp.model.sniffing`).

    Raises:
        ConversionError: the format cannot be converted, the file is malformed, or it has no
            triangles.
        ConverterMissingError: the library that reads it is not installed.
        OSError: the file cannot be read.
    """
    if fmt == "glb":
        try:
            source = SourceModel(read_glb(path.read_bytes()), 1.0)
        except GLBReadError as exc:
            raise ConversionError(f"The GLB cannot be read: {exc}") from None
    elif fmt in ("obj", "stl"):
        source = _read_with_trimesh(path, fmt)
    elif fmt == "usdz":
        from rodin_mcp.model.conversion.usd_reading import read_usdz

        source = read_usdz(path)
    else:
        raise ConversionError(
            f"{fmt.upper()} files cannot be converted here (no well-kept Python library reads "
            f"them); convert one of {', '.join(f.upper() for f in READABLE)} instead."
        )
    if source.mesh.triangle_count == 0:
        raise ConversionError("The model has no triangles to convert.")
    return source


def _read_with_trimesh(path: Path, fmt: str) -> SourceModel:
    trimesh = optional_module("trimesh", f"Reading {fmt.upper()}")
    try:
        loaded: Any = trimesh.load(str(path), file_type=fmt, force="mesh", process=False)
    except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ConversionError(f"The {fmt.upper()} file cannot be read: {exc}") from None
    if not isinstance(loaded, trimesh.Trimesh) or len(loaded.faces) == 0:
        raise ConversionError(f"The {fmt.upper()} file holds no triangles.")
    positions = np.asarray(loaded.vertices, dtype=np.float64)
    faces = np.asarray(loaded.faces, dtype=np.int64)
    if not np.all(np.isfinite(positions)):
        raise ConversionError(f"The {fmt.upper()} file has coordinates that are not numbers.")
    uvs, material = _texture_of(loaded, len(positions))
    mesh = Mesh(
        positions=positions.astype(np.float32),
        normals=vertex_normals(positions, faces),
        uvs=uvs,
        triangles=faces.astype(np.uint32),
        material=material,
        name=path.stem[:64] or "model",
    )
    return SourceModel(z_up_to_y_up(mesh) if fmt == "stl" else mesh, None)


def _texture_of(loaded: Any, count: int) -> tuple[NDArray[np.float32], Material | None]:
    """UVs (glTF convention: v from the image's top) and the base-colour material, if any."""
    visual = loaded.visual
    uv_raw = getattr(visual, "uv", None)
    if uv_raw is None or len(uv_raw) != count:
        return np.zeros((count, 2), dtype=np.float32), None
    uvs = np.asarray(uv_raw, dtype=np.float64)
    uvs = np.stack([uvs[:, 0], 1.0 - uvs[:, 1]], axis=1).astype(np.float32)
    material = getattr(visual, "material", None)
    image = getattr(material, "image", None) or getattr(material, "baseColorTexture", None)
    png = None
    if image is not None:
        out = io.BytesIO()
        image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB").save(out, "PNG")
        png = out.getvalue()
    name = str(getattr(material, "name", None) or "material")
    return uvs, Material(name=name[:64], base_color_png=png, roughness_factor=0.8)
