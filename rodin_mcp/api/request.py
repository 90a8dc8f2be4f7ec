"""The generation request (``POST /rodin``): every option, and every documented rule checked
before anything is sent.

Invalid values raise :class:`~rodin_mcp.errors.RequestValidationError` naming the field, so a
model calling a tool gets one kind of error with an actionable message. The rules that depend on
the images sent with the request are in :func:`check_images`. Source of the rules:
https://developer.hyper3d.ai/api-specification/rodin-generation-gen2 and its Gen-1 and Gen-2.5
pages.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self, get_args

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)

from rodin_mcp.api.pricing import PRICES
from rodin_mcp.errors import RequestValidationError

__all__ = [
    "GEN1_TIERS",
    "GEN25_TIERS",
    "MAX_IMAGES",
    "MAX_PROMPT_CHARS",
    "BBoxCondition",
    "CheckedRequest",
    "GenerationRequest",
    "GeometryFormat",
    "ImageLabel",
    "Material",
    "MeshMode",
    "Quality",
    "Tier",
    "check_images",
    "option_names",
    "quality_override_range",
    "request_error_from",
]

MAX_IMAGES = 5
MAX_PROMPT_CHARS = 2500

Tier = Literal[
    "Sketch",
    "Regular",
    "Detail",
    "Smooth",
    "Gen-2",
    "Gen-2.5-Extreme-Low",
    "Gen-2.5-Low",
    "Gen-2.5-Medium",
    "Gen-2.5-High",
    "Gen-2.5-Extreme-High",
]
GEN1_TIERS: frozenset[str] = frozenset({"Sketch", "Regular", "Detail", "Smooth"})
GEN25_TIERS: frozenset[str] = frozenset(t for t in get_args(Tier) if t.startswith("Gen-2.5-"))
_CREATIVE_TIERS = frozenset({"Gen-2.5-Medium", "Gen-2.5-High", "Gen-2.5-Extreme-High"})
_HIGH_RAW_TIERS = frozenset({"Gen-2.5-High", "Gen-2.5-Extreme-High"})

GeometryFormat = Literal["glb", "usdz", "fbx", "obj", "stl"]
Material = Literal["PBR", "Shaded", "All", "None"]
Quality = Literal["high", "medium", "low", "extra-low"]
MeshMode = Literal["Quad", "Raw"]
TextureMode = Literal["legacy", "extreme-low", "low", "medium", "high", "extreme-high"]
ImageLabel = Literal["F", "FL", "FR", "L", "R", "B", "BL", "BR", "U", "D", "?"]
Symmetry = Literal["symmetric", "balanced", "asymmetric", "unknown"]
BBoxSide = Annotated[int, Field(ge=1, le=2048)]
BBoxCondition = tuple[BBoxSide, BBoxSide, BBoxSide]


def _family(tier: str) -> Literal["gen1", "gen2", "gen2.5"]:
    if tier in GEN1_TIERS:
        return "gen1"
    return "gen2" if tier == "Gen-2" else "gen2.5"


def _default_mesh_mode(tier: str) -> MeshMode:
    return "Raw" if tier in GEN25_TIERS else "Quad"


def quality_override_range(tier: str, mesh_mode: MeshMode) -> tuple[int, int] | None:
    """The accepted ``quality_override`` face counts for a tier and mesh mode (https://developer.hyper3d.ai/api-specification/rodin-generation-gen2).

    Returns:
        ``(low, high)`` inclusive, or ``None`` when the tier takes no override (Sketch).
    """
    if tier == "Sketch":
        return None
    family = _family(tier)
    if mesh_mode == "Quad":
        return (2_000, 200_000) if family == "gen1" else (1_000, 200_000)
    if tier in _HIGH_RAW_TIERS:
        return (20_000, 2_000_000)
    return (500, 1_000_000)


class CheckedRequest(BaseModel):
    """A request model whose every refused value is a
    :class:`~rodin_mcp.errors.RequestValidationError` naming the field, not pydantic's error."""

    @model_validator(mode="wrap")
    @classmethod
    def _as_request_error(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        try:
            return handler(data)
        except ValidationError as exc:
            raise request_error_from(exc) from None


class GenerationRequest(CheckedRequest):
    """Every option of a Rodin generation (``POST /rodin``), checked before anything is sent.

    Options that do not apply to the chosen tier are refused rather than silently ignored. Invalid
    values raise :class:`~rodin_mcp.errors.RequestValidationError` naming the field.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_by_name=True, validate_by_alias=True
    )

    prompt: str | None = Field(
        default=None,
        max_length=MAX_PROMPT_CHARS,
        description=(
            "What to generate, in plain words. Required without images; with images it guides "
            f"the result. Up to {MAX_PROMPT_CHARS} characters."
        ),
    )
    tier: Tier = Field(
        default="Regular",
        description=(
            "Model family and speed. Sketch: fast, low-poly, GLB only. Regular/Detail/Smooth: "
            "Gen-1.5. Gen-2: higher fidelity. Gen-2.5-Extreme-Low..Extreme-High: newest, "
            f"Extreme-High costs {PRICES.extreme_high_tier:g} credit, every other tier "
            f"{PRICES.base:g}."
        ),
    )
    geometry_file_format: GeometryFormat = Field(
        default="glb", description="3D file format of the result. Sketch allows only glb."
    )
    material: Material = Field(
        default="PBR",
        description=(
            "PBR: physically based textures; Shaded: colour with baked light; All: both; "
            "None: geometry only. Sketch allows only PBR."
        ),
    )
    quality: Quality | None = Field(
        default=None,
        description=(
            "Face-count preset (high/medium/low/extra-low). Ignored when quality_override is set; "
            "Sketch and Gen-1 Raw allow only medium. Default: the tier's own."
        ),
    )
    quality_override: int | None = Field(
        default=None,
        # The range depends on tier and mesh mode; _check_quality says which applies.
        json_schema_extra={"minimum": 500, "maximum": 2_000_000},
        description=(
            "Exact target face count; wins over quality. Ranges: Gen-1 Quad 2,000-200,000; "
            "Gen-2/2.5 Quad 1,000-200,000; Raw 500-1,000,000, but 20,000-2,000,000 for "
            "Gen-2.5-High/Extreme-High. Not for Sketch."
        ),
    )
    mesh_mode: MeshMode | None = Field(
        default=None,
        description=(
            "Quad: quad faces; Raw: triangles. Default: Raw for Gen-2.5 tiers, Quad otherwise."
        ),
    )
    seed: int | None = Field(
        default=None, ge=0, le=65535, description="Random seed 0-65535 for repeatable results."
    )
    use_original_alpha: bool = Field(
        default=False, description="Use the first image's own transparency as the object mask."
    )
    condition_mode: Literal["concat", "fuse"] | None = Field(
        default=None,
        description=(
            "Gen-1 tiers with several images: concat = views of one object; fuse = merge "
            "several objects. Later tiers treat several images as views of one object."
        ),
    )
    ta_pose: bool = Field(
        default=False,
        validation_alias=AliasChoices("ta_pose", "TAPose"),
        serialization_alias="TAPose",
        description="Put humanoid characters in a T/A pose.",
    )
    bbox_condition: BBoxCondition | None = Field(
        default=None,
        description=(
            "Bounding-box proportions [width, height, length] as three integers 1-2048; "
            "sets the shape's proportions, not its size."
        ),
    )
    mesh_simplify: bool | None = Field(
        default=None, description="Gen-1 Raw only: simplify the triangle mesh."
    )
    mesh_smooth: bool | None = Field(
        default=None, description="Gen-1 Quad only: smooth the quad mesh."
    )
    high_pack: bool = Field(
        default=False,
        description=(
            "HighPack add-on: 4K textures (and more faces in Quad). Costs "
            f"{PRICES.high_pack:g} extra credit. Needs mesh_mode=Quad; not for Sketch."
        ),
    )
    preview_render: bool = Field(
        default=False, description="Gen-2/2.5: add a high-quality preview render to the results."
    )
    hd_texture: bool = Field(
        default=False,
        description="Gen-2/2.5: enhance textures afterwards (may reduce similarity to images).",
    )
    height: int | None = Field(
        default=None, ge=1, le=100_000, description="Gen-2/2.5: approximate object height in cm."
    )
    texture_delight: bool = Field(
        default=False, description="Gen-2.5 only: remove baked-in lighting from textures."
    )
    texture_mode: TextureMode | None = Field(
        default=None,
        description=(
            "Gen-2.5 only: texture detail level; extreme-high costs "
            f"{PRICES.extreme_high_texture:g} extra credits."
        ),
    )
    geometry_instruct_mode: Literal["faithful", "creative"] | None = Field(
        default=None,
        description=(
            "Gen-2.5 only: faithful follows the input closely; creative (Gen-2.5-Medium, High, "
            "Extreme-High only) takes more liberty."
        ),
    )
    is_micro: bool = Field(
        default=False, description="Gen-2.5-Extreme-High only: add micro surface detail."
    )
    image_label: list[ImageLabel] | None = Field(
        default=None,
        max_length=MAX_IMAGES,
        description=(
            "Gen-2.5 only: view of each image, in order (F front, B back, L/R left/right, FL FR "
            "BL BR diagonals, U up, D down, ? unknown). At most one label per image."
        ),
    )
    is_symmetric: Symmetry | None = Field(
        default=None, description="Gen-2.5 only: symmetry hint for the object."
    )

    @field_validator("prompt", mode="before")
    @classmethod
    def _blank_prompt_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            stripped = value.strip()
            return stripped or None
        return value

    @model_validator(mode="after")
    def _check_rules(self) -> Self:
        for rule in (
            self._check_sketch,
            self._check_tier_specific,
            self._check_quality,
            self._check_high_pack,
        ):
            rule()
        return self

    @property
    def effective_mesh_mode(self) -> MeshMode:
        """The mesh mode Rodin will use: the one given, or the tier's default."""
        return self.mesh_mode or _default_mesh_mode(self.tier)

    # Rules. Each raises RequestValidationError naming the field to change.

    def _check_sketch(self) -> None:
        if self.tier != "Sketch":
            return
        fixed = {
            "geometry_file_format": (self.geometry_file_format, "glb"),
            "material": (self.material, "PBR"),
            "quality": (self.quality or "medium", "medium"),
        }
        for name, (value, allowed) in fixed.items():
            if value != allowed:
                raise RequestValidationError(
                    f"Tier Sketch allows only {name}={allowed}; use another tier for {value}.",
                    field=name,
                )
        if self.quality_override is not None:
            raise RequestValidationError(
                "Tier Sketch takes no quality_override; drop it or choose another tier.",
                field="quality_override",
            )

    def _check_tier_specific(self) -> None:
        family = _family(self.tier)
        if family != "gen2.5":
            self._refuse_set(
                "a Gen-2.5 tier (Gen-2.5-Extreme-Low ... Gen-2.5-Extreme-High)",
                texture_delight=self.texture_delight,
                texture_mode=self.texture_mode,
                geometry_instruct_mode=self.geometry_instruct_mode,
                is_micro=self.is_micro,
                image_label=self.image_label,
                is_symmetric=self.is_symmetric,
            )
        if family == "gen1":
            self._refuse_set(
                "tier Gen-2 or a Gen-2.5 tier",
                preview_render=self.preview_render,
                hd_texture=self.hd_texture,
                height=self.height,
            )
        else:
            self._refuse_set(
                "a Gen-1 tier (Sketch, Regular, Detail, Smooth)",
                mesh_simplify=self.mesh_simplify,
                mesh_smooth=self.mesh_smooth,
            )
        if self.is_micro and self.tier != "Gen-2.5-Extreme-High":
            raise RequestValidationError(
                "is_micro needs tier Gen-2.5-Extreme-High.", field="is_micro"
            )
        if self.geometry_instruct_mode == "creative" and self.tier not in _CREATIVE_TIERS:
            raise RequestValidationError(
                "geometry_instruct_mode=creative needs tier Gen-2.5-Medium, Gen-2.5-High or "
                "Gen-2.5-Extreme-High; use faithful for this tier.",
                field="geometry_instruct_mode",
            )
        mode = self.effective_mesh_mode
        if self.mesh_simplify is not None and mode != "Raw":
            raise RequestValidationError(
                "mesh_simplify applies only with mesh_mode=Raw.", field="mesh_simplify"
            )
        if self.mesh_smooth is not None and mode != "Quad":
            raise RequestValidationError(
                "mesh_smooth applies only with mesh_mode=Quad.", field="mesh_smooth"
            )

    def _check_quality(self) -> None:
        if self.quality_override is None:
            if (
                _family(self.tier) == "gen1"
                and self.effective_mesh_mode == "Raw"
                and self.quality not in (None, "medium")
            ):
                raise RequestValidationError(
                    "Gen-1 tiers with mesh_mode=Raw allow only quality=medium; use "
                    "mesh_mode=Quad for other presets.",
                    field="quality",
                )
            return
        bounds = quality_override_range(self.tier, self.effective_mesh_mode)
        if bounds is None:
            return  # Sketch: refused by _check_sketch already.
        low, high = bounds
        if not low <= self.quality_override <= high:
            raise RequestValidationError(
                f"quality_override for tier {self.tier} with mesh_mode="
                f"{self.effective_mesh_mode} must be {low:,}-{high:,} faces; got "
                f"{self.quality_override:,}.",
                field="quality_override",
            )

    def _check_high_pack(self) -> None:
        if not self.high_pack:
            return
        if self.tier == "Sketch":
            raise RequestValidationError(
                "HighPack is not available for tier Sketch.", field="high_pack"
            )
        if self.effective_mesh_mode == "Raw":
            default = " (the default for Gen-2.5 tiers)" if self.mesh_mode is None else ""
            raise RequestValidationError(
                f"HighPack cannot be combined with mesh_mode=Raw{default}; set mesh_mode=Quad "
                "or drop high_pack.",
                field="high_pack",
            )

    def _refuse_set(self, needs: str, **values: object) -> None:
        for name, value in values.items():
            if value is not None and value is not False:
                raise RequestValidationError(
                    f"{name} needs {needs}; tier {self.tier} does not take it.", field=name
                )


def check_images(request: GenerationRequest, image_count: int) -> None:
    """Check the rules that depend on how many images go with ``request``.

    Raises:
        RequestValidationError: too many images, neither a prompt nor an image, or more image
            labels than images.
    """
    if image_count > MAX_IMAGES:
        raise RequestValidationError(
            f"At most {MAX_IMAGES} images can be sent; got {image_count}.", field="images"
        )
    if request.prompt is None and image_count == 0:
        raise RequestValidationError(
            "Give a prompt (text-to-3D) or at least one image (image-to-3D).", field="prompt"
        )
    labels = request.image_label
    if labels is not None and len(labels) > image_count:
        raise RequestValidationError(
            f"image_label has {len(labels)} labels for {image_count} image(s); give at most one "
            "label per image.",
            field="image_label",
        )


def option_names() -> list[str]:
    """The request's options other than the prompt, in declaration order (one tool argument or
    command-line flag each)."""
    return [name for name in GenerationRequest.model_fields if name != "prompt"]


def request_error_from(exc: ValidationError) -> RequestValidationError:
    """The :class:`RequestValidationError` naming the first field pydantic refused."""
    first = exc.errors(include_url=False, include_input=False)[0]
    location = [str(part) for part in first["loc"]]
    name = location[0] if location else None
    if name == "TAPose":
        name = "ta_pose"
    where = ".".join(location) or "request"
    if first["type"] == "extra_forbidden":
        message = f"Unknown option {where!r}; see the tool's input schema for valid options."
    else:
        message = f"Invalid {where}: {first['msg']}."
    return RequestValidationError(message, field=name)
