"""Waiting in check_status: progress, early return, shared polling and cancellation."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest
from mcp import Client

from rodin_mcp.emulator import (
    EmulatorConfig,
    ManualClock,
    RunningEmulator,
    run_emulator_in_thread,
)
from rodin_mcp.server import build_server
from rodin_mcp.settings import Settings
from tests.server.conftest import FAST_POLLING, structured

pytestmark = pytest.mark.anyio


@pytest.fixture
def emulator_config(sentinel_api_key: str) -> EmulatorConfig:
    # Regular jobs last ~70 s / 200 = 0.35 s: several polls happen while waiting.
    return EmulatorConfig(api_key=sentinel_api_key, speed=200.0, starting_balance=1000.0)


async def test_waiting_sends_progress_and_returns_as_soon_as_the_task_is_done(
    client: Client,
) -> None:
    task = structured(await client.call_tool("generate_3d", {"prompt": "a chair"}))["task_uuid"]
    updates: list[str | None] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        updates.append(message)

    status = structured(
        await client.call_tool(
            "check_status",
            {"task_uuid": task, "wait_seconds": 30},
            progress_callback=on_progress,
        )
    )
    assert status["state"] == "done"
    assert status["waited_seconds"] < 30
    assert len(updates) >= 2
    assert any(m is not None and m.startswith("done") for m in updates)


async def test_many_waiters_on_one_task_share_one_upstream_poll_loop(
    fast_settings: Settings, emulator: RunningEmulator
) -> None:
    async with Client(build_server(fast_settings)) as client:
        task = structured(await client.call_tool("generate_3d", {"prompt": "a tree"}))["task_uuid"]
        before = sum(1 for r in emulator.requests if r.endpoint == "status")
        results: list[str] = []

        async def wait_once() -> None:
            result = await client.call_tool("check_status", {"task_uuid": task, "wait_seconds": 30})
            results.append(structured(result)["state"])

        async with anyio.create_task_group() as group:
            for _ in range(20):
                group.start_soon(wait_once)
        polls = sum(1 for r in emulator.requests if r.endpoint == "status") - before
    assert results == ["done"] * 20
    # One loop polls every 20-100 ms over the ~0.35 s job; twenty separate loops would poll
    # at least twenty times each.
    assert polls < 20


async def test_a_cancelled_wait_leaves_the_task_resumable(
    tmp_path: anyio.Path, sentinel_api_key: str, protocol_mode: str, manual_clock: ManualClock
) -> None:
    # The emulator's clock stands still, so the task stays unfinished however long this runs.
    config = EmulatorConfig(api_key=sentinel_api_key, clock=manual_clock)
    with run_emulator_in_thread(config) as frozen:
        settings = Settings(
            api_key=sentinel_api_key,  # type: ignore[arg-type]
            base_url=frozen.base_url,
            output_dir=f"{tmp_path}/out",  # type: ignore[arg-type]
            data_dir=f"{tmp_path}/data",  # type: ignore[arg-type]
            **FAST_POLLING,
        )
        async with Client(build_server(settings), mode=protocol_mode) as client:  # type: ignore[arg-type]
            task = structured(await client.call_tool("generate_3d", {"prompt": "a car"}))
            polls_before = _status_polls(frozen)
            with anyio.CancelScope() as waiting:

                async def cancel_after_two_polls() -> None:
                    with anyio.fail_after(30):  # a hang guard, not a measurement
                        while _status_polls(frozen) < polls_before + 2:
                            await anyio.lowlevel.checkpoint()
                    waiting.cancel()

                async with anyio.create_task_group() as group:
                    group.start_soon(cancel_after_two_polls)
                    await client.call_tool(
                        "check_status", {"task_uuid": task["task_uuid"], "wait_seconds": 40}
                    )
            assert waiting.cancelled_caught
            status = structured(
                await client.call_tool("check_status", {"task_uuid": task["task_uuid"]})
            )
            assert status["state"] in {"waiting", "generating"}
            tasks = structured(await client.call_tool("list_tasks", {}))["tasks"]
            assert tasks[0]["task_uuid"] == task["task_uuid"]
            manual_clock.advance(3600)
            done = await client.call_tool(
                "check_status", {"task_uuid": task["task_uuid"], "wait_seconds": 40}
            )
            assert structured(done)["state"] == "done"


def _status_polls(emulator: RunningEmulator) -> int:
    return sum(1 for r in emulator.requests if r.endpoint == "status")
