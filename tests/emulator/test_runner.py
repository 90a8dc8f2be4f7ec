"""Serving the emulator: in a thread, in the current event loop, under load, and shutting down."""

from __future__ import annotations

import logging
import socket

import anyio
import anyio.lowlevel
import httpx2
import pytest

from rodin_mcp.emulator import (
    EmulatorConfig,
    RunningEmulator,
    run_emulator_in_thread,
    serve_emulator,
)
from tests.emulator.helpers import submitted, subscription_key


def test_thread_emulator_listens_on_an_ephemeral_loopback_port_until_the_block_ends() -> None:
    with run_emulator_in_thread(EmulatorConfig()) as emulator:
        url = f"{emulator.base_url}/check_balance"
        answered = httpx2.get(url, headers={"Authorization": "Bearer any"})

    assert emulator.origin.startswith("http://127.0.0.1:")
    assert emulator.base_url == emulator.origin + "/api/v2"
    assert answered.status_code == 200
    with pytest.raises(httpx2.ConnectError):
        httpx2.get(url)


def test_binding_a_port_in_use_fails_with_os_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with (
            pytest.raises(OSError, match="in use"),
            run_emulator_in_thread(EmulatorConfig(), port=port),
        ):
            pass


@pytest.mark.anyio
async def test_serve_emulator_runs_in_the_current_event_loop() -> None:
    async with (
        serve_emulator(EmulatorConfig(api_key="k")) as emulator,
        httpx2.AsyncClient(headers={"Authorization": "Bearer k"}) as client,
    ):
        response = await client.get(f"{emulator.base_url}/check_balance")

    assert response.json() == {"balance": 100}
    async with httpx2.AsyncClient() as client:
        with pytest.raises(httpx2.ConnectError):
            await client.get(f"{emulator.base_url}/check_balance")


@pytest.mark.anyio
async def test_shutdown_ends_a_stalled_submit_with_a_503_and_creates_nothing() -> None:
    results: list[int] = []

    async with serve_emulator(EmulatorConfig(faults="rodin=stall:reject")) as emulator:

        async def stalled_submit() -> None:
            async with httpx2.AsyncClient(headers={"Authorization": "Bearer k"}) as client:
                url = f"{emulator.base_url}/rodin"
                results.append((await client.post(url, data={"prompt": "a cup"})).status_code)

        async with anyio.create_task_group() as group:
            group.start_soon(stalled_submit)
            with anyio.fail_after(5):
                while not emulator.requests or emulator.requests[0].fault is None:
                    await anyio.lowlevel.checkpoint()
            emulator.state.release_stalls()

    assert results == [503]
    assert emulator.tasks == []


@pytest.mark.anyio
async def test_two_hundred_concurrent_status_polls_all_succeed(
    emulator: RunningEmulator, sentinel_api_key: str
) -> None:
    headers = {"Authorization": f"Bearer {sentinel_api_key}"}
    limits = httpx2.Limits(max_connections=200, max_keepalive_connections=200)
    codes: list[int] = []
    async with httpx2.AsyncClient(
        base_url=emulator.base_url + "/", headers=headers, limits=limits, timeout=30.0
    ) as client:
        body = (await client.post("rodin", files={"prompt": (None, "a cup")})).json()
        key = subscription_key(body)

        async def poll() -> None:
            response = await client.post("status", json={"subscription_key": key})
            codes.append(response.status_code if "jobs" in response.json() else -1)

        async with anyio.create_task_group() as group:
            for _ in range(200):
                group.start_soon(poll)

    assert codes == [201] * 200


def test_signed_url_helper_refuses_malformed_targets(emulator: RunningEmulator) -> None:
    for target in ("no-slash", "/name", "task/", -1):
        with pytest.raises(ValueError, match=r"target|size"):
            emulator.signed_url(target)


def test_tasks_view_reports_each_task_with_its_jobs(
    emulator: RunningEmulator, client: httpx2.Client
) -> None:
    body = submitted(client, {"prompt": "a cup", "tier": "Gen-2", "preview_render": "true"})

    (task,) = emulator.tasks

    assert task.uuid == body["uuid"]
    assert task.subscription_key == subscription_key(body)
    assert task.tier == "Gen-2"
    assert task.cost == 0.5
    assert [job.uuid for job in task.jobs] == body["jobs"]["uuids"]  # type: ignore[index]


def test_the_server_logs_no_access_lines_with_signatures_or_keys(
    emulator: RunningEmulator,
    client: httpx2.Client,
    sentinel_api_key: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As after any logging.config.dictConfig that lets uvicorn's access logger propagate.
    monkeypatch.setattr(logging.getLogger("uvicorn.access"), "propagate", True)
    caplog.set_level(logging.DEBUG)
    url = emulator.signed_url(10)

    httpx2.get(url)
    client.get("check_balance")

    server_lines = [r.getMessage() for r in caplog.records if r.name.startswith("uvicorn")]
    assert not [line for line in server_lines if "sig=" in line or sentinel_api_key in line]
    assert not [r for r in caplog.records if r.name == "uvicorn.access"]
