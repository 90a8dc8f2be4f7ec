"""The Generate Texture request (``POST /rodin_texture_only``): new textures for a model the
caller already has, from one reference image. Every option is checked before anything is sent.

Source of the rules: https://developer.hyper3d.ai/api-specification/generate-texture. The model
file travels beside the options (at most :data:`MAX_MODEL_BYTES`), and exactly one image.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import (
    ConfigDict,
    Field,
    field_validator,
)

from rodin_mcp.api.request import MAX_PROMPT_CHARS, CheckedRequest, GeometryFormat
from rodin_mcp.errors import RequestValidationError

__all__ = [
    "MAX_MODEL_BYTES",
    "Resolution",
    "TextureMaterial",
    "TextureRequest",
    "check_model_size",
    "texture_option_names",
]

MAX_MODEL_BYTES = 10 * 1024 * 1024
"""The largest model file Generate Texture accepts (the API reference says 10 MB)."""

TextureMaterial = Literal["PBR", "Shaded"]
Resolution = Literal["Basic", "High"]


class TextureRequest(CheckedRequest):
    """Every option of a Generate Texture task, checked before anything is sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str | None = Field(
        default=None,
        max_length=MAX_PROMPT_CHARS,
        description=(
            "What the new texture should look like, in plain words; guides the result beside "
            f"the reference image. Up to {MAX_PROMPT_CHARS} characters."
        ),
    )
    seed: int | None = Field(
        default=None, ge=0, le=65535, description="Random seed 0-65535 for repeatable results."
    )
    geometry_file_format: GeometryFormat = Field(
        default="glb", description="3D file format of the textured result."
    )
    material: TextureMaterial = Field(
        default="PBR",
        description="PBR: physically based textures; Shaded: colour with baked light.",
    )
    resolution: Resolution = Field(
        default="Basic", description="Texture resolution: Basic = 2K, High = 4K."
    )
    escore: float = Field(
        default=3.5, description="How closely the texture follows the reference image."
    )
    reference_scale: float = Field(
        default=1.0, gt=0, description="Scale of the reference image on the model, above 0."
    )

    @field_validator("prompt", mode="before")
    @classmethod
    def _blank_prompt_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("escore", "reference_scale")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


def check_model_size(size: int) -> None:
    """Refuse a model file larger than :data:`MAX_MODEL_BYTES`.

    Raises:
        RequestValidationError: the file is too large to send.
    """
    if size > MAX_MODEL_BYTES:
        raise RequestValidationError(
            f"The model file is {size:,} bytes; Rodin accepts at most "
            f"{MAX_MODEL_BYTES // (1024 * 1024)} MB ({MAX_MODEL_BYTES:,} bytes). Use a smaller "
            "or simplified model.",
            field="model",
        )


def texture_option_names() -> list[str]:
    """The texture request's options, in declaration order (one tool argument or flag each)."""
    return list(TextureRequest.model_fields)
