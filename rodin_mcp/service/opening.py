"""Opening the service: the ledger, one HTTP client, the poll loops and, in sandbox mode, the
embedded emulator on a loopback port; leftover partial files of dead processes are swept first,
and uploads past their time once it is open."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

import anyio
import httpx2
from pydantic import SecretStr

from rodin_mcp.api import RodinClient, create_http_client
from rodin_mcp.downloads import sweep_task_folders
from rodin_mcp.ledger import Ledger
from rodin_mcp.service.rodin_service import RodinService
from rodin_mcp.service.watching import PollSchedule
from rodin_mcp.settings import Settings

__all__ = ["LEDGER_FILE", "SANDBOX_API_KEY", "SANDBOX_JOURNAL", "SANDBOX_SCOPE", "open_service"]

SANDBOX_API_KEY = "rodin-mcp-sandbox"
SANDBOX_SCOPE = "sandbox"
LEDGER_FILE = "ledger.sqlite3"
SANDBOX_JOURNAL = "sandbox-emulator.jsonl"


@asynccontextmanager
async def open_service(
    settings: Settings, *, clock: Callable[[], float] = time.time
) -> AsyncGenerator[RodinService]:
    """Open the ledger, the HTTP client and (in sandbox mode) the embedded emulator; ``clock``
    is the wall clock the service's rules read (a test may move it by hand).

    With neither an API key nor sandbox mode the service still opens; every call that needs
    Rodin then raises :class:`~rodin_mcp.errors.NotConfiguredError`.
    """
    async with AsyncExitStack() as stack:
        ledger = stack.enter_context(Ledger(settings.data_dir / LEDGER_FILE))
        # Partial files left by a crashed process (ours hold a lock while they are written).
        await anyio.to_thread.run_sync(sweep_task_folders, settings.output_dir)
        http = await stack.enter_async_context(create_http_client(settings))
        schedule = PollSchedule(settings.poll_initial, settings.poll_factor, settings.poll_max)
        client: RodinClient | None = None
        scope = settings.base_url
        if settings.sandbox:
            client = await _start_sandbox(stack, settings, http)
            scope = SANDBOX_SCOPE
            speed = settings.sandbox_speed
            schedule = PollSchedule(
                schedule.initial / speed, schedule.factor, schedule.maximum / speed
            )
        elif settings.has_key():
            client = RodinClient(http, settings=settings)
        task_group = await stack.enter_async_context(anyio.create_task_group())
        service = RodinService(
            settings,
            ledger=ledger,
            http=http,
            client=client,
            scope=scope,
            journal=str(settings.data_dir / SANDBOX_JOURNAL),
            task_group=task_group,
            poll_schedule=schedule,
            clock=clock,
        )
        service.resume_runs()  # runs a dead process was following go on here
        await anyio.to_thread.run_sync(service.sweep_uploads)
        try:
            yield service
        finally:
            task_group.cancel_scope.cancel()


async def _start_sandbox(
    stack: AsyncExitStack, settings: Settings, http: httpx2.AsyncClient
) -> RodinClient:
    from rodin_mcp.emulator import EmulatorConfig, serve_emulator

    config = EmulatorConfig(
        api_key=SANDBOX_API_KEY,
        speed=settings.sandbox_speed,
        journal=settings.data_dir / SANDBOX_JOURNAL,
    )
    running = await stack.enter_async_context(serve_emulator(config))
    return RodinClient(
        http,
        settings=settings,
        base_url=running.base_url,
        api_key=SecretStr(SANDBOX_API_KEY),
    )
