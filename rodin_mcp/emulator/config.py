"""How an emulator instance behaves: keys, speed, money, limits, faults and its clock."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rodin_mcp.emulator.faults import FaultPlan
from rodin_mcp.emulator.link import AssetLink

__all__ = ["DEFAULT_STARTING_BALANCE", "EmulatorConfig", "ManualClock"]

DEFAULT_STARTING_BALANCE = 100.0


@dataclass(frozen=True, kw_only=True)
class EmulatorConfig:
    """Settings of one emulator instance.

    Attributes:
        api_key: The only Bearer token accepted; ``None`` accepts any non-empty token.
        speed: Job clock scale: 1000 makes a 70 s Regular job finish in 70 ms.
        starting_balance: Credits on the account when the emulator starts (or is reset).
        parallelism_limit: Tasks that may be unfinished at once before
            ``API_PARALLELISM_LIMIT_REACHED``.
        rate_limit_per_minute: API requests allowed per sliding minute before HTTP 429;
            ``None`` turns the limit off.
        url_ttl_seconds: Lifetime of a signed asset URL, in clock seconds (not scaled by speed).
        error_names: ``"new"`` (``API_INSUFFICIENT_FUNDS``...) or ``"old"``
            (``INSUFFICIENT_FUND``...).
        success_error: ``"omit"`` sends no ``error`` key on success; ``"documented"`` sends the
            documented ``"error": null`` on submit and ``"error": "OK"`` on status and download.
        faults: The fault plan, as spec text (see :mod:`rodin_mcp.emulator.faults`) or a plan
            (copied, so one config can start several emulators).
        admin: Serve the ``/_emulator/...`` admin endpoints.
        preview_job_fails: A ``preview_render`` job always ends ``Failed``, as observed live.
        synthetic_asset_bytes: If > 0, every finished task also lists ``synthetic.bin`` of this
            size: deterministic bytes streamed without holding them in memory.
        clock: Wall-clock seconds since the epoch; inject a :class:`ManualClock` to test time.
        seed: Seeds the fault plan's probabilities and the default generation seeds.
        file_cache_tasks: How many tasks keep their generated files in memory; older ones are
            regenerated (byte-identical) when asked for again.
        journal: If set, accepted tasks are appended to this file and reloaded (with their
            bills) when an emulator starts, so tasks outlive the process (sandbox mode).
        asset_link: The simulated network between the asset host and its clients (a round-trip
            delay and a per-connection rate); by default files go out at loopback speed.
    """

    api_key: str | None = field(default=None, repr=False)
    speed: float = 1.0
    starting_balance: float = DEFAULT_STARTING_BALANCE
    parallelism_limit: int = 3
    rate_limit_per_minute: int | None = None
    url_ttl_seconds: float = 600.0
    error_names: Literal["new", "old"] = "new"
    success_error: Literal["omit", "documented"] = "omit"
    faults: str | FaultPlan = ""
    admin: bool = False
    preview_job_fails: bool = False
    synthetic_asset_bytes: int = 0
    clock: Callable[[], float] = time.time
    seed: int = 0
    file_cache_tasks: int = 16
    journal: Path | None = None
    asset_link: AssetLink = field(default_factory=AssetLink)

    def __post_init__(self) -> None:
        if self.api_key is not None and not self.api_key.strip():
            raise ValueError("api_key must be None (accept any key) or a non-empty string")
        if not (math.isfinite(self.speed) and self.speed > 0):
            raise ValueError("speed must be a positive number")
        if not (math.isfinite(self.starting_balance) and self.starting_balance >= 0):
            raise ValueError("starting_balance must be a number >= 0")
        if self.parallelism_limit < 1:
            raise ValueError("parallelism_limit must be >= 1")
        if self.rate_limit_per_minute is not None and self.rate_limit_per_minute < 1:
            raise ValueError("rate_limit_per_minute must be >= 1, or None for no limit")
        if not (math.isfinite(self.url_ttl_seconds) and self.url_ttl_seconds > 0):
            raise ValueError("url_ttl_seconds must be a positive number")
        if self.file_cache_tasks < 1:
            raise ValueError("file_cache_tasks must be >= 1")
        if self.synthetic_asset_bytes < 0:
            raise ValueError("synthetic_asset_bytes must be >= 0")
        if isinstance(self.faults, str):
            FaultPlan.parse(self.faults)  # fail early on a bad spec

    def fault_plan(self) -> FaultPlan:
        """A fresh plan for one emulator instance, seeded with :attr:`seed`."""
        if isinstance(self.faults, FaultPlan):
            return self.faults.copy(seed=self.seed)
        return FaultPlan.parse(self.faults, seed=self.seed)


class ManualClock:
    """A clock that only moves when told to; pass it as ``EmulatorConfig(clock=...)``.

    Safe to advance from a test thread while the emulator reads it from its own thread.
    """

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (>= 0)."""
        if seconds < 0:
            raise ValueError("a clock only moves forward")
        with self._lock:
            self._now += seconds
