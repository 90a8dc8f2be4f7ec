"""The generation request's rules and wire form, and the tolerant response models."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rodin_mcp.api.models import (
    DownloadItem,
    GenerationRequest,
    ImagePart,
    JobStatus,
    StatusResult,
    SubmitResult,
    task_state,
)
from rodin_mcp.errors import RequestValidationError

GEN1 = ["Sketch", "Regular", "Detail", "Smooth"]
GEN25 = [
    "Gen-2.5-Extreme-Low",
    "Gen-2.5-Low",
    "Gen-2.5-Medium",
    "Gen-2.5-High",
    "Gen-2.5-Extreme-High",
]
TIERS = [*GEN1, "Gen-2", *GEN25]
WIRE_NAMES = {
    "prompt", "tier", "geometry_file_format", "material", "quality", "quality_override",
    "mesh_mode", "seed", "condition_mode", "bbox_condition", "mesh_simplify", "mesh_smooth",
    "addons", "height", "texture_mode", "geometry_instruct_mode", "image_label", "is_symmetric",
    "use_original_alpha", "TAPose", "preview_render", "hd_texture", "texture_delight", "is_micro",
}  # fmt: skip


def override_range(tier: str, mesh_mode: str) -> tuple[int, int]:
    """rodin-api.md §2.4, written out independently of the code under test."""
    table = {
        ("gen1", "Quad"): (2_000, 200_000),
        ("gen1", "Raw"): (500, 1_000_000),
        ("gen2", "Quad"): (1_000, 200_000),
        ("gen2", "Raw"): (500, 1_000_000),
        ("gen2.5", "Quad"): (1_000, 200_000),
        ("gen2.5", "Raw"): (500, 1_000_000),
    }
    if tier in ("Gen-2.5-High", "Gen-2.5-Extreme-High") and mesh_mode == "Raw":
        return (20_000, 2_000_000)
    family = "gen1" if tier in GEN1 else "gen2" if tier == "Gen-2" else "gen2.5"
    return table[(family, mesh_mode)]


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def valid_requests(draw: st.DrawFn) -> dict[str, Any]:
    """Keyword arguments of a request that follows every documented rule."""
    tier = draw(st.sampled_from(TIERS))
    images = draw(st.integers(0, 5))
    text = st.text(min_size=1, max_size=60).filter(lambda s: s.strip() != "")
    prompt = draw(text) if images == 0 else draw(maybe(text))
    args: dict[str, Any] = {"tier": tier, "image_count": images, "prompt": prompt}
    args["seed"] = draw(maybe(st.integers(0, 65535)))
    args["bbox_condition"] = draw(maybe(st.tuples(*[st.integers(1, 2048)] * 3)))
    args["ta_pose"] = draw(st.booleans())
    args["use_original_alpha"] = draw(st.booleans())
    args["condition_mode"] = draw(maybe(st.sampled_from(["concat", "fuse"])))
    if tier == "Sketch":
        args["quality"] = draw(st.sampled_from([None, "medium"]))
        return args
    mesh_mode = draw(st.sampled_from([None, "Quad", "Raw"]))
    effective = mesh_mode or ("Raw" if tier in GEN25 else "Quad")
    args["mesh_mode"] = mesh_mode
    args["geometry_file_format"] = draw(st.sampled_from(["glb", "usdz", "fbx", "obj", "stl"]))
    args["material"] = draw(st.sampled_from(["PBR", "Shaded", "All", "None"]))
    qualities = ["high", "medium", "low", "extra-low"]
    if tier in GEN1 and effective == "Raw":
        qualities = ["medium"]
    args["quality"] = draw(maybe(st.sampled_from(qualities)))
    low, high = override_range(tier, effective)
    args["quality_override"] = draw(maybe(st.integers(low, high)))
    args["high_pack"] = effective == "Quad" and draw(st.booleans())
    if tier in GEN1:
        key = "mesh_simplify" if effective == "Raw" else "mesh_smooth"
        args[key] = draw(maybe(st.booleans()))
        return args
    args["preview_render"] = draw(st.booleans())
    args["hd_texture"] = draw(st.booleans())
    args["height"] = draw(maybe(st.integers(1, 100_000)))
    if tier in GEN25:
        args["texture_delight"] = draw(st.booleans())
        args["texture_mode"] = draw(
            maybe(st.sampled_from(["legacy", "extreme-low", "low", "medium", "high"]))
        )
        modes = ["faithful", "creative"] if tier in GEN25[2:] else ["faithful"]
        args["geometry_instruct_mode"] = draw(maybe(st.sampled_from(modes)))
        args["is_micro"] = tier == "Gen-2.5-Extreme-High" and draw(st.booleans())
        labels = st.sampled_from(["F", "FL", "FR", "L", "R", "B", "BL", "BR", "U", "D", "?"])
        args["image_label"] = draw(maybe(st.lists(labels, max_size=images)))
        args["is_symmetric"] = draw(
            maybe(st.sampled_from(["symmetric", "balanced", "asymmetric", "unknown"]))
        )
    return args


@settings(max_examples=300, deadline=None)
@given(valid_requests())
def test_every_valid_request_serializes_to_documented_fields_and_reads_back(
    args: dict[str, Any],
) -> None:
    request = GenerationRequest(**args)
    fields = request.to_form_fields()

    assert {name for name, _ in fields} <= WIRE_NAMES
    assert all(isinstance(value, str) for _, value in fields)
    again = GenerationRequest.from_form_fields(fields, image_count=args["image_count"])
    assert again.to_form_fields() == fields
    if request.quality_override is None:
        assert again == request


@settings(max_examples=200, deadline=None)
@given(valid_requests(), st.integers().filter(lambda n: not 0 <= n <= 65535))
def test_a_seed_outside_0_to_65535_is_always_refused(args: dict[str, Any], seed: int) -> None:
    with pytest.raises(RequestValidationError) as caught:
        GenerationRequest.model_validate({**args, "seed": seed})
    assert caught.value.field == "seed"


@settings(max_examples=300, deadline=None)
@given(valid_requests(), st.integers(-10, 3_000_000))
def test_a_quality_override_outside_its_tier_range_is_always_refused(
    args: dict[str, Any], faces: int
) -> None:
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
    args: dict[str, Any], side: int
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        GenerationRequest.model_validate({**args, "bbox_condition": (100, side, 100)})
    assert caught.value.field == "bbox_condition"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({}, "prompt"),
        ({"prompt": "   "}, "prompt"),
        ({"prompt": "x", "image_count": 6}, "images"),
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
        ({"prompt": "x", "tier": "Gen-2.5-Low", "image_label": ["F"]}, "image_label"),
        ({"image_count": 1, "tier": "Gen-2.5-Low", "image_label": ["F", "B"]}, "image_label"),
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


def test_quality_override_wins_and_quality_is_not_sent() -> None:
    request = GenerationRequest(prompt="x", quality="low", quality_override=30_000)
    fields = dict(request.to_form_fields())
    assert fields["quality_override"] == "30000"
    assert "quality" not in fields


def test_array_options_travel_as_json_strings_and_high_pack_as_one_addon_field() -> None:
    request = GenerationRequest(
        image_count=2,
        tier="Gen-2.5-Medium",
        mesh_mode="Quad",
        bbox_condition=(100, 50, 30),
        image_label=["F", "B"],
        high_pack=True,
        ta_pose=True,
    )
    fields = request.to_form_fields()
    assert ("bbox_condition", "[100,50,30]") in fields
    assert json.loads(dict(fields)["image_label"]) == ["F", "B"]
    assert ("addons", "HighPack") in fields
    assert ("TAPose", "true") in fields
    assert "prompt" not in dict(fields)


def test_the_wire_name_tapose_is_accepted_as_input_too() -> None:
    assert GenerationRequest.model_validate({"prompt": "x", "TAPose": True}).ta_pose


def test_the_image_count_is_not_part_of_the_tool_schema_nor_of_the_dump() -> None:
    request = GenerationRequest(image_count=1)
    assert "image_count" not in GenerationRequest.model_json_schema()["properties"]
    assert "image_count" not in request.model_dump()


def test_with_image_count_checks_the_rules_again() -> None:
    request = GenerationRequest(image_count=2, tier="Gen-2.5-Low", image_label=["F", "B"])
    with pytest.raises(RequestValidationError):
        request.with_image_count(1)
    with pytest.raises(RequestValidationError) as caught:
        GenerationRequest(image_count=1).with_image_count(0)
    assert caught.value.field == "prompt"


@pytest.mark.parametrize(
    ("args", "credits"),
    [
        ({"tier": "Sketch"}, 0.5),
        ({"tier": "Regular"}, 0.5),
        ({"tier": "Gen-2", "high_pack": True}, 1.5),
        ({"tier": "Gen-2.5-High"}, 0.5),
        ({"tier": "Gen-2.5-Extreme-High"}, 1.0),
        ({"tier": "Gen-2.5-Extreme-High", "mesh_mode": "Quad", "high_pack": True}, 2.0),
        ({"tier": "Gen-2.5-Medium", "texture_mode": "extreme-high"}, 2.5),
    ],
)
def test_estimated_credits_follow_the_price_table(args: dict[str, Any], credits: float) -> None:
    assert GenerationRequest(prompt="x", **args).estimated_credits() == credits


@pytest.mark.parametrize(
    ("statuses", "state"),
    [
        ([], "waiting"),
        (["Waiting", "Waiting"], "waiting"),
        (["Waiting", "Generating"], "generating"),
        (["Done", "Generating"], "generating"),
        (["Done", "Done"], "done"),
        (["Done", "Failed"], "failed"),
        (["Generating", "Canceled"], "failed"),
        (["Waiting", "Cancelled"], "failed"),
        (["Done", "Error"], "failed"),
        (["Done", "Waiting"], "waiting"),
        (["DONE", "done"], "done"),
        (["Queued"], "waiting"),
    ],
)
def test_the_task_state_is_derived_from_the_job_states(statuses: list[str], state: str) -> None:
    assert task_state(statuses) == state
    jobs = [JobStatus(uuid=str(i), status=s) for i, s in enumerate(statuses)]
    assert StatusResult(jobs=jobs).model_dump()["state"] == state


def test_reprs_hide_signed_urls_and_subscription_keys() -> None:
    item = DownloadItem(url="https://assets.example/a.glb?sig=SECRET-SIG", name="a.glb")
    submitted = SubmitResult(task_uuid="t", subscription_key="SECRET-JWT")
    image = ImagePart("0000.png", "image/png", b"\x89PNG" * 1000)
    assert "SECRET" not in repr(item)
    assert "SECRET" not in repr(submitted)
    assert "4000 bytes" in repr(image)
