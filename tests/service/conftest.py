"""Fixtures for driving :class:`~rodin_mcp.service.RodinService` directly, as both faces do.

``service`` opens the service (ledger, HTTP client, poll loops) on the ``settings`` fixture, aimed
at the emulator over loopback HTTP, acting for the local owner as the command line does;
``open_local_service`` opens one on any settings.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from rodin_mcp.emulator import RunningEmulator
from rodin_mcp.people import LOCAL_OWNER
from rodin_mcp.service import RodinService, open_service
from rodin_mcp.settings import Settings

FAST_POLLING: dict[str, float] = {"poll_initial": 0.02, "poll_factor": 1.5, "poll_max": 0.1}


@pytest.fixture
def fast_settings(settings: Settings) -> Settings:
    return settings.model_copy(update=FAST_POLLING)


@asynccontextmanager
async def open_local_service(
    settings: Settings, clock: Callable[[], float] = time.time
) -> AsyncGenerator[RodinService]:
    """The service on ``settings`` (with ``clock``), acting for the local owner."""
    async with open_service(settings, clock=clock) as opened:
        yield opened.acting_for(LOCAL_OWNER)


@pytest.fixture
async def service(fast_settings: Settings) -> AsyncIterator[RodinService]:
    async with open_local_service(fast_settings) as opened:
        yield opened


def sandbox_settings(tmp_path: Path) -> Settings:
    """Sandbox mode on the embedded emulator, with folders under ``tmp_path``."""
    return Settings(
        sandbox=True,
        sandbox_speed=1000.0,
        output_dir=tmp_path / "output",
        data_dir=tmp_path / "data",
        poll_initial=FAST_POLLING["poll_initial"],
        poll_factor=FAST_POLLING["poll_factor"],
        poll_max=FAST_POLLING["poll_max"],
    )


def submits(emulator: RunningEmulator) -> int:
    """How many submit requests reached the emulator."""
    return sum(1 for r in emulator.requests if r.endpoint == "rodin")
