"""Fixtures shared by the whole test suite.

* ``anyio_backend``: async tests run on asyncio (uvicorn and the emulator need it).
* ``sentinel_api_key``: a realistic 64-character key; grep logs, errors and results for it.
* ``emulator_config`` / ``emulator``: a fast emulator (speed 1000, the sentinel key, 1000 credits)
  served on an ephemeral 127.0.0.1 port for one test.
* ``manual_clock``: a clock that moves only when told to (``EmulatorConfig(clock=...)``).
* ``settings``: :class:`~rodin_mcp.settings.Settings` aimed at the ``emulator`` with the sentinel
  key and output/data folders under ``tmp_path``.
* ``file_rules``: runs a test twice, under this platform's file rules and under Windows' rule (a
  file held open cannot be deleted or replaced; ``tests/file_rules.py``), and fails it if a file
  under ``tmp_path`` is still open at its end (a leaked descriptor).

Every test also runs without any ``RODIN_*`` variable from the caller's environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from rodin_mcp.emulator import EmulatorConfig, ManualClock, RunningEmulator, run_emulator_in_thread
from rodin_mcp.settings import Settings
from tests.file_rules import WindowsFileRules, open_files_under

# The Rodin client fixtures (rodin_settings, http, rodin, sleeper, ...) of the client and
# downloader tests.
pytest_plugins = ["tests.api.fixtures"]

SENTINEL_API_KEY = "SeNtInEl0rodinMcpTestKey0123456789abcdefghijKLMNOPQRSTuvwxyz0123"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _without_rodin_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("RODIN_"):
            monkeypatch.delenv(name)


@pytest.fixture(params=["native", "windows"], ids=["native-file-rules", "windows-file-rules"])
def file_rules(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WindowsFileRules | None]:
    """None under this platform's own rules; the installed Windows rule otherwise."""
    rules = WindowsFileRules() if request.param == "windows" else None
    if rules is not None:
        rules.install()
    try:
        yield rules
    finally:
        if rules is not None:
            rules.uninstall()
    assert open_files_under(tmp_path) == []


@pytest.fixture
def sentinel_api_key() -> str:
    return SENTINEL_API_KEY


@pytest.fixture
def emulator_config(sentinel_api_key: str) -> EmulatorConfig:
    return EmulatorConfig(api_key=sentinel_api_key, speed=1000.0, starting_balance=1000.0)


@pytest.fixture
def emulator(emulator_config: EmulatorConfig) -> Iterator[RunningEmulator]:
    with run_emulator_in_thread(emulator_config) as running:
        yield running


@pytest.fixture
def manual_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings(tmp_path: Path, emulator: RunningEmulator, sentinel_api_key: str) -> Settings:
    return Settings(
        api_key=SecretStr(sentinel_api_key),
        base_url=emulator.base_url,
        output_dir=tmp_path / "output",
        data_dir=tmp_path / "data",
    )
