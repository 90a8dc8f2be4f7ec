"""The generation request's rules: every documented rule is checked before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rodin_mcp.api import GenerationRequest, check_images, option_names
from rodin_mcp.errors import RequestValidationError
from tests.api.request_strategies import GEN25, override_range, valid_requests


@settings(max_examples=200, deadline=None)
@given(valid_requests(), st.integers().filter(lambda n: not 0 <= n <= 65535))
def test_a_seed_outside_0_to_65535_is_always_refused(
    drawn: tuple[dict[str, Any], int], seed: int
) -> None:
    args, _ = drawn
    with pytest.raises(RequestValidationError) as caught:
        GenerationRequest.model_validate({**args, "seed": seed})
    assert caught.value.field == "seed"


@settings(max_examples=300, deadline=None)
@given(valid_requests(), st.integers(-10, 3_000_000))
def test_a_quality_override_outside_its_tier_range_is_always_refused(
    drawn: tuple[dict[str, Any], int], faces: int
) -> None:
    args, _ = drawn
    tier = args["tier"]
    if tier == "Sketch":
        return
    effective = args.get("mesh_mode") or ("Raw" if tier in GEN25 else "Quad")
    low, high = override_range(tier, effective)
    candidate = {**args, "quality_override": faces}
    if low <= faces <= high:
        assert GenerationRequest.model_validate(candidate).quality_override == faces
    else:
        with pytest.raises(RequestValidationError) as caught:
            GenerationRequest.model_validate(candidate)
        assert caught.value.field == "quality_override"
        assert f"{low:,}-{high:,}" in str(caught.value)


@settings(deadline=None)
@given(valid_requests(), st.integers(-5, 5000).filter(lambda n: not 1 <= n <= 2048))
def test_a_bounding_box_side_outside_1_to_2048_is_always_refused(
    drawn: tuple[dict[str, Any], int], side: int
) -> None:
    args, _ = drawn
    with pytest.raises(RequestValidationError) as caught:
        GenerationRequest.model_validate({**args, "bbox_condition": (100, side, 100)})
    assert caught.value.field == "bbox_condition"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"prompt": "x", "tier": "Sketch", "geometry_file_format": "fbx"}, "geometry_file_format"),
        ({"prompt": "x", "tier": "Sketch", "material": "Shaded"}, "material"),
        ({"prompt": "x", "tier": "Sketch", "quality": "high"}, "quality"),
        ({"prompt": "x", "tier": "Sketch", "quality_override": 5000}, "quality_override"),
        ({"prompt": "x", "tier": "Sketch", "high_pack": True}, "high_pack"),
        ({"prompt": "x", "tier": "Regular", "mesh_mode": "Raw", "high_pack": True}, "high_pack"),
        ({"prompt": "x", "tier": "Gen-2.5-Low", "high_pack": True}, "high_pack"),
        ({"prompt": "x", "tier": "Regular", "mesh_mode": "Raw", "quality": "high"}, "quality"),
        ({"prompt": "x", "tier": "Gen-2", "texture_delight": True}, "texture_delight"),
        ({"prompt": "x", "tier": "Regular", "texture_mode": "high"}, "texture_mode"),
        ({"prompt": "x", "tier": "Gen-2.5-High", "is_micro": True}, "is_micro"),
        (
            {"prompt": "x", "tier": "Gen-2.5-Low", "geometry_instruct_mode": "creative"},
            "geometry_instruct_mode",
        ),
        ({"prompt": "x", "tier": "Regular", "preview_render": True}, "preview_render"),
        ({"prompt": "x", "tier": "Gen-2", "mesh_smooth": True}, "mesh_smooth"),
        ({"prompt": "x", "tier": "Regular", "mesh_simplify": True}, "mesh_simplify"),
        ({"prompt": "x", "tier": "Gen-2", "image_label": ["F"]}, "image_label"),
        ({"prompt": "x", "tier": "Gen-3"}, "tier"),
        ({"prompt": "x", "material": "Gold"}, "material"),
        ({"prompt": "x", "colour": "red"}, "colour"),
        ({"prompt": "x" * 2501}, "prompt"),
    ],
)
def test_a_rule_breach_is_refused_naming_the_field(args: dict[str, Any], field: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        GenerationRequest(**args)
    assert caught.value.field == field
    assert str(caught.value)


def test_an_enum_breach_lists_the_allowed_values() -> None:
    with pytest.raises(RequestValidationError) as caught:
        GenerationRequest(prompt="x", geometry_file_format="blend")  # pyright: ignore[reportArgumentType]
    assert "'glb'" in str(caught.value)
    assert "'stl'" in str(caught.value)


def test_the_wire_name_tapose_is_accepted_as_input_too() -> None:
    assert GenerationRequest.model_validate({"prompt": "x", "TAPose": True}).ta_pose


@pytest.mark.parametrize(
    ("args", "images", "field"),
    [
        ({}, 0, "prompt"),
        ({"prompt": "   "}, 0, "prompt"),
        ({"prompt": "x"}, 6, "images"),
        ({"prompt": "x", "tier": "Gen-2.5-Low", "image_label": ["F"]}, 0, "image_label"),
        ({"tier": "Gen-2.5-Low", "image_label": ["F", "B"]}, 1, "image_label"),
    ],
)
def test_a_rule_about_the_images_is_refused_naming_the_field(
    args: dict[str, Any], images: int, field: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        check_images(GenerationRequest(**args), images)
    assert caught.value.field == field
    assert str(caught.value)


@settings(max_examples=100, deadline=None)
@given(valid_requests())
def test_every_valid_request_passes_the_image_rules_for_its_images(
    drawn: tuple[dict[str, Any], int],
) -> None:
    args, images = drawn
    check_images(GenerationRequest(**args), images)


def test_the_options_are_every_field_but_the_prompt() -> None:
    assert option_names() == [n for n in GenerationRequest.model_fields if n != "prompt"]
    assert "image_count" not in GenerationRequest.model_json_schema()["properties"]
