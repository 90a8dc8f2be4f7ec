"""A Generate Texture request (``POST /api/v2/rodin_texture_only``) as the emulator checks it.

The fields, from https://developer.hyper3d.ai/api-specification/generate-texture (multipart,
0.5 credit): file ``image`` (one reference image, required), file ``model`` (required, at most
10 MB), ``prompt``, ``seed`` (0-65535), ``geometry_file_format`` (glb default, usdz, fbx, obj,
stl), ``material`` (PBR default, Shaded), ``escore`` (default 3.5), ``reference_scale``
(default 1) and ``resolution`` (``Basic`` = 2K default, ``High`` = 4K).

Choices where the docs are silent (also in docs/emulator.md): 10 MB means 10 MiB; ``image`` is
checked like ``/rodin`` images; ``model`` must be a GLB, USDZ, FBX, OBJ or STL by content;
``escore`` takes any finite number and ``reference_scale`` any finite number above 0 (neither
changes the output).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rodin_mcp.emulator.form_values import (
    FormFields,
    invalid,
    optional_choice,
    optional_int,
    single,
)
from rodin_mcp.emulator.model_uploads import model_format
from rodin_mcp.emulator.submission import FORMATS, is_image

__all__ = ["MAX_MODEL_BYTES", "TEXTURE_COST", "TextureOrder", "read_texture_order"]

MAX_MODEL_BYTES = 10 * 1024 * 1024
TEXTURE_COST = 0.5
TEXTURE_MATERIALS = ("PBR", "Shaded")
RESOLUTIONS = ("Basic", "High")


@dataclass(frozen=True, kw_only=True)
class TextureOrder:
    """A checked texture-only request."""

    image: bytes
    model: bytes
    model_format: str
    prompt: str
    seed: int
    geometry_file_format: str
    material: str
    escore: float
    reference_scale: float
    resolution: str
    cost: float = TEXTURE_COST


def read_texture_order(
    fields: FormFields, images: Sequence[bytes], models: Sequence[bytes], *, default_seed: int
) -> TextureOrder:
    """Check a texture-only request's parts and fields like the real service.

    Args:
        fields: Text fields by name, each with its values in arrival order.
        images: The ``image`` file parts, in order.
        models: The ``model`` file parts, in order.
        default_seed: The seed to use when the request sends none.

    Raises:
        Refusal: ``INVALID_REQUEST`` naming the first bad part or field.
    """
    image = _one(images, "image", "reference image")
    if not is_image(image):
        raise invalid("image", "is not a PNG, JPEG, WEBP or other image file")
    model = _one(models, "model", "model file")
    if len(model) > MAX_MODEL_BYTES:
        raise invalid("model", "must be at most 10 MB")
    fmt = model_format(model)
    if fmt is None:
        raise invalid("model", "is not a GLB, USDZ, FBX, OBJ or STL model")
    seed = optional_int(fields, "seed", 0, 65535)
    return TextureOrder(
        image=image,
        model=model,
        model_format=fmt,
        prompt=single(fields, "prompt") or "",
        seed=default_seed if seed is None else seed,
        geometry_file_format=optional_choice(fields, "geometry_file_format", FORMATS) or "glb",
        material=optional_choice(fields, "material", TEXTURE_MATERIALS) or "PBR",
        escore=_number(fields, "escore", 3.5, positive=False),
        reference_scale=_number(fields, "reference_scale", 1.0, positive=True),
        resolution=optional_choice(fields, "resolution", RESOLUTIONS) or "Basic",
    )


def _one(parts: Sequence[bytes], name: str, what: str) -> bytes:
    if not parts:
        raise invalid(name, "required")
    if len(parts) > 1:
        raise invalid(name, f"exactly one {what} is allowed")
    return parts[0]


def _number(fields: FormFields, name: str, default: float, *, positive: bool) -> float:
    raw = single(fields, name)
    if raw is None:
        return default
    rule = "must be a number above 0" if positive else "must be a number"
    try:
        value = float(raw)
    except ValueError:
        raise invalid(name, rule) from None
    if not math.isfinite(value) or (positive and value <= 0):
        raise invalid(name, rule)
    return value
