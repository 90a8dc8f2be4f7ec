"""The request on the wire: documented field names, text values, and the emulator reads it back
as the same request (two independent implementations of one contract)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings

from rodin_mcp.api import GenerationRequest, estimated_credits, form_fields
from rodin_mcp.emulator.submission import read_submission
from tests.api.request_strategies import valid_requests

WIRE_NAMES = {
    "prompt", "tier", "geometry_file_format", "material", "quality", "quality_override",
    "mesh_mode", "seed", "condition_mode", "bbox_condition", "mesh_simplify", "mesh_smooth",
    "addons", "height", "texture_mode", "geometry_instruct_mode", "image_label", "is_symmetric",
    "use_original_alpha", "TAPose", "preview_render", "hd_texture", "texture_delight", "is_micro",
}  # fmt: skip


PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@settings(max_examples=300, deadline=None)
@given(valid_requests())
def test_every_valid_request_travels_as_documented_fields_the_emulator_accepts(
    drawn: tuple[dict[str, Any], int],
) -> None:
    args, images = drawn
    request = GenerationRequest(**args)
    fields = form_fields(request)

    assert {name for name, _ in fields} <= WIRE_NAMES
    assert all(isinstance(value, str) for _, value in fields)
    by_name: dict[str, list[str]] = {}
    for name, value in fields:
        by_name.setdefault(name, []).append(value)
    read = read_submission(by_name, [PNG] * images, default_seed=1)
    assert read.tier == request.tier
    assert read.high_pack == request.high_pack
    assert read.cost == estimated_credits(request)
    if request.seed is not None:
        assert read.seed == request.seed
    if request.tier != "Sketch":
        assert read.geometry_file_format == request.geometry_file_format
        assert read.material == request.material


def test_quality_override_wins_and_quality_is_not_sent() -> None:
    request = GenerationRequest(prompt="x", quality="low", quality_override=30_000)
    fields = dict(form_fields(request))
    assert fields["quality_override"] == "30000"
    assert "quality" not in fields


def test_array_options_travel_as_json_strings_and_high_pack_as_one_addon_field() -> None:
    request = GenerationRequest(
        tier="Gen-2.5-Medium",
        mesh_mode="Quad",
        bbox_condition=(100, 50, 30),
        image_label=["F", "B"],
        high_pack=True,
        ta_pose=True,
    )
    fields = form_fields(request)
    assert ("bbox_condition", "[100,50,30]") in fields
    assert json.loads(dict(fields)["image_label"]) == ["F", "B"]
    assert ("addons", "HighPack") in fields
    assert ("TAPose", "true") in fields
    assert "prompt" not in dict(fields)
