"""Fixtures for driving the MCP server through `mcp.Client`, against the emulator over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult
from pydantic import SecretStr

from rodin_mcp.emulator import EmulatorConfig, run_emulator_in_thread
from rodin_mcp.server import build_server
from rodin_mcp.settings import Settings

FAST_POLLING: dict[str, Any] = {"poll_initial": 0.02, "poll_factor": 1.5, "poll_max": 0.1}


@pytest.fixture
def fast_settings(settings: Settings) -> Settings:
    """Settings aimed at the emulator fixture, polling every few milliseconds."""
    return settings.model_copy(update=FAST_POLLING)


@pytest.fixture(params=["auto", "legacy"])
def protocol_mode(request: pytest.FixtureRequest) -> str:
    """Both protocol eras: 2026-07-28 (auto) and the 2025-11-25 handshake (legacy)."""
    return str(request.param)


@pytest.fixture
async def client(fast_settings: Settings, protocol_mode: str) -> AsyncIterator[Client]:
    async with Client(build_server(fast_settings), mode=protocol_mode) as connected:  # type: ignore[arg-type]
        yield connected


@pytest.fixture
async def slow_client(
    tmp_path: Path, sentinel_api_key: str, protocol_mode: str
) -> AsyncIterator[Client]:
    """A client whose emulator runs jobs in real time (a Regular task takes about 70 s)."""
    config = EmulatorConfig(api_key=sentinel_api_key, speed=1.0)
    with run_emulator_in_thread(config) as emulator:
        settings = Settings(
            api_key=SecretStr(sentinel_api_key),
            base_url=emulator.base_url,
            output_dir=tmp_path / "output",
            data_dir=tmp_path / "data",
            **FAST_POLLING,
        )
        async with Client(build_server(settings), mode=protocol_mode) as connected:  # type: ignore[arg-type]
            yield connected


def text_of(result: CallToolResult) -> str:
    """All text blocks of a tool result, joined."""
    return "\n".join(getattr(block, "text", "") for block in result.content)


def structured(result: CallToolResult) -> dict[str, Any]:
    """The structured content of a successful tool result."""
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return result.structured_content
