"""The tools, end to end: MCP Client -> server -> service -> emulator over loopback HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from mcp import Client
from PIL import Image

from rodin_mcp.emulator import RunningEmulator
from tests.server.conftest import structured, text_of

pytestmark = pytest.mark.anyio


async def test_tools_list_every_tool_with_descriptions_and_schemas(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == {
        "generate_3d",
        "check_status",
        "list_downloads",
        "check_balance",
        "list_tasks",
        "inspect_model",
        "convert_model",
        "generate_texture",
        "split_into_parts",
    }
    for tool in tools.values():
        assert tool.description
        assert tool.output_schema is not None
    generate = tools["generate_3d"]
    properties = generate.input_schema["properties"]
    for option in (
        "prompt",
        "images",
        "tier",
        "geometry_file_format",
        "material",
        "quality",
        "quality_override",
        "mesh_mode",
        "seed",
        "ta_pose",
        "bbox_condition",
        "high_pack",
        "preview_render",
        "texture_mode",
        "force_new",
    ):
        assert option in properties, option
        assert properties[option].get("description"), option
    assert "approval" not in properties
    assert "ctx" not in properties
    assert generate.annotations is not None
    assert generate.annotations.read_only_hint is False
    assert tools["check_status"].annotations is not None
    assert tools["check_status"].annotations.read_only_hint is True


async def test_generate_status_and_downloads_deliver_verified_files(
    client: Client, emulator: RunningEmulator
) -> None:
    generated = structured(await client.call_tool("generate_3d", {"prompt": "a wooden chair"}))
    assert generated["sandbox"] is False
    assert generated["reused"] is False
    assert generated["estimated_credits"] == 0.5
    assert generated["job_uuids"]
    assert "check_status" in generated["next_step"]
    task = generated["task_uuid"]

    status = structured(
        await client.call_tool("check_status", {"task_uuid": task, "wait_seconds": 20})
    )
    assert status["state"] == "done"
    assert all(job["status"] == "Done" for job in status["jobs"])
    assert status["elapsed_seconds"] >= 0

    result = await client.call_tool("list_downloads", {"task_uuid": task})
    downloads = structured(result)
    names = {f["name"] for f in downloads["files"]}
    assert {"base_basic_pbr.glb", "preview.webp"} <= names
    for info in downloads["files"]:
        path = Path(info["path"])
        assert path.is_absolute()
        assert path.parent == Path(downloads["output_dir"])
        assert hashlib.sha256(path.read_bytes()).hexdigest() == info["sha256"]
        assert path.stat().st_size == info["size"]
        assert info["uri"].startswith(f"rodin://tasks/{task}/files/")
    kinds = [block.type for block in result.content]
    assert kinds[0] == "text"
    assert "image" in kinds
    assert kinds.count("resource_link") == len(downloads["files"])
    assert emulator.balance == pytest.approx(1000.0 - 0.5)


async def test_downloaded_files_are_readable_as_resources_with_their_mime_type(
    client: Client,
) -> None:
    task = structured(await client.call_tool("generate_3d", {"prompt": "a cup"}))["task_uuid"]
    await client.call_tool("check_status", {"task_uuid": task, "wait_seconds": 20})
    files = structured(await client.call_tool("list_downloads", {"task_uuid": task}))["files"]
    glb = next(f for f in files if f["name"].endswith(".glb"))
    read = await client.read_resource(glb["uri"])
    content = read.contents[0]
    assert content.mime_type == "model/gltf-binary"
    blob = getattr(content, "blob", None)
    assert blob is not None
    assert hashlib.sha256(base64.b64decode(blob)).hexdigest() == glb["sha256"]
    preview = next(f for f in files if f["name"] == "preview.webp")
    read = await client.read_resource(preview["uri"])
    assert read.contents[0].mime_type == "image/webp"


async def test_a_generation_from_a_local_image_uploads_it(
    client: Client, emulator: RunningEmulator, tmp_path: Path
) -> None:
    image = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(image)
    generated = structured(await client.call_tool("generate_3d", {"images": [str(image)]}))
    assert generated["task_uuid"]
    submit = next(r for r in emulator.requests if r.endpoint == "rodin")
    assert submit.image_parts == 1


async def test_list_downloads_before_the_task_is_done_downloads_nothing(
    slow_client: Client,
) -> None:
    client = slow_client
    task = structured(await client.call_tool("generate_3d", {"prompt": "a lamp"}))["task_uuid"]
    downloads = structured(await client.call_tool("list_downloads", {"task_uuid": task}))
    assert downloads["state"] in {"waiting", "generating"}
    assert downloads["files"] == []
    assert downloads["downloaded"] is False
    assert "check_status" in downloads["next_step"]


async def test_check_balance_reports_credits_and_the_persons_spending_against_their_budget(
    client: Client,
) -> None:
    before = structured(await client.call_tool("check_balance", {}))
    assert before["balance"] == pytest.approx(1000.0)
    assert before["credits_spent"] == 0
    assert before["budget_frees_at"] is None
    assert before["person"] == "local owner"
    await client.call_tool("generate_3d", {"prompt": "a red car", "high_pack": True})
    after = structured(await client.call_tool("check_balance", {}))
    assert after["balance"] == pytest.approx(1000.0 - 1.5)
    assert after["credits_spent"] == pytest.approx(1.5)
    assert after["budget"] == 20
    assert after["budget_period_seconds"] == 86_400
    assert after["budget_frees_at"] is not None


async def test_list_tasks_lists_submissions_newest_first(client: Client) -> None:
    first = structured(await client.call_tool("generate_3d", {"prompt": "a tree"}))
    second = structured(await client.call_tool("generate_3d", {"prompt": "a house"}))
    tasks = structured(await client.call_tool("list_tasks", {"limit": 5}))["tasks"]
    assert [t["task_uuid"] for t in tasks] == [second["task_uuid"], first["task_uuid"]]
    assert tasks[0]["prompt"] == "a house"
    assert tasks[0]["tier"] == "Regular"


async def test_an_identical_request_is_answered_from_the_ledger_without_paying_again(
    client: Client, emulator: RunningEmulator
) -> None:
    args = {"prompt": "a sword", "seed": 7}
    first = structured(await client.call_tool("generate_3d", args))
    again = structured(await client.call_tool("generate_3d", args))
    assert again["reused"] is True
    assert again["task_uuid"] == first["task_uuid"]
    assert sum(1 for r in emulator.requests if r.endpoint == "rodin") == 1
    forced = structured(await client.call_tool("generate_3d", {**args, "force_new": True}))
    assert forced["task_uuid"] != first["task_uuid"]
    assert sum(1 for r in emulator.requests if r.endpoint == "rodin") == 2


async def test_a_submission_with_unknown_outcome_blocks_an_identical_one_until_force_new(
    client: Client, emulator: RunningEmulator
) -> None:
    emulator.faults.add("rodin=drop:accept")
    lost = await client.call_tool("generate_3d", {"prompt": "a robot"})
    assert lost.is_error
    assert "may have been charged" in text_of(lost)
    assert "force_new" in text_of(lost)
    refused = await client.call_tool("generate_3d", {"prompt": "a robot"})
    assert refused.is_error
    assert "force_new=true" in text_of(refused)
    assert sum(1 for r in emulator.requests if r.endpoint == "rodin") == 1
    forced = await client.call_tool("generate_3d", {"prompt": "a robot", "force_new": True})
    assert not forced.is_error, text_of(forced)
    assert sum(1 for r in emulator.requests if r.endpoint == "rodin") == 2


async def test_invalid_options_name_the_field_and_send_nothing(
    client: Client, emulator: RunningEmulator
) -> None:
    result = await client.call_tool(
        "generate_3d", {"prompt": "a vase", "tier": "Sketch", "geometry_file_format": "fbx"}
    )
    assert result.is_error
    assert "geometry_file_format" in text_of(result)
    assert "glb" in text_of(result)
    out_of_range = await client.call_tool(
        "generate_3d", {"prompt": "a vase", "quality_override": 10}
    )
    assert out_of_range.is_error
    assert "quality_override" in text_of(out_of_range)
    assert not any(r.endpoint == "rodin" for r in emulator.requests)


async def test_task_json_records_the_request_of_an_image_only_generation(
    client: Client, tmp_path: Path
) -> None:
    image = tmp_path / "vase.png"
    Image.new("RGB", (64, 64), (20, 90, 200)).save(image)
    task = structured(await client.call_tool("generate_3d", {"images": [str(image)]}))
    await client.call_tool("check_status", {"task_uuid": task["task_uuid"], "wait_seconds": 20})
    downloads = structured(
        await client.call_tool("list_downloads", {"task_uuid": task["task_uuid"]})
    )
    manifest = json.loads((Path(downloads["output_dir"]) / "task.json").read_text(encoding="utf-8"))
    assert manifest["request"]["tier"] == "Regular"


async def test_task_json_of_a_real_flow_holds_the_job_ids_prompt_submit_time_and_file_hashes(
    client: Client, emulator: RunningEmulator, sentinel_api_key: str
) -> None:
    task = structured(await client.call_tool("generate_3d", {"prompt": "a brass teapot"}))
    await client.call_tool("check_status", {"task_uuid": task["task_uuid"], "wait_seconds": 20})
    downloads = structured(
        await client.call_tool("list_downloads", {"task_uuid": task["task_uuid"]})
    )
    folder = Path(downloads["output_dir"])
    text = (folder / "task.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    (upstream,) = emulator.tasks
    assert manifest["task_uuid"] == upstream.uuid
    assert manifest["job_uuids"] == [job.uuid for job in upstream.jobs]
    assert manifest["job_uuids"]
    assert manifest["prompt"] == "a brass teapot"
    assert isinstance(manifest["submit_time"], str)
    assert manifest["submit_time"]
    assert manifest["files"]
    for entry in manifest["files"]:
        data = (folder / entry["name"]).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert task["subscription_key"] not in text
    assert "subscription_key" not in manifest
    assert sentinel_api_key not in text


async def test_tool_descriptions_are_dedented_and_state_what_they_cost(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    generate = tools["generate_3d"].description or ""
    assert "\n    " not in generate
    assert "0.5 credit" in generate
    for name in ("check_status", "list_downloads", "check_balance", "list_tasks"):
        assert "Free." in (tools[name].description or ""), name
