"""generate_texture and split_into_parts end to end: MCP Client -> server -> service -> the
emulator's /rodin_texture_only and /bang over loopback HTTP."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from PIL import Image
from pydantic import SecretStr

from rodin_mcp.emulator import EmulatorConfig, ManualClock, RunningEmulator, run_emulator_in_thread
from rodin_mcp.server import build_server
from rodin_mcp.settings import Settings
from tests.emulator.models import glb_model
from tests.server.conftest import FAST_POLLING, structured, text_of
from tests.server.test_spending import asking_client

pytestmark = pytest.mark.anyio


def _model_and_image(tmp_path: Path) -> tuple[Path, Path]:
    model = tmp_path / "mug.glb"
    model.write_bytes(glb_model())
    image = tmp_path / "wood.png"
    Image.new("RGB", (64, 64), (150, 90, 40)).save(image)
    return model, image


def _sent(emulator: RunningEmulator, endpoint: str) -> int:
    return sum(1 for r in emulator.requests if r.endpoint == endpoint)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def _finished(client: Client, arguments: dict[str, Any], tool: str = "generate_3d") -> str:
    task = structured(await client.call_tool(tool, arguments))["task_uuid"]
    status = structured(
        await client.call_tool("check_status", {"task_uuid": task, "wait_seconds": 20})
    )
    assert status["state"] == "done"
    return str(task)


async def test_a_texture_sends_exactly_the_documented_parts_with_the_model_and_image_bytes(
    client: Client, emulator: RunningEmulator, tmp_path: Path
) -> None:
    model, image = _model_and_image(tmp_path)
    arguments = {"model": str(model), "image": str(image), "prompt": "oak", "seed": 9}
    made = structured(await client.call_tool("generate_texture", arguments))
    assert made["estimated_credits"] == 0.5
    assert made["reused"] is False
    assert made["job_uuids"]
    assert "check_status" in made["next_step"]
    (sent,) = [r for r in emulator.requests if r.endpoint == "rodin_texture_only"]
    assert [(p.name, p.filename, p.content_type, p.sha256) for p in sent.file_parts] == [
        ("image", "0000.png", "image/png", _sha256(image)),
        ("model", "model.glb", "model/gltf-binary", _sha256(model)),
    ]
    assert sent.fields == {
        "prompt": ["oak"],
        "seed": ["9"],
        "geometry_file_format": ["glb"],
        "material": ["PBR"],
        "resolution": ["Basic"],
        "escore": ["3.5"],
        "reference_scale": ["1.0"],
    }
    assert sent.task_uuid == made["task_uuid"]
    assert emulator.balance == pytest.approx(1000.0 - 0.5)


async def test_a_textured_local_model_is_listed_with_its_sha256_and_downloads_verified(
    client: Client, tmp_path: Path
) -> None:
    model, image = _model_and_image(tmp_path)
    task = await _finished(
        client, {"model": str(model), "image": str(image), "prompt": "oak"}, "generate_texture"
    )
    (listed,) = structured(await client.call_tool("list_tasks", {}))["tasks"]
    assert (listed["task_uuid"], listed["kind"], listed["source"]) == (
        task,
        "texture",
        _sha256(model),
    )
    downloads = structured(await client.call_tool("list_downloads", {"task_uuid": task}))
    assert Path(downloads["output_dir"]).name.endswith(f"_oak-texture_{task[:8]}")
    assert any(f["name"].endswith(".glb") for f in downloads["files"])
    for info in downloads["files"]:
        assert _sha256(Path(info["path"])) == info["sha256"]


async def test_a_downloaded_file_is_textured_by_its_uri_and_its_task_is_the_source(
    client: Client, emulator: RunningEmulator, tmp_path: Path
) -> None:
    _, image = _model_and_image(tmp_path)
    source = await _finished(client, {"prompt": "a red chair"})
    files = structured(await client.call_tool("list_downloads", {"task_uuid": source}))["files"]
    glb = next(f for f in files if f["name"].endswith(".glb"))
    task = await _finished(client, {"model": glb["uri"], "image": str(image)}, "generate_texture")
    (sent,) = [r for r in emulator.requests if r.endpoint == "rodin_texture_only"]
    assert sent.file_parts[1].sha256 == glb["sha256"]
    newest = structured(await client.call_tool("list_tasks", {}))["tasks"][0]
    assert (newest["kind"], newest["source"]) == ("texture", source)
    downloads = structured(await client.call_tool("list_downloads", {"task_uuid": task}))
    assert Path(downloads["output_dir"]).name.endswith(f"_a-red-chair-texture_{task[:8]}")


@pytest.mark.parametrize(
    ("model_bytes", "image_bytes", "said"),
    [
        (b"glTF" + b"\0" * (10 * 1024 * 1024), None, "at most 10 MB"),
        (b"just some notes, not a mesh\n", None, "is not a 3D model"),
        (None, b"GIF89a not an image we take", "not an image Rodin accepts"),
    ],
    ids=["oversized-model", "not-a-model", "bad-image"],
)
async def test_unusable_texture_input_is_refused_before_anything_is_sent_or_recorded(
    client: Client,
    emulator: RunningEmulator,
    tmp_path: Path,
    model_bytes: bytes | None,
    image_bytes: bytes | None,
    said: str,
) -> None:
    model, image = _model_and_image(tmp_path)
    if model_bytes is not None:
        model.write_bytes(model_bytes)
    if image_bytes is not None:
        image.write_bytes(image_bytes)
    refused = await client.call_tool("generate_texture", {"model": str(model), "image": str(image)})
    assert refused.is_error
    assert said in text_of(refused)
    assert _sent(emulator, "rodin_texture_only") == 0
    assert structured(await client.call_tool("list_tasks", {}))["tasks"] == []


async def test_a_model_outside_the_allowed_folders_is_refused_before_anything_is_sent(
    fast_settings: Settings, emulator: RunningEmulator, tmp_path: Path
) -> None:
    model, image = _model_and_image(tmp_path)
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    inside_image = allowed / image.name
    inside_image.write_bytes(image.read_bytes())
    settings = fast_settings.model_copy(update={"allowed_input_dirs": [allowed]})

    async with Client(build_server(settings)) as client:
        refused = await client.call_tool(
            "generate_texture", {"model": str(model), "image": str(inside_image)}
        )
        assert refused.is_error
        assert "outside the folders this server may read model files from" in text_of(refused)
        assert structured(await client.call_tool("list_tasks", {}))["tasks"] == []
    assert _sent(emulator, "rodin_texture_only") == 0


async def test_an_identical_texture_is_reused_without_paying_again_until_force_new(
    client: Client, emulator: RunningEmulator, tmp_path: Path
) -> None:
    model, image = _model_and_image(tmp_path)
    arguments = {"model": str(model), "image": str(image), "resolution": "High"}
    first = structured(await client.call_tool("generate_texture", arguments))
    again = structured(await client.call_tool("generate_texture", arguments))
    assert (again["reused"], again["task_uuid"]) == (True, first["task_uuid"])
    assert _sent(emulator, "rodin_texture_only") == 1
    forced = structured(
        await client.call_tool("generate_texture", {**arguments, "force_new": True})
    )
    assert forced["task_uuid"] != first["task_uuid"]
    assert _sent(emulator, "rodin_texture_only") == 2


async def test_a_texture_whose_connection_dropped_is_never_sent_again_without_force_new(
    client: Client, emulator: RunningEmulator, tmp_path: Path
) -> None:
    model, image = _model_and_image(tmp_path)
    arguments = {"model": str(model), "image": str(image)}
    emulator.faults.add("rodin_texture_only=drop:accept")
    lost = await client.call_tool("generate_texture", arguments)
    assert lost.is_error
    assert "may have been charged" in text_of(lost)
    refused = await client.call_tool("generate_texture", arguments)
    assert refused.is_error
    assert "force_new=true" in text_of(refused)
    assert _sent(emulator, "rodin_texture_only") == 1
    (recorded,) = structured(await client.call_tool("list_tasks", {}))["tasks"]
    assert (recorded["state"], recorded["kind"]) == ("unknown", "texture")


async def test_the_budget_refuses_a_texture_it_cannot_cover_and_records_nothing(
    fast_settings: Settings, emulator: RunningEmulator, tmp_path: Path
) -> None:
    model, image = _model_and_image(tmp_path)
    settings = fast_settings.model_copy(update={"max_credits": 0.4})
    async with Client(build_server(settings)) as client:
        refused = await client.call_tool(
            "generate_texture", {"model": str(model), "image": str(image)}
        )
        assert refused.is_error
        assert "RODIN_MAX_CREDITS" in text_of(refused)
        assert structured(await client.call_tool("list_tasks", {}))["tasks"] == []
    assert _sent(emulator, "rodin_texture_only") == 0


async def test_a_gen2_model_is_split_with_the_documented_fields_and_its_parts_download(
    client: Client, emulator: RunningEmulator
) -> None:
    source = await _finished(client, {"prompt": "a robot", "tier": "Gen-2"})
    split = structured(
        await client.call_tool("split_into_parts", {"task_uuid": source, "strength": 8})
    )
    assert split["estimated_credits"] == 0.5
    (sent,) = [r for r in emulator.requests if r.endpoint == "bang"]
    assert sent.fields == {
        "asset_id": [source],
        "strength": ["8"],
        "geometry_file_format": ["glb"],
        "material": ["PBR"],
        "resolution": ["Basic"],
    }
    assert sent.file_parts == []
    task = split["task_uuid"]
    await client.call_tool("check_status", {"task_uuid": task, "wait_seconds": 20})
    newest = structured(await client.call_tool("list_tasks", {}))["tasks"][0]
    assert (newest["task_uuid"], newest["kind"], newest["source"]) == (task, "split", source)
    downloads = structured(await client.call_tool("list_downloads", {"task_uuid": task}))
    assert Path(downloads["output_dir"]).name.endswith(f"_a-robot-parts_{task[:8]}")
    assert downloads["files"]
    for info in downloads["files"]:
        assert _sha256(Path(info["path"])) == info["sha256"]
    again = structured(
        await client.call_tool("split_into_parts", {"task_uuid": source, "strength": 8})
    )
    assert (again["reused"], again["task_uuid"]) == (True, task)
    assert _sent(emulator, "bang") == 1
    assert emulator.balance == pytest.approx(1000.0 - 1.0)


async def test_a_split_whose_connection_dropped_is_never_sent_again_without_force_new(
    client: Client, emulator: RunningEmulator
) -> None:
    source = await _finished(client, {"prompt": "a robot", "tier": "Gen-2"})
    emulator.faults.add("bang=drop:accept")

    lost = await client.call_tool("split_into_parts", {"task_uuid": source})
    refused = await client.call_tool("split_into_parts", {"task_uuid": source})

    assert lost.is_error
    assert "may have been charged" in text_of(lost)
    assert refused.is_error
    assert "force_new=true" in text_of(refused)
    assert _sent(emulator, "bang") == 1
    newest = structured(await client.call_tool("list_tasks", {}))["tasks"][0]
    assert (newest["state"], newest["kind"], newest["source"]) == ("unknown", "split", source)


async def test_the_budget_refuses_a_split_it_cannot_cover_and_records_nothing(
    fast_settings: Settings, emulator: RunningEmulator
) -> None:
    settings = fast_settings.model_copy(update={"max_credits": 0.9})
    async with Client(build_server(settings)) as client:
        source = await _finished(client, {"prompt": "a robot", "tier": "Gen-2"})
        refused = await client.call_tool("split_into_parts", {"task_uuid": source})
        assert refused.is_error
        assert "RODIN_MAX_CREDITS" in text_of(refused)
        assert len(structured(await client.call_tool("list_tasks", {}))["tasks"]) == 1
    assert _sent(emulator, "bang") == 0


async def test_a_split_of_a_model_of_another_tier_is_refused_before_anything_is_sent(
    client: Client, emulator: RunningEmulator
) -> None:
    source = await _finished(client, {"prompt": "a lamp", "tier": "Regular"})
    refused = await client.call_tool("split_into_parts", {"task_uuid": source})
    assert refused.is_error
    assert "tier Regular" in text_of(refused)
    assert "tier=Gen-2" in text_of(refused)
    assert _sent(emulator, "bang") == 0
    assert len(structured(await client.call_tool("list_tasks", {}))["tasks"]) == 1


async def test_a_split_of_an_unfinished_task_is_refused_before_anything_is_sent(
    tmp_path: Path, sentinel_api_key: str
) -> None:
    config = EmulatorConfig(api_key=sentinel_api_key, clock=ManualClock())
    with run_emulator_in_thread(config) as emulator:
        settings = Settings(
            api_key=SecretStr(sentinel_api_key),
            base_url=emulator.base_url,
            output_dir=tmp_path / "output",
            data_dir=tmp_path / "data",
            **FAST_POLLING,
        )
        async with Client(build_server(settings)) as client:
            made = await client.call_tool("generate_3d", {"prompt": "a boat", "tier": "Gen-2"})
            source = structured(made)["task_uuid"]
            refused = await client.call_tool("split_into_parts", {"task_uuid": source})
            assert refused.is_error
            assert "still waiting" in text_of(refused)
            assert "check_status" in text_of(refused)
            assert len(structured(await client.call_tool("list_tasks", {}))["tasks"]) == 1
        assert _sent(emulator, "bang") == 0


async def test_a_texture_asks_the_cost_first_and_a_declined_one_sends_nothing(
    fast_settings: Settings, protocol_mode: str, emulator: RunningEmulator, tmp_path: Path
) -> None:
    model, image = _model_and_image(tmp_path)
    arguments = {"model": str(model), "image": str(image)}
    asked: list[str] = []
    async with asking_client(fast_settings, protocol_mode, "decline", asked) as client:
        declined = await client.call_tool("generate_texture", arguments)
    assert declined.is_error
    assert "did not approve" in text_of(declined)
    assert _sent(emulator, "rodin_texture_only") == 0
    async with asking_client(fast_settings, protocol_mode, "accept", asked) as client:
        structured(await client.call_tool("generate_texture", arguments))
    assert len(asked) == 2
    assert all("0.5 credits" in question for question in asked)
    assert _sent(emulator, "rodin_texture_only") == 1


async def test_a_split_asks_the_cost_first(
    fast_settings: Settings, protocol_mode: str, emulator: RunningEmulator
) -> None:
    asked: list[str] = []
    async with asking_client(fast_settings, protocol_mode, "accept", asked) as client:
        source = await _finished(client, {"prompt": "a robot", "tier": "Gen-2"})
        structured(await client.call_tool("split_into_parts", {"task_uuid": source}))
    assert len(asked) == 2
    assert "Split the model of task" in asked[1]
    assert "0.5 credits" in asked[1]
    assert _sent(emulator, "bang") == 1
