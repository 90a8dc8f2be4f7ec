"""A lightweight GLB of a model for an in-browser viewer: fewer triangles, smaller textures.

The browser side reads plain glTF 2.0 (no Draco, no WASM), so the copy is made small the plain
way: the mesh is decimated by vertex clustering (:mod:`rodin_mcp.model.decimate`) to at most
``max_triangles``, and every texture is scaled down so its longer side is at most
``max_texture_px``. The base colour becomes a JPEG (quality 85; a JPEG already small enough is
kept as it is); the normal and metallic-roughness maps stay lossless PNG, because JPEG's block
artefacts would show as false bumps and shine. The material's factors are kept, and an unlit
material stays unlit (``KHR_materials_unlit``, the one extension used). A texture that cannot be
decoded, or is larger than :data:`MAX_SOURCE_TEXTURE_PIXELS`, is left out.
"""

from __future__ import annotations

import dataclasses
import io

from PIL import Image

from rodin_mcp.model.decimate import cluster_decimate
from rodin_mcp.model.glb_writer import image_media_type, write_glb
from rodin_mcp.model.mesh import Mesh

__all__ = ["MAX_SOURCE_TEXTURE_PIXELS", "lightweight_glb"]

MAX_SOURCE_TEXTURE_PIXELS = 8192 * 8192
"""Textures with more pixels are dropped rather than decoded."""

_JPEG_QUALITY = 85


def _opened(data: bytes) -> Image.Image | None:
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > MAX_SOURCE_TEXTURE_PIXELS or width == 0 or height == 0:
            return None
        image_media_type(data)  # only formats glTF allows are kept
        return image
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def _fitted(image: Image.Image, max_px: int) -> Image.Image:
    """The image scaled down (never up) so that its longer side is at most ``max_px``."""
    width, height = image.size
    scale = max_px / max(width, height)
    if scale >= 1.0:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if image.format == "JPEG":
        image.draft("RGB", size)  # decode big JPEGs at a fraction of their size
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _base_colour(data: bytes | None, max_px: int) -> bytes | None:
    image = None if data is None else _opened(data)
    if data is None or image is None:
        return None
    if image.format == "JPEG" and max(image.size) <= max_px:
        return data
    try:
        out = io.BytesIO()
        _fitted(image, max_px).convert("RGB").save(out, format="JPEG", quality=_JPEG_QUALITY)
    except (OSError, ValueError):
        return None
    return out.getvalue()


def _lossless(data: bytes | None, max_px: int) -> bytes | None:
    image = None if data is None else _opened(data)
    if data is None or image is None:
        return None
    if max(image.size) <= max_px:
        return data
    try:
        fitted = _fitted(image, max_px)
        out = io.BytesIO()
        fitted.convert("RGB" if fitted.mode not in ("RGB", "RGBA") else fitted.mode).save(
            out, format="PNG"
        )
    except (OSError, ValueError):
        return None
    return out.getvalue()


def lightweight_glb(
    mesh: Mesh, *, max_triangles: int = 200_000, max_texture_px: int = 1024
) -> bytes:
    """A glTF 2.0 binary of ``mesh`` for a browser viewer (see the module notes).

    A mesh already within ``max_triangles`` is written without decimation.

    Args:
        mesh: The model, as read by :func:`~rodin_mcp.model.read_glb`.
        max_triangles: Most triangles the copy may have.
        max_texture_px: Longest side of any texture in the copy.

    Raises:
        ValueError: The mesh has no faces (or none survive decimation), or a cap is below 1.
    """
    if max_texture_px < 1:
        raise ValueError("max_texture_px must be at least 1")
    light = cluster_decimate(mesh, max_triangles)
    material = light.material
    if material is not None:
        material = dataclasses.replace(
            material,
            base_color_png=_base_colour(material.base_color_png, max_texture_px),
            normal_png=_lossless(material.normal_png, max_texture_px),
            metallic_roughness_png=_lossless(material.metallic_roughness_png, max_texture_px),
        )
        light = dataclasses.replace(light, material=material)
    return write_glb(light)
