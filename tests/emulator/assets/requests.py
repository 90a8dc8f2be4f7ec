"""Requests and input images for the asset generator tests."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import numpy as np
from PIL import Image

from rodin_mcp.emulator.assets import AssetRequest, GeneratedFile

DEFAULT = AssetRequest(
    prompt="a wooden chair",
    seed=7,
    tier="Regular",
    geometry_file_format="glb",
    material="PBR",
    mesh_mode="Quad",
    target_faces=4000,
    bbox=None,
    high_pack=False,
    image=None,
    preview=False,
)


def request(**changes: Any) -> AssetRequest:
    """The default request (small, no preview) with some fields changed."""
    return replace(DEFAULT, **changes)


def by_name(files: list[GeneratedFile]) -> dict[str, GeneratedFile]:
    return {f.name: f for f in files}


def photo(width: int = 320, height: int = 240, fmt: str = "PNG", alpha: bool = False) -> bytes:
    """A structured picture: colour gradients and a dark disc, recognisable when resized."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 255 * x / width
    g = 255 * y / height
    b = 255 * (1 - x / width)
    disc = (x - width * 0.6) ** 2 + (y - height * 0.4) ** 2 < (min(width, height) * 0.2) ** 2
    pixels = np.stack([r, g, b], axis=-1)
    pixels[disc] = [20, 20, 30]
    image = Image.fromarray(pixels.astype(np.uint8))
    if alpha:
        a = np.where(x < width / 2, 255, 0).astype(np.uint8)
        image = Image.fromarray(np.dstack([pixels.astype(np.uint8), a]), "RGBA")
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()
