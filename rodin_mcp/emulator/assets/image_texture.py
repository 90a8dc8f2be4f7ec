"""An uploaded reference image as texture maps: decoded, flattened over white, resized."""

from __future__ import annotations

import io
import logging
import warnings

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from rodin_mcp.emulator.assets.texture_maps import TextureMaps, normal_map

__all__ = ["image_maps", "image_pixels"]

logger = logging.getLogger(__name__)


def image_pixels(data: bytes, size: int) -> NDArray[np.uint8] | None:
    """The image as ``size`` x ``size`` RGB (alpha composited over white), Lanczos-resized.

    Undecodable images and decompression bombs (Pillow's pixel limit) give None.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", (size, size))  # JPEG: decode at a reduced scale when large
                rgba = image.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        logger.warning("input image could not be decoded; using a procedural texture")
        return None
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(white, rgba).convert("RGB")
    return np.asarray(flat.resize((size, size), Image.Resampling.LANCZOS), dtype=np.uint8)


def image_maps(pixels: NDArray[np.uint8]) -> TextureMaps:
    """Maps to go with a projected image: a gentle relief and roughness from its luminance."""
    luminance = (
        np.einsum("hwc,c->hw", pixels.astype(np.float64), np.array([0.2126, 0.7152, 0.0722]))
        / 255.0
    )
    roughness = ((0.45 + 0.3 * (1.0 - luminance)) * 255.0 + 0.5).astype(np.uint8)
    return TextureMaps(
        base_color=pixels,
        normal=normal_map(luminance, strength=2.0),
        roughness=roughness,
        metallic=np.zeros_like(roughness),
    )
