"""Fixtures of the emulator tests: an authenticated client, and emulators with custom configs."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

from rodin_mcp.emulator import EmulatorConfig, RunningEmulator, run_emulator_in_thread

StartEmulator = Callable[..., RunningEmulator]
MakeClient = Callable[[RunningEmulator], httpx2.Client]


@pytest.fixture
def start_emulator(emulator_config: EmulatorConfig) -> Iterator[StartEmulator]:
    """Start emulators with ``emulator_config`` changed by keyword arguments."""
    with contextlib.ExitStack() as stack:

        def start(**changes: Any) -> RunningEmulator:
            config = dataclasses.replace(emulator_config, **changes)
            return stack.enter_context(run_emulator_in_thread(config))

        yield start


@pytest.fixture
def make_client(sentinel_api_key: str) -> Iterator[MakeClient]:
    """Clients of a given emulator's API, authenticated with the sentinel key."""
    with contextlib.ExitStack() as stack:

        def make(emulator: RunningEmulator) -> httpx2.Client:
            client = httpx2.Client(
                base_url=emulator.base_url + "/",
                headers={"Authorization": f"Bearer {sentinel_api_key}"},
                timeout=10.0,
            )
            return stack.enter_context(client)

        yield make


@pytest.fixture
def client(emulator: RunningEmulator, make_client: MakeClient) -> httpx2.Client:
    """A client of the ``emulator`` fixture's API."""
    return make_client(emulator)
