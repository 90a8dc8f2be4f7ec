"""The ledger outlives the server: a restarted server follows tasks by task_uuid alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client

from rodin_mcp.emulator import RunningEmulator
from rodin_mcp.server import build_server
from rodin_mcp.settings import Settings
from tests.server.conftest import FAST_POLLING, structured

pytestmark = pytest.mark.anyio


async def test_status_and_downloads_work_with_only_the_task_uuid_after_a_restart(
    fast_settings: Settings, protocol_mode: str, emulator: RunningEmulator
) -> None:
    async with Client(build_server(fast_settings), mode=protocol_mode) as first:  # type: ignore[arg-type]
        task = structured(await first.call_tool("generate_3d", {"prompt": "a sofa"}))["task_uuid"]
    async with Client(build_server(fast_settings), mode=protocol_mode) as second:  # type: ignore[arg-type]
        status = structured(
            await second.call_tool("check_status", {"task_uuid": task, "wait_seconds": 20})
        )
        assert status["state"] == "done"
        files = structured(await second.call_tool("list_downloads", {"task_uuid": task}))["files"]
        assert files
        tasks = structured(await second.call_tool("list_tasks", {}))["tasks"]
        assert tasks[0]["task_uuid"] == task
        assert tasks[0]["state"] == "done"
        assert tasks[0]["output_dir"]
    assert sum(1 for r in emulator.requests if r.endpoint == "rodin") == 1


async def test_a_restarted_server_still_deduplicates_a_recent_identical_request(
    fast_settings: Settings, protocol_mode: str, emulator: RunningEmulator
) -> None:
    async with Client(build_server(fast_settings), mode=protocol_mode) as first:  # type: ignore[arg-type]
        task = structured(await first.call_tool("generate_3d", {"prompt": "a rocket"}))
    async with Client(build_server(fast_settings), mode=protocol_mode) as second:  # type: ignore[arg-type]
        again = structured(await second.call_tool("generate_3d", {"prompt": "a rocket"}))
    assert again["reused"] is True
    assert again["task_uuid"] == task["task_uuid"]
    assert sum(1 for r in emulator.requests if r.endpoint == "rodin") == 1


async def test_a_task_submitted_elsewhere_is_followed_with_its_subscription_key(
    fast_settings: Settings,
    protocol_mode: str,
    emulator: RunningEmulator,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    elsewhere = fast_settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("other")})
    async with Client(build_server(elsewhere), mode=protocol_mode) as other:  # type: ignore[arg-type]
        made = structured(await other.call_tool("generate_3d", {"prompt": "a table"}))
    async with Client(build_server(fast_settings), mode=protocol_mode) as here:  # type: ignore[arg-type]
        status = structured(
            await here.call_tool(
                "check_status",
                {
                    "task_uuid": made["task_uuid"],
                    "subscription_key": made["subscription_key"],
                    "wait_seconds": 20,
                },
            )
        )
        assert status["state"] == "done"
        files = structured(await here.call_tool("list_downloads", {"task_uuid": made["task_uuid"]}))
        assert files["files"]


async def test_sandbox_tasks_survive_a_restart_of_the_server(tmp_path: Path) -> None:
    settings = Settings(
        sandbox=True,
        sandbox_speed=1000,
        output_dir=tmp_path / "out",
        data_dir=tmp_path / "data",
        **FAST_POLLING,
    )
    async with Client(build_server(settings)) as first:
        made = structured(await first.call_tool("generate_3d", {"prompt": "a mug"}))
    async with Client(build_server(settings)) as second:
        status = structured(
            await second.call_tool(
                "check_status", {"task_uuid": made["task_uuid"], "wait_seconds": 20}
            )
        )
        assert status["state"] == "done"
        files = structured(
            await second.call_tool("list_downloads", {"task_uuid": made["task_uuid"]})
        )["files"]
        assert any(f["name"].endswith(".glb") for f in files)
        balance = structured(await second.call_tool("check_balance", {}))
        assert balance["sandbox"] is True
