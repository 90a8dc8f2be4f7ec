"""A generation request as the emulator reads, checks, sizes and prices it.

The fields and their rules: https://developer.hyper3d.ai/api-specification/rodin-generation-gen2
(and https://developer.hyper3d.ai/api-specification/rodin-generation for Gen-1/1.5).

Deliberate choices where the sources are silent or disagree (also in docs/emulator.md):

* ``Sketch`` silently forces ``glb``, ``PBR``, quality ``medium`` and triangles, and ignores
  ``quality_override``, as documented ("the value will be fixed to glb").
* ``HighPack`` is refused with ``mesh_mode=Raw`` in every family, and with ``Sketch``.
* ``quality_override`` for Gen-1 ``Raw`` (no documented range) takes 500..1,000,000.
* ``bbox_condition`` values must be integers 1..2048 (the widest range reported).
* Unknown fields are ignored; a prompt has no length cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rodin_mcp.emulator.error_codes import IMAGE_LABEL_LENGTH_TOO_LONG, INVALID_REQUEST, Refusal
from rodin_mcp.emulator.form_values import (
    FormFields,
    int_array,
    invalid,
    json_array,
    optional_bool,
    optional_choice,
    optional_int,
    single,
    string_list,
)

__all__ = ["MAX_IMAGES", "TIERS", "Submission", "TierFamily", "is_image", "read_submission"]

MAX_IMAGES = 5
TierFamily = Literal["gen1", "gen2", "gen2.5"]
TIERS: dict[str, TierFamily] = {
    "Sketch": "gen1",
    "Regular": "gen1",
    "Detail": "gen1",
    "Smooth": "gen1",
    "Gen-2": "gen2",
    "Gen-2.5-Minimum": "gen2.5",
    "Gen-2.5-Extreme-Low": "gen2.5",
    "Gen-2.5-Low": "gen2.5",
    "Gen-2.5-Medium": "gen2.5",
    "Gen-2.5-High": "gen2.5",
    "Gen-2.5-Extreme-High": "gen2.5",
}
FORMATS = ("glb", "usdz", "fbx", "obj", "stl")
MATERIALS = ("PBR", "Shaded", "All", "None")
GEN25_MATERIALS = (*MATERIALS, "Hybrid")
QUALITIES = ("high", "medium", "low", "extra-low")
MESH_MODES = ("Quad", "Raw")
TEXTURE_MODES = ("legacy", "minimum", "extreme-low", "low", "medium", "high", "extreme-high")
IMAGE_LABELS = ("F", "FL", "FR", "L", "R", "B", "BL", "BR", "U", "D", "?")
_BOOLEAN_FIELDS = (
    "use_original_alpha",
    "use_hyper",
    "TAPose",
    "ta_pose",
    "mesh_simplify",
    "mesh_smooth",
    "hd_texture",
    "texture_delight",
    "soft",
    "quad_normal",
    "uhd_texture",
    "model_early_export",
)
_QUAD_PRESETS = {"high": 50_000, "medium": 18_000, "low": 8_000, "extra-low": 4_000}
_PRESETS: dict[tuple[TierFamily, str], dict[str, int]] = {
    ("gen1", "Quad"): _QUAD_PRESETS,
    ("gen1", "Raw"): _QUAD_PRESETS,
    ("gen2", "Quad"): _QUAD_PRESETS,
    ("gen2", "Raw"): {"high": 500_000, "medium": 150_000, "low": 20_000, "extra-low": 2_000},
    ("gen2.5", "Quad"): _QUAD_PRESETS,
    ("gen2.5", "Raw"): {"high": 1_000_000, "medium": 500_000, "low": 60_000, "extra-low": 20_000},
}
_OVERRIDE_RANGES: dict[tuple[TierFamily, str], tuple[int, int]] = {
    ("gen1", "Quad"): (2_000, 200_000),
    ("gen1", "Raw"): (500, 1_000_000),
    ("gen2", "Quad"): (1_000, 200_000),
    ("gen2", "Raw"): (500, 1_000_000),
    ("gen2.5", "Quad"): (1_000, 200_000),
    ("gen2.5", "Raw"): (500, 1_000_000),
}
_GEN25_WIDE_RAW_TIERS = frozenset({"Gen-2.5-High", "Gen-2.5-Extreme-High"})
_GEN25_WIDE_RAW_RANGE = (20_000, 2_000_000)
_CREATIVE_TIERS = frozenset({"Gen-2.5-Medium", "Gen-2.5-High", "Gen-2.5-Extreme-High"})
_IMAGE_CAPTION = "A 3D model of the object in the reference image"


@dataclass(frozen=True, kw_only=True)
class Submission:
    """A checked generation request, with what it costs and how many faces it asks for."""

    prompt: str
    image: bytes | None
    image_count: int
    tier: str
    family: TierFamily
    seed: int
    geometry_file_format: str
    material: str
    mesh_mode: str
    quality: str
    target_faces: int
    bbox: tuple[int, int, int] | None
    high_pack: bool
    preview_render_job: bool
    texture_mode: str | None
    cost: float


def read_submission(
    fields: FormFields, images: Sequence[bytes], *, default_seed: int
) -> Submission:
    """Check a submit's fields and images like the real service, and size and price it.

    Args:
        fields: Text fields by name, each with its values in arrival order.
        images: The ``images`` parts, in order.
        default_seed: The seed to use when the request sends none.

    Raises:
        Refusal: A business error (``INVALID_REQUEST`` or ``IMAGE_LABEL_LENGTH_TOO_LONG``).
        ArrayFieldSyntaxError: ``image_label`` or ``bbox_condition`` is not valid JSON.
    """
    tier = optional_choice(fields, "tier", tuple(TIERS)) or "Regular"
    family = TIERS[tier]
    _check_images(images)
    prompt = single(fields, "prompt")
    if prompt is None and not images:
        raise Refusal(INVALID_REQUEST, "Either 'prompt' or at least one of 'images' is required.")
    for name in _BOOLEAN_FIELDS:
        optional_bool(fields, name)
    optional_choice(fields, "condition_mode", ("concat", "fuse"))
    optional_choice(fields, "is_symmetric", ("symmetric", "balanced", "asymmetric", "unknown"))
    optional_int(fields, "height", 1, 100_000)
    optional_int(fields, "detail_level", 1, 3)
    seed = optional_int(fields, "seed", 0, 65535)
    file_format = optional_choice(fields, "geometry_file_format", FORMATS) or "glb"
    materials = GEN25_MATERIALS if family == "gen2.5" else MATERIALS
    material = optional_choice(fields, "material", materials) or "PBR"
    mesh_mode = optional_choice(fields, "mesh_mode", MESH_MODES)
    mesh_mode = mesh_mode or ("Raw" if family == "gen2.5" else "Quad")
    quality = optional_choice(fields, "quality", QUALITIES)
    texture_mode = optional_choice(fields, "texture_mode", TEXTURE_MODES)
    high_pack = _read_high_pack(fields, tier, mesh_mode)
    _check_gen25_options(fields, tier)
    _check_image_labels(fields, len(images))
    bbox = _read_bbox(fields)
    preview_render = optional_bool(fields, "preview_render")
    if tier == "Sketch":
        file_format, material, mesh_mode, quality = "glb", "PBR", "Raw", "medium"
        target_faces = _PRESETS[(family, "Raw")]["medium"]
    else:
        if family == "gen1" and mesh_mode == "Raw":
            quality = "medium"
        quality = quality or ("high" if (family, mesh_mode) == ("gen2", "Raw") else "medium")
        target_faces = _read_target_faces(fields, tier, family, mesh_mode, quality)
    return Submission(
        prompt=prompt or _IMAGE_CAPTION,
        image=images[0] if images else None,
        image_count=len(images),
        tier=tier,
        family=family,
        seed=default_seed if seed is None else seed,
        geometry_file_format=file_format,
        material=material,
        mesh_mode=mesh_mode,
        quality=quality,
        target_faces=target_faces,
        bbox=bbox,
        high_pack=high_pack,
        preview_render_job=preview_render and family != "gen1",
        texture_mode=texture_mode,
        cost=_cost(tier, family, high_pack, texture_mode),
    )


def is_image(data: bytes) -> bool:
    """Whether ``data`` starts like an image file a client may upload."""
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")):
        return True
    if data.startswith((b"II*\x00", b"MM\x00*", b"\x00\x00\x00\x0cjP  ", b"\xff\x4f\xff\x51")):
        return True
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return True
    brands = (b"avif", b"avis", b"heic", b"heix", b"mif1", b"msf1", b"hevc")
    return data[4:8] == b"ftyp" and data[8:12] in brands


def _check_images(images: Sequence[bytes]) -> None:
    if len(images) > MAX_IMAGES:
        raise invalid("images", f"at most {MAX_IMAGES} images are allowed")
    for index, data in enumerate(images):
        if not is_image(data):
            raise invalid("images", f"image {index} is not a PNG, JPEG, WEBP or other image file")


def _read_high_pack(fields: FormFields, tier: str, mesh_mode: str) -> bool:
    addons = string_list(fields, "addons")
    for addon in addons:
        if addon != "HighPack":
            raise invalid("addons", "the only addon is HighPack")
    if not addons:
        return False
    if tier == "Sketch":
        raise invalid("addons", "HighPack is not available for Sketch")
    if mesh_mode == "Raw":
        raise invalid("addons", "HighPack cannot be used with mesh_mode Raw")
    return True


def _check_gen25_options(fields: FormFields, tier: str) -> None:
    if optional_bool(fields, "is_micro") and tier != "Gen-2.5-Extreme-High":
        raise invalid("is_micro", "is only available for Gen-2.5-Extreme-High")
    instruct = optional_choice(fields, "geometry_instruct_mode", ("faithful", "creative"))
    if instruct == "creative" and tier not in _CREATIVE_TIERS:
        raise invalid(
            "geometry_instruct_mode",
            "creative is only available for Gen-2.5-Medium, Gen-2.5-High and Gen-2.5-Extreme-High",
        )


def _check_image_labels(fields: FormFields, image_count: int) -> None:
    labels = json_array(fields, "image_label")
    if labels is None:
        return
    for label in labels:
        if label not in IMAGE_LABELS:
            raise invalid("image_label", f"labels must be among {', '.join(IMAGE_LABELS)}")
    if len(labels) > image_count:
        raise Refusal(
            IMAGE_LABEL_LENGTH_TOO_LONG,
            f"image_label has {len(labels)} labels for {image_count} images.",
        )


def _read_bbox(fields: FormFields) -> tuple[int, int, int] | None:
    values = int_array(fields, "bbox_condition")
    if not values:
        return None
    if len(values) != 3 or not all(1 <= v <= 2048 for v in values):
        raise invalid("bbox_condition", "must be three integers from 1 to 2048")
    return (values[0], values[1], values[2])


def _read_target_faces(
    fields: FormFields, tier: str, family: TierFamily, mesh_mode: str, quality: str
) -> int:
    low, high = _OVERRIDE_RANGES[(family, mesh_mode)]
    if family == "gen2.5" and mesh_mode == "Raw" and tier in _GEN25_WIDE_RAW_TIERS:
        low, high = _GEN25_WIDE_RAW_RANGE
    override = optional_int(fields, "quality_override", low, high)
    return override if override is not None else _PRESETS[(family, mesh_mode)][quality]


def _cost(tier: str, family: TierFamily, high_pack: bool, texture_mode: str | None) -> float:
    cost = 1.0 if tier == "Gen-2.5-Extreme-High" else 0.5
    if high_pack:
        cost += 1.0
    if family == "gen2.5" and texture_mode == "extreme-high":
        cost += 2.0
    return cost
