"""Secrets stay out of logs, errors and reprs; failures leave no connection open.

Both are checked over real loopback HTTP against the emulator, through every path that can fail:
a refused key, server errors, a network failure, refused and cut file transfers.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

import httpx2
import psutil
import pytest

from rodin_mcp.api import GenerationRequest
from rodin_mcp.api.client import RodinClient
from rodin_mcp.api.retry import RetryPolicy
from rodin_mcp.downloads import download_task
from rodin_mcp.emulator import EmulatorConfig, ManualClock, RunningEmulator
from rodin_mcp.errors import (
    AuthError,
    IncompleteDownloadError,
    LinkExpiredError,
    OutcomeUnknownError,
    RodinError,
    ServerError,
    TransportError,
)
from rodin_mcp.settings import Settings
from tests.api.fixtures import RecordingSleep, closed_port_url

pytestmark = pytest.mark.anyio

CHAIR = GenerationRequest(prompt="a red chair", tier="Sketch")
WRONG_KEY = "WrOnGkEy0rodinMcpTestKey0123456789abcdefghijKLMNOPQRSTuvwxyz0123"


@pytest.fixture
def emulator_config(sentinel_api_key: str, manual_clock: ManualClock) -> EmulatorConfig:
    return EmulatorConfig(api_key=sentinel_api_key, clock=manual_clock)


async def test_keys_handles_and_signed_urls_never_reach_logs_errors_or_reprs(
    caplog: pytest.LogCaptureFixture,
    emulator: RunningEmulator,
    rodin: RodinClient,
    http: httpx2.AsyncClient,
    rodin_settings: Settings,
    sentinel_api_key: str,
    manual_clock: ManualClock,
) -> None:
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []

    async def expect(error: type[RodinError], call: Awaitable[object]) -> None:
        with pytest.raises(error) as caught:
            await call
        shown.extend([str(caught.value), repr(caught.value)])

    task = await rodin.submit(CHAIR)
    manual_clock.advance(10_000)
    await rodin.status(task.subscription_key)
    emulator.faults.add("asset=truncate")
    fetched = await download_task(
        rodin, http, task.task_uuid, settings=rodin_settings, policy=rodin.policy
    )
    wrong = RodinClient(http, settings=rodin_settings, api_key=WRONG_KEY)
    await expect(AuthError, wrong.submit(CHAIR))
    await expect(AuthError, wrong.status(task.subscription_key))
    emulator.faults.add("status=500:times=*")
    await expect(ServerError, rodin.status(task.subscription_key))
    emulator.faults.clear()
    emulator.faults.add("rodin=drop:accept")
    await expect(OutcomeUnknownError, rodin.submit(CHAIR))
    offline = RodinClient(
        http, settings=rodin_settings, base_url=closed_port_url(), policy=rodin.policy
    )
    await expect(TransportError, offline.balance())
    emulator.faults.add("asset=expired:times=*")
    await expect(
        LinkExpiredError,
        download_task(
            rodin,
            http,
            task.task_uuid,
            settings=rodin_settings,
            folder=rodin_settings.output_dir / "x",
        ),
    )
    emulator.faults.clear()
    emulator.faults.add("asset=truncate:times=*")
    await expect(
        IncompleteDownloadError,
        download_task(
            rodin,
            http,
            task.task_uuid,
            settings=rodin_settings,
            folder=rodin_settings.output_dir / "y",
        ),
    )

    ours = [
        r.getMessage()
        for r in caplog.records
        if not r.name.startswith(("uvicorn", "rodin_mcp.emulator"))
    ]
    assert any(m.startswith("HTTP Request: GET") for m in ours)  # the transport log is on
    shown += [*ours, repr(rodin), repr(wrong), repr(rodin_settings), str(rodin_settings)]
    shown += [repr(task), repr(fetched), *map(repr, await rodin.download_list(task.task_uuid))]
    for text in shown:
        for secret in (sentinel_api_key, WRONG_KEY, task.subscription_key, "sig=", "expires="):
            assert secret not in text


def client_connections(port: int) -> int:
    """This process's ESTABLISHED TCP connections whose remote end is ``port`` (client side)."""
    return sum(
        1
        for c in psutil.Process().net_connections(kind="tcp")
        if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED
    )


@pytest.mark.parametrize("settings_overrides", [{"read_timeout": 0.2, "download_attempts": 2}])
async def test_failures_leave_no_connection_open(
    emulator: RunningEmulator,
    rodin_settings: Settings,
    sleeper: RecordingSleep,
    manual_clock: ManualClock,
) -> None:
    port = int(emulator.base_url.split(":")[2].split("/")[0])
    policy = RetryPolicy.from_settings(rodin_settings, attempts=2, sleep=sleeper)
    http = httpx2.AsyncClient(timeout=httpx2.Timeout(5.0, read=rodin_settings.read_timeout))
    rodin = RodinClient(http, settings=rodin_settings, policy=policy)
    task = await rodin.submit(CHAIR)
    manual_clock.advance(10_000)
    async with httpx2.AsyncClient() as patient:  # the first listing builds the files: slow
        items = await RodinClient(patient, settings=rodin_settings).download_list(task.task_uuid)
    assert client_connections(port) == 1  # the pooled keep-alive connection

    for _ in range(3):
        emulator.faults.add("status=stall:seconds=30:times=*")
        with pytest.raises(TransportError):
            await rodin.status(task.subscription_key)
        emulator.faults.clear()
        emulator.faults.add("rodin=drop")
        with pytest.raises(OutcomeUnknownError):
            await rodin.submit(CHAIR)
        emulator.faults.add("asset=truncate:times=*")
        with pytest.raises(IncompleteDownloadError):
            await download_task(
                rodin, http, task.task_uuid, settings=rodin_settings, items=items, policy=policy
            )
        emulator.faults.clear()

    assert client_connections(port) <= 1
    await http.aclose()
    assert client_connections(port) == 0
