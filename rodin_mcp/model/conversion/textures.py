"""Textures fitted to a size limit: scaled down (never up) to at most ``max_px`` on their longer
side, re-encoded as PNG (lossless, so normal and roughness maps keep their values); a texture
already within the limit keeps its bytes. A texture that cannot be decoded, or is larger than
:data:`~rodin_mcp.model.viewer_copy.MAX_SOURCE_TEXTURE_PIXELS`, is dropped, and a note says so.
"""

from __future__ import annotations

import dataclasses
import io

from PIL import Image

from rodin_mcp.model.mesh import Material
from rodin_mcp.model.viewer_copy import MAX_SOURCE_TEXTURE_PIXELS

__all__ = ["fitted_material"]

_ROLES = {
    "base_color_png": "base colour",
    "normal_png": "normal",
    "metallic_roughness_png": "metallic-roughness",
}


def fitted_material(material: Material, max_px: int | None) -> tuple[Material, list[str]]:
    """The material with every texture fitted to ``max_px`` (None: only checked), and notes."""
    notes: list[str] = []
    changes: dict[str, bytes | None] = {}
    for field, role in _ROLES.items():
        data: bytes | None = getattr(material, field)
        if data is None:
            continue
        fitted = _fitted(data, max_px)
        if fitted is None:
            notes.append(f"the {role} texture could not be decoded and was left out")
        changes[field] = fitted
    return dataclasses.replace(material, **changes), notes


def _fitted(data: bytes, max_px: int | None) -> bytes | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_SOURCE_TEXTURE_PIXELS or width == 0 or height == 0:
                return None
            if max_px is None or max(width, height) <= max_px:
                image.verify()
                return data
            scale = max_px / max(width, height)
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            image.draft("RGB", size)
            mode = "RGBA" if "A" in image.getbands() else "RGB"
            resized = image.convert(mode).resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            out = io.BytesIO()
            resized.save(out, format="PNG")
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
