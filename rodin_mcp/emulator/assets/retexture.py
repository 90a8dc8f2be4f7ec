"""Re-texturing an uploaded model (``/rodin_texture_only``): same geometry, a new texture.

The upload's positions, normals and triangles are kept exactly (GLB, OBJ and STL are read; see
:mod:`.mesh_reading`). Every vertex gets new UVs that project the reference image onto the
model from the front (+Z), fitting its bounds, and the image (alpha over white) becomes the
base-colour texture. The first colour word of the prompt (``red``, ``navy``, ...; see
:mod:`.finishes`) tints it: a quarter of each texel becomes that colour. Normal and roughness
maps come from the image's luminance, as for image generations. ``Shaded`` bakes the light into
the base colour (written unlit). Textures are 512 px for ``Basic`` and 1024 px for ``High``
(a quarter of Rodin's 2K / 4K, like generations), named ``base_basic_*`` / ``base_high_*``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.emulator.assets.assembly import front_projection_uvs
from rodin_mcp.emulator.assets.baking import bake_shaded
from rodin_mcp.emulator.assets.finishes import COLOUR_WORDS, prompt_words
from rodin_mcp.emulator.assets.image_texture import image_maps, image_pixels
from rodin_mcp.emulator.assets.mesh_reading import UnreadableModel, read_mesh
from rodin_mcp.emulator.assets.packaging import (
    GeneratedFile,
    ModelLevel,
    model_files,
    preview_file,
    variants,
)

__all__ = ["TINT_SHARE", "RetextureRequest", "retexture_files"]

TINT_SHARE = 0.25
_BASIC_SIZE = 512
_HIGH_SIZE = 1024
_FALLBACK_GREY = 128


@dataclass(frozen=True)
class RetextureRequest:
    """The facts of a texture-only request that shape its files.

    Attributes:
        image: The reference image bytes.
        model: The uploaded model bytes.
        model_format: What the model is by content (``glb``, ``obj``, ``stl``, ...).
        prompt: The prompt, or "".
        geometry_file_format: The format to write.
        material: ``PBR`` or ``Shaded``.
        high_resolution: ``resolution=High``.
    """

    image: bytes
    model: bytes
    model_format: str
    prompt: str
    geometry_file_format: str
    material: str
    high_resolution: bool


def retexture_files(request: RetextureRequest) -> list[GeneratedFile]:
    """The model files, loose textures and ``preview.webp`` of a re-textured upload.

    An upload that cannot be read gives no files (the emulator fails such tasks at submit).
    """
    try:
        mesh = read_mesh(request.model, request.model_format)
    except UnreadableModel:
        return []
    size = _HIGH_SIZE if request.high_resolution else _BASIC_SIZE
    positions = mesh.positions.astype(np.float64)
    normals = mesh.normals.astype(np.float64)
    uvs = front_projection_uvs(positions)
    maps = image_maps(_base_colour(request, size))
    triangles = mesh.triangles.astype(np.int64)
    shaded = bake_shaded(positions, normals, uvs, triangles, maps.base_color)
    model = ModelLevel(
        positions=mesh.positions,
        normals=mesh.normals,
        uvs=uvs.astype(np.float32),
        quads=np.zeros((0, 4), dtype=np.uint32),
        triangles=mesh.triangles,
        maps=maps,
        shaded=shaded,
    )
    level = "high" if request.high_resolution else "basic"
    fmt = request.geometry_file_format
    models, loose, preview_mesh = model_files(
        model, level, fmt, variants(request.material), mesh.name
    )
    return [*models, *loose, preview_file(preview_mesh)]


def _base_colour(request: RetextureRequest, size: int) -> NDArray[np.uint8]:
    pixels = image_pixels(request.image, size)
    if pixels is None:
        pixels = np.full((size, size, 3), _FALLBACK_GREY, dtype=np.uint8)
    colour = next(
        (COLOUR_WORDS[w] for w in prompt_words(request.prompt) if w in COLOUR_WORDS), None
    )
    if colour is None:
        return pixels
    tint = np.asarray(colour, dtype=np.float64) * 255.0
    mixed = pixels.astype(np.float64) * (1.0 - TINT_SHARE) + tint * TINT_SHARE
    return np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
