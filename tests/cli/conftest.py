"""Fixtures of the command-line tests: clean environments, and a slow emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rodin_mcp.emulator import EmulatorConfig, RunningEmulator, run_emulator_in_thread
from tests.cli.helpers import clean_environment


@pytest.fixture
def sandbox_env(tmp_path: Path) -> dict[str, str]:
    """No key at all; sandbox jobs run 1000x faster than real time."""
    return clean_environment(tmp_path, RODIN_SANDBOX_SPEED="1000")


@pytest.fixture
def api_env(tmp_path: Path, emulator: RunningEmulator, sentinel_api_key: str) -> dict[str, str]:
    """Aimed at the fast `emulator` fixture on a loopback port, with its key."""
    return clean_environment(
        tmp_path, RODIN_BASE_URL=emulator.base_url, RODIN_API_KEY=sentinel_api_key
    )


@pytest.fixture
def slow_emulator(sentinel_api_key: str) -> Iterator[RunningEmulator]:
    """Real-time jobs: a Regular task stays unfinished for about a minute."""
    config = EmulatorConfig(api_key=sentinel_api_key, speed=1.0, starting_balance=100.0)
    with run_emulator_in_thread(config) as running:
        yield running


@pytest.fixture
def slow_api_env(
    tmp_path: Path, slow_emulator: RunningEmulator, sentinel_api_key: str
) -> dict[str, str]:
    """Aimed at the slow emulator."""
    return clean_environment(
        tmp_path, RODIN_BASE_URL=slow_emulator.base_url, RODIN_API_KEY=sentinel_api_key
    )
