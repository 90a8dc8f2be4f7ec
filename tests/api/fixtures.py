"""Fixtures shared by the client and downloader tests: settings, one HTTP client, a Rodin client.

Waits between retries go through :class:`RecordingSleep`, which records them and returns at once,
so retry tests run without real sleeps and can assert the exact waits.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio.lowlevel
import httpx2
import pytest

from rodin_mcp.api.client import RodinClient, create_http_client
from rodin_mcp.api.retry import RetryEvent, RetryPolicy
from rodin_mcp.emulator import RunningEmulator
from rodin_mcp.settings import Settings

__all__ = [
    "RecordingSleep",
    "closed_port_url",
    "http",
    "retry_events",
    "rodin",
    "rodin_settings",
    "settings_overrides",
    "sleeper",
]


class RecordingSleep:
    """An injectable sleep that records each wait and advances a fake clock instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.now = 0.0

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds
        await anyio.lowlevel.checkpoint()

    def clock(self) -> float:
        """The fake clock: the sum of the waits so far."""
        return self.now


def closed_port_url() -> str:
    """A loopback base URL on which nothing listens (the port was just released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/v2"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Extra Settings fields for one test (override with ``@pytest.mark.parametrize``)."""
    return {}


@pytest.fixture
def rodin_settings(
    emulator: RunningEmulator,
    sentinel_api_key: str,
    tmp_path: Path,
    settings_overrides: dict[str, Any],
) -> Settings:
    """Settings pointing at the emulator, with short timeouts and folders under ``tmp_path``."""
    fields: dict[str, Any] = {
        "base_url": emulator.base_url,
        "api_key": sentinel_api_key,
        "output_dir": tmp_path / "out",
        "data_dir": tmp_path / "data",
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "write_timeout": 5.0,
        "pool_timeout": 2.0,
        "operation_deadline": 20.0,
        "download_read_timeout": 5.0,
        "download_deadline": 30.0,
        "retry_attempts": 4,
    }
    return Settings(**{**fields, **settings_overrides})


@pytest.fixture
def sleeper() -> RecordingSleep:
    """The sleep (and fake clock) injected into the retry policy."""
    return RecordingSleep()


@pytest.fixture
def retry_events() -> list[RetryEvent]:
    """Every retry decision the policy announced."""
    return []


@pytest.fixture
async def http(rodin_settings: Settings) -> AsyncIterator[httpx2.AsyncClient]:
    """The process-wide HTTP client, as the service would build it."""
    async with create_http_client(rodin_settings) as client:
        yield client


@pytest.fixture
def rodin(
    http: httpx2.AsyncClient,
    rodin_settings: Settings,
    sleeper: RecordingSleep,
    retry_events: list[RetryEvent],
) -> RodinClient:
    """A Rodin client on the emulator whose waits are recorded, not slept."""
    policy = RetryPolicy.from_settings(
        rodin_settings, sleep=sleeper, clock=sleeper.clock, on_retry=retry_events.append
    )
    return RodinClient(http, settings=rodin_settings, policy=policy)
