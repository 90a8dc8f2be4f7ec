"""Submit validation, face-count rules and pricing, observed over HTTP like a client would."""

from __future__ import annotations

from collections.abc import Mapping

import httpx2
import pytest

from rodin_mcp.emulator import RunningEmulator
from tests.emulator.conftest import MakeClient, StartEmulator
from tests.emulator.helpers import FieldValue, png, submit

TEXT = {"prompt": "a wooden chair"}
ONE_IMAGE = [png()]


def refusal_code(
    client: httpx2.Client, fields: Mapping[str, FieldValue], images: list[bytes] | None = None
) -> str | None:
    """The business error code of a submit (``None`` on success); asserts HTTP 201."""
    response = submit(client, fields, images or [])
    assert response.status_code == 201, response.text
    body = response.json()
    if "error" in body:
        assert body["message"], body
        return str(body["error"])
    assert body["uuid"]
    return None


@pytest.mark.parametrize(
    "fields",
    [
        {"tier": "Ultra"},
        {"tier": "regular"},
        {"seed": "-1"},
        {"seed": "65536"},
        {"seed": "twelve"},
        {"geometry_file_format": "gltf"},
        {"material": "Metal"},
        {"material": "Hybrid"},
        {"quality": "ultra"},
        {"mesh_mode": "Triangles"},
        {"condition_mode": "merge"},
        {"texture_mode": "ultra"},
        {"is_symmetric": "yes"},
        {"geometry_instruct_mode": "wild"},
        {"addons": "Turbo"},
        {"TAPose": "yes"},
        {"preview_render": "maybe"},
        {"detail_level": "4"},
        {"bbox_condition": "[100,100]"},
        {"bbox_condition": "[0,100,100]"},
        {"bbox_condition": "[100,100,3000]"},
        {"bbox_condition": '["a","b","c"]'},
        {"bbox_condition": '{"w": 1}'},
    ],
    ids=lambda fields: "-".join(f"{k}={v}" for k, v in fields.items()),
)
def test_out_of_range_or_unknown_values_are_invalid_requests(
    client: httpx2.Client, emulator: RunningEmulator, fields: dict[str, str]
) -> None:
    assert refusal_code(client, {**TEXT, **fields}) == "INVALID_REQUEST"
    assert emulator.tasks == []
    assert emulator.balance == 1000


def test_a_prompt_or_an_image_is_required(client: httpx2.Client) -> None:
    assert refusal_code(client, {}) == "INVALID_REQUEST"
    assert refusal_code(client, {"prompt": "   "}) == "INVALID_REQUEST"
    assert refusal_code(client, {}, ONE_IMAGE) is None
    assert refusal_code(client, {"prompt": "a guiding prompt"}, ONE_IMAGE) is None


def test_five_images_are_accepted_and_six_refused(client: httpx2.Client) -> None:
    assert refusal_code(client, {}, [png()] * 5) is None
    assert refusal_code(client, {}, [png()] * 6) == "INVALID_REQUEST"


def test_an_upload_that_is_not_an_image_is_an_invalid_request(client: httpx2.Client) -> None:
    response = client.post("rodin", files=[("images", ("notes.txt", b"hello world", "text/plain"))])

    assert response.json()["error"] == "INVALID_REQUEST"


def test_an_image_part_without_a_filename_is_still_an_image(client: httpx2.Client) -> None:
    response = client.post("rodin", files=[("images", (None, png()))])

    assert response.status_code == 201
    assert "error" not in response.json()


@pytest.mark.parametrize("seed", ["0", "65535", "12345"])
def test_seed_bounds_are_inclusive(client: httpx2.Client, seed: str) -> None:
    assert refusal_code(client, {**TEXT, "seed": seed}) is None


@pytest.mark.parametrize(
    ("tier", "mesh_mode", "low", "high"),
    [
        ("Regular", "Quad", 2_000, 200_000),
        ("Detail", "Quad", 2_000, 200_000),
        ("Gen-2", "Raw", 500, 1_000_000),
        ("Gen-2", "Quad", 1_000, 200_000),
        ("Gen-2.5-Medium", "Raw", 500, 1_000_000),
        ("Gen-2.5-Low", "Quad", 1_000, 200_000),
        ("Gen-2.5-High", "Raw", 20_000, 2_000_000),
        ("Gen-2.5-Extreme-High", "Raw", 20_000, 2_000_000),
    ],
)
def test_quality_override_range_depends_on_tier_family_and_mesh_mode(
    client: httpx2.Client, tier: str, mesh_mode: str, low: int, high: int
) -> None:
    def code(faces: int) -> str | None:
        fields = {**TEXT, "tier": tier, "mesh_mode": mesh_mode, "quality_override": str(faces)}
        return refusal_code(client, fields)

    assert code(low) is None
    assert code(high) is None
    assert code(low - 1) == "INVALID_REQUEST"
    assert code(high + 1) == "INVALID_REQUEST"


def test_quality_override_has_no_effect_on_sketch(client: httpx2.Client) -> None:
    assert refusal_code(client, {**TEXT, "tier": "Sketch", "quality_override": "1"}) is None


def test_sketch_accepts_other_formats_and_materials_because_it_forces_its_own(
    client: httpx2.Client,
) -> None:
    fields = {**TEXT, "tier": "Sketch", "geometry_file_format": "fbx", "material": "Shaded"}

    assert refusal_code(client, fields) is None


@pytest.mark.parametrize(
    "fields",
    [
        {"tier": "Regular", "mesh_mode": "Raw", "addons": "HighPack"},
        {"tier": "Gen-2", "mesh_mode": "Raw", "addons": "HighPack"},
        {"tier": "Gen-2.5-Medium", "addons": "HighPack"},  # Gen-2.5 defaults to Raw
        {"tier": "Sketch", "addons": "HighPack"},
    ],
)
def test_highpack_is_refused_with_raw_meshes_and_sketch(
    client: httpx2.Client, fields: dict[str, str]
) -> None:
    assert refusal_code(client, {**TEXT, **fields}) == "INVALID_REQUEST"


@pytest.mark.parametrize(
    "addons",
    ["HighPack", '["HighPack"]', ["HighPack", "HighPack"], "HighPack,HighPack"],
    ids=["bare", "json", "repeated", "comma"],
)
def test_addons_are_read_in_every_encoding_seen_in_the_wild(
    client: httpx2.Client, addons: FieldValue
) -> None:
    response = submit(client, {**TEXT, "tier": "Regular", "addons": addons})

    assert response.json()["consumed"] == 1.5


def test_is_micro_is_only_for_gen25_extreme_high(client: httpx2.Client) -> None:
    assert (
        refusal_code(client, {**TEXT, "tier": "Gen-2.5-High", "is_micro": "true"})
        == "INVALID_REQUEST"
    )
    assert (
        refusal_code(client, {**TEXT, "tier": "Gen-2.5-Extreme-High", "is_micro": "true"}) is None
    )
    assert refusal_code(client, {**TEXT, "tier": "Gen-2.5-High", "is_micro": "false"}) is None


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        ("Gen-2.5-Extreme-Low", "INVALID_REQUEST"),
        ("Gen-2.5-Low", "INVALID_REQUEST"),
        ("Gen-2", "INVALID_REQUEST"),
        ("Gen-2.5-Medium", None),
        ("Gen-2.5-High", None),
        ("Gen-2.5-Extreme-High", None),
    ],
)
def test_creative_geometry_is_only_for_medium_high_and_extreme_high(
    client: httpx2.Client, tier: str, expected: str | None
) -> None:
    fields = {**TEXT, "tier": tier, "geometry_instruct_mode": "creative"}

    assert refusal_code(client, fields) == expected


def test_hybrid_material_is_a_gen25_value(client: httpx2.Client) -> None:
    assert refusal_code(client, {**TEXT, "tier": "Gen-2.5-Low", "material": "Hybrid"}) is None


def test_more_image_labels_than_images_is_image_label_length_too_long(
    client: httpx2.Client,
) -> None:
    fields = {"tier": "Gen-2.5-Medium", "image_label": '["F","B"]'}

    assert refusal_code(client, fields, ONE_IMAGE) == "IMAGE_LABEL_LENGTH_TOO_LONG"
    assert refusal_code(client, {**fields, "image_label": '["F"]'}, ONE_IMAGE) is None
    assert refusal_code(client, {**fields, "image_label": '["X"]'}, ONE_IMAGE) == "INVALID_REQUEST"


@pytest.mark.parametrize(
    "fields",
    [
        {"image_label": "?"},
        {"image_label": "[F"},
        {"bbox_condition": "?"},
        {"bbox_condition": "[1,2"},
    ],
    ids=["label-?", "label-[F", "bbox-?", "bbox-[1,2"],
)
def test_invalid_json_in_array_fields_is_http_500_as_observed(
    client: httpx2.Client, emulator: RunningEmulator, fields: dict[str, str]
) -> None:
    response = submit(client, {**TEXT, **fields}, ONE_IMAGE)

    assert response.status_code == 500
    assert "SyntaxError" in response.json()["message"]
    assert emulator.tasks == []


@pytest.mark.parametrize(
    "bbox",
    ["[100,100,100]", "100,100,100", ["100", "100", "100"]],
    ids=["json", "comma", "repeated"],
)
def test_bbox_condition_is_read_in_every_encoding_seen_in_the_wild(
    client: httpx2.Client, bbox: FieldValue
) -> None:
    assert refusal_code(client, {**TEXT, "bbox_condition": bbox}) is None


@pytest.mark.parametrize("value", ["true", "True", "TRUE", "false", "False", "1", "0"])
def test_booleans_are_case_insensitive(client: httpx2.Client, value: str) -> None:
    fields = {**TEXT, "tier": "Gen-2", "preview_render": value, "TAPose": value}

    assert refusal_code(client, fields) is None


def test_unknown_fields_are_ignored(client: httpx2.Client) -> None:
    assert refusal_code(client, {**TEXT, "definitely_not_a_field": "x", "ta_pose": "true"}) is None


@pytest.mark.parametrize(
    ("fields", "cost"),
    [
        ({"tier": "Sketch"}, 0.5),
        ({"tier": "Regular"}, 0.5),
        ({"tier": "Gen-2"}, 0.5),
        ({"tier": "Gen-2.5-High"}, 0.5),
        ({"tier": "Gen-2.5-Extreme-High"}, 1.0),
        ({"tier": "Regular", "addons": "HighPack"}, 1.5),
        ({"tier": "Gen-2.5-Medium", "texture_mode": "extreme-high"}, 2.5),
        ({"tier": "Regular", "texture_mode": "extreme-high"}, 0.5),
        (
            {
                "tier": "Gen-2.5-Extreme-High",
                "mesh_mode": "Quad",
                "addons": "HighPack",
                "texture_mode": "extreme-high",
            },
            4.0,
        ),
    ],
)
def test_credits_are_deducted_per_the_price_list(
    start_emulator: StartEmulator, make_client: MakeClient, fields: dict[str, str], cost: float
) -> None:
    emulator = start_emulator(starting_balance=10.0)
    client = make_client(emulator)

    response = submit(client, {**TEXT, **fields})

    assert response.json()["consumed"] == cost
    assert client.get("check_balance").json()["balance"] == 10.0 - cost


@pytest.mark.parametrize(
    ("fields", "jobs"),
    [
        ({"tier": "Regular"}, 2),
        ({"tier": "Regular", "preview_render": "true"}, 2),
        ({"tier": "Gen-2", "preview_render": "true"}, 3),
        ({"tier": "Gen-2.5-Low", "preview_render": "true"}, 3),
    ],
)
def test_preview_render_adds_a_job_on_gen2_and_later(
    client: httpx2.Client, fields: dict[str, str], jobs: int
) -> None:
    response = submit(client, {**TEXT, **fields})

    assert len(response.json()["jobs"]["uuids"]) == jobs
