"""A mesh made ready to render: the work every view of it shares, done once.

Several views of one mesh (a contact sheet) need the same triangle list, bounding sphere and
decoded textures; a :class:`Scene` holds them so each view only projects, rasterises and shades.
Textures are kept as decoded 8-bit sRGB (converted to linear light per sampled pixel, which is
cheaper than converting a whole 2048 x 2048 image per view). A texture that cannot be decoded,
or has more than :data:`MAX_TEXTURE_PIXELS`, is left out: the view still shows the shape.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from rodin_mcp.model.mesh import Material, Mesh

__all__ = ["MAX_TEXTURE_PIXELS", "Scene", "prepare_scene"]

MAX_TEXTURE_PIXELS = 4096 * 4096
"""Larger textures are not decoded for rendering (their decoding alone would take seconds)."""


@dataclass(frozen=True, eq=False)
class Scene:
    """A mesh with what rendering it needs, computed once.

    Attributes:
        mesh: The mesh itself.
        material: Its material, or the default one.
        textured: Whether the mesh has a material (False: render in a neutral grey).
        triangles: ``(m, 3)`` int64 triangles (quads split).
        low: Minimum corner of the bounds (float64).
        high: Maximum corner of the bounds (float64).
        centre: Centre of the bounds (float64).
        radius: Distance from the centre to the farthest vertex (at least 1e-6).
        base_colour: ``(h, w, 3)`` sRGB base-colour texture, or None.
        roughness_metallic: ``(h, w, 2)`` roughness (G) and metallic (B) texture, or None.
    """

    mesh: Mesh
    material: Material
    textured: bool
    triangles: NDArray[np.int64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    centre: NDArray[np.float64]
    radius: float
    base_colour: NDArray[np.uint8] | None
    roughness_metallic: NDArray[np.uint8] | None


def decode_texture(data: bytes | None) -> NDArray[np.uint8] | None:
    """An image's pixels as ``(h, w, 3)`` RGB, or None when absent, unreadable or too large."""
    if data is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_TEXTURE_PIXELS or width == 0 or height == 0:
                return None
            return np.asarray(image.convert("RGB"), dtype=np.uint8)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def prepare_scene(mesh: Mesh) -> Scene:
    """Triangulate, bound and decode the textures of ``mesh`` for rendering."""
    low32, high32 = mesh.bounds()
    low, high = low32.astype(np.float64), high32.astype(np.float64)
    centre = (low + high) / 2.0
    radius = 1e-6
    if mesh.vertex_count:
        offsets = mesh.positions - centre.astype(np.float32)
        radius = max(float(np.sqrt(np.einsum("nc,nc->n", offsets, offsets).max())), radius)
    material = mesh.material or Material()
    roughness_metallic = decode_texture(material.metallic_roughness_png)
    return Scene(
        mesh=mesh,
        material=material,
        textured=mesh.material is not None,
        triangles=mesh.triangulated().astype(np.int64),
        low=low,
        high=high,
        centre=centre,
        radius=radius,
        base_colour=decode_texture(material.base_color_png),
        roughness_metallic=None
        if roughness_metallic is None
        else np.ascontiguousarray(roughness_metallic[:, :, 1:3]),
    )
