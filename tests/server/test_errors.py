"""Every failure reaches the model as a curated ToolError, never with a secret in it."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from mcp import Client
from pydantic import SecretStr

from rodin_mcp.emulator import RunningEmulator
from rodin_mcp.server import build_server
from rodin_mcp.settings import Settings
from tests.server.conftest import structured, text_of

pytestmark = pytest.mark.anyio

SIGNED_URL = re.compile(r"sig=|expires=|/_files/")


def assert_clean(text: str, key: str) -> None:
    assert key not in text
    assert not SIGNED_URL.search(text), text
    assert "Traceback" not in text


async def test_a_wrong_key_says_how_to_set_rodin_api_key(
    fast_settings: Settings, protocol_mode: str, sentinel_api_key: str
) -> None:
    wrong = "W" * 64
    settings = fast_settings.model_copy(update={"api_key": SecretStr(wrong)})
    async with Client(build_server(settings), mode=protocol_mode) as client:  # type: ignore[arg-type]
        result = await client.call_tool("generate_3d", {"prompt": "a chair"})
    assert result.is_error
    text = text_of(result)
    assert text.count("RODIN_API_KEY") == 1, "advice is given once, by this face"
    assert_clean(text, wrong)
    assert_clean(text, sentinel_api_key)


async def test_running_out_of_credits_points_to_the_balance_and_top_up(
    client: Client, emulator: RunningEmulator, sentinel_api_key: str
) -> None:
    emulator.set_balance(0.2)
    result = await client.call_tool("generate_3d", {"prompt": "a chair"})
    assert result.is_error
    text = text_of(result)
    assert "check_balance" in text
    assert text.lower().count("top up") == 1, "advice is given once, by this face"
    assert_clean(text, sentinel_api_key)


async def test_a_path_from_the_assistants_sandbox_says_to_pass_a_local_file(
    client: Client, emulator: RunningEmulator
) -> None:
    result = await client.call_tool("generate_3d", {"images": ["/mnt/user-data/uploads/chair.png"]})
    assert result.is_error
    text = text_of(result)
    assert "absolute path" in text
    assert not any(r.endpoint == "rodin" for r in emulator.requests)


async def test_an_unknown_task_asks_for_its_subscription_key(client: Client) -> None:
    result = await client.call_tool("check_status", {"task_uuid": "no-such-task"})
    assert result.is_error
    assert "subscription_key" in text_of(result)


async def test_a_failed_task_says_so_and_suggests_generating_again(
    client: Client, emulator: RunningEmulator
) -> None:
    emulator.faults.add("rodin=fail")
    task = structured(await client.call_tool("generate_3d", {"prompt": "a car"}))["task_uuid"]
    status = structured(
        await client.call_tool("check_status", {"task_uuid": task, "wait_seconds": 20})
    )
    assert status["state"] == "failed"
    assert "again" in status["next_step"]
    downloads = await client.call_tool("list_downloads", {"task_uuid": task})
    assert downloads.is_error
    assert "failed" in text_of(downloads)


async def test_no_result_or_log_line_holds_the_key_or_a_signed_url(
    client: Client,
    emulator: RunningEmulator,
    sentinel_api_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    emulator.faults.add("status=500:times=2;asset=expired")
    texts: list[str] = []
    generated = await client.call_tool("generate_3d", {"prompt": "a mug"})
    task = structured(generated)["task_uuid"]
    texts.append(text_of(generated))
    for name, args in [
        ("check_status", {"task_uuid": task, "wait_seconds": 20}),
        ("list_downloads", {"task_uuid": task}),
        ("check_balance", {}),
        ("list_tasks", {}),
        ("check_status", {"task_uuid": "nope", "subscription_key": "bogus"}),
    ]:
        result = await client.call_tool(name, args)
        texts.append(text_of(result))
        texts.append(str(result.structured_content))
    for text in texts:
        assert_clean(text, sentinel_api_key)
    assert sentinel_api_key not in caplog.text
    assert "sig=" not in caplog.text


async def test_without_a_key_or_sandbox_the_server_starts_and_explains_both_options(
    tmp_path: Path, protocol_mode: str
) -> None:
    settings = Settings(output_dir=tmp_path / "out", data_dir=tmp_path / "data")
    async with Client(build_server(settings), mode=protocol_mode) as client:  # type: ignore[arg-type]
        tools = (await client.list_tools()).tools
        assert len(tools) == 9
        for name, args in [
            ("generate_3d", {"prompt": "a chair"}),
            ("check_balance", {}),
        ]:
            result = await client.call_tool(name, args)
            assert result.is_error
            assert "RODIN_API_KEY" in text_of(result)
            assert "RODIN_SANDBOX" in text_of(result)


async def test_an_unreadable_ledger_is_reported_by_the_tools_not_by_a_crash(
    tmp_path: Path, protocol_mode: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "ledger.sqlite3").write_bytes(b"this is not a database" * 100)
    settings = Settings(sandbox=True, output_dir=tmp_path / "out", data_dir=data)
    async with Client(build_server(settings), mode=protocol_mode) as client:  # type: ignore[arg-type]
        assert len((await client.list_tools()).tools) == 9
        result = await client.call_tool("list_tasks", {})
    assert result.is_error
    assert "RODIN_DATA_DIR" in text_of(result)


@pytest.mark.parametrize("blocked", ["under a file", "a file"])
async def test_an_output_folder_that_cannot_be_made_names_rodin_output_dir(
    fast_settings: Settings, protocol_mode: str, tmp_path: Path, blocked: str
) -> None:
    in_the_way = tmp_path / "in-the-way"
    in_the_way.write_text("a regular file where a folder is needed")
    output_dir = in_the_way / "Rodin" if blocked == "under a file" else in_the_way
    settings = fast_settings.model_copy(update={"output_dir": output_dir})
    async with Client(build_server(settings), mode=protocol_mode) as client:  # type: ignore[arg-type]
        task = structured(await client.call_tool("generate_3d", {"prompt": "a chair"}))
        await client.call_tool("check_status", {"task_uuid": task["task_uuid"], "wait_seconds": 20})
        result = await client.call_tool("list_downloads", {"task_uuid": task["task_uuid"]})

    assert result.is_error
    text = text_of(result)
    assert f"Could not create or use the folder for the results, {output_dir}" in text
    assert "set RODIN_OUTPUT_DIR" in text
    assert "list_downloads" in text
    assert in_the_way.read_text() == "a regular file where a folder is needed"
