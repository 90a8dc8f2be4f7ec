"""Opening the service: the ledger (a SQLite file in the data folder, or PostgreSQL with
``RODIN_DATABASE_URL``), one HTTP client, the poll loops and, in sandbox mode, the embedded
emulator on a loopback port; leftover partial files of dead processes are swept first, and
uploads past their time once it is open."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

import anyio
import httpx2
from pydantic import SecretStr

from rodin_mcp.api import RodinClient, create_http_client
from rodin_mcp.downloads import sweep_task_folders
from rodin_mcp.errors import LedgerUnavailableError
from rodin_mcp.ledger import Ledger, open_postgres_ledger, open_sqlite_ledger
from rodin_mcp.ledger.polls import PollBoard
from rodin_mcp.service.rodin_service import RodinService
from rodin_mcp.service.watching import PollSchedule
from rodin_mcp.settings import Settings

logger = logging.getLogger(__name__)

__all__ = [
    "LEDGER_FILE",
    "SANDBOX_API_KEY",
    "SANDBOX_JOURNAL",
    "SANDBOX_SCOPE",
    "open_ledger",
    "open_service",
]

SANDBOX_API_KEY = "rodin-mcp-sandbox"
SANDBOX_SCOPE = "sandbox"
LEDGER_FILE = "ledger.sqlite3"
SANDBOX_JOURNAL = "sandbox-emulator.jsonl"
REPLICA_DUTY_SECONDS = 10.0
"""How often a replica looks for runs whose replica is gone (how long such a run may wait)."""
POLL_ROWS_KEPT_SECONDS = 86_400.0


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
        ledger = await stack.enter_async_context(await open_ledger(settings))
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
        board = PollBoard(ledger, ledger.where_url) if ledger.engine == "postgresql" else None
        service = RodinService(
            settings,
            ledger=ledger,
            http=http,
            client=client,
            scope=scope,
            journal=str(settings.data_dir / SANDBOX_JOURNAL),
            task_group=task_group,
            poll_schedule=schedule,
            poll_board=board,
            clock=clock,
        )
        await service.resume_runs()  # runs a dead process was following go on here
        await service.sweep_uploads()
        if board is not None:
            task_group.start_soon(board.listen)
            task_group.start_soon(_replica_duties, service, board)
        try:
            yield service
        finally:
            task_group.cancel_scope.cancel()


async def _replica_duties(service: RodinService, board: PollBoard) -> None:
    """What a replica does by itself: take over the runs of replicas that are gone (their
    session locks released), and forget old poll rows."""
    while True:
        await anyio.sleep(REPLICA_DUTY_SECONDS)
        try:
            await service.resume_runs()
            await board.sweep(POLL_ROWS_KEPT_SECONDS)
        except LedgerUnavailableError as exc:
            logger.warning("replica duties skipped: %s", exc.reason)


async def open_ledger(settings: Settings) -> Ledger:
    """The ledger the settings name: PostgreSQL at ``database_url``, else SQLite in the data
    folder.

    Raises:
        ConfigError: the ledger cannot be opened.
        LedgerUnavailableError: the database cannot be reached.
    """
    if settings.database_url is not None:
        return await open_postgres_ledger(settings.database_url.get_secret_value())
    return await open_sqlite_ledger(settings.data_dir / LEDGER_FILE)


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
