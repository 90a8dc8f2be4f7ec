"""Serving the emulator with uvicorn: in a background thread, or as a task of the current loop.

Both bind a loopback socket (port 0 picks a free port), wait until the server accepts requests,
and yield a :class:`RunningEmulator`. Leaving the context ends stalled requests, stops the server
and closes the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING, Any

import anyio
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from rodin_mcp.emulator.api_routes import API_PREFIX
from rodin_mcp.emulator.app import create_app, emulator_state
from rodin_mcp.emulator.config import EmulatorConfig
from rodin_mcp.emulator.faults import FaultPlan
from rodin_mcp.emulator.request_log import RequestRecord
from rodin_mcp.emulator.responses import UvicornCutFilter
from rodin_mcp.emulator.state import SYNTHETIC_TASK, EmulatorState
from rodin_mcp.emulator.tasks import TaskView

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["RunningEmulator", "run_emulator_in_thread", "serve_emulator"]

_STARTUP_TIMEOUT = 15.0
_SHUTDOWN_GRACE = 3.0
_BACKLOG = 2048

logging.getLogger("uvicorn.error").addFilter(UvicornCutFilter())


class RunningEmulator:
    """A served emulator: where it listens, and its state for tests and tools.

    Attributes:
        origin: ``http://host:port``.
        base_url: The Rodin base URL to configure a client with: ``origin + "/api/v2"``.
        app: The Starlette app being served.
    """

    def __init__(self, app: Starlette, origin: str) -> None:
        self.app = app
        self.origin = origin
        self.base_url = origin + API_PREFIX
        self._state: EmulatorState = emulator_state(app)

    @property
    def state(self) -> EmulatorState:
        """The emulator's full state (for in-process tools; tests prefer the views below)."""
        return self._state

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the request log, oldest first."""
        return self._state.requests.snapshot()

    @property
    def faults(self) -> FaultPlan:
        """The live fault plan: ``add(spec)`` and ``clear()`` take effect on the next request."""
        return self._state.faults

    @property
    def balance(self) -> float:
        """The account's credits now."""
        return self._state.account.balance

    def set_balance(self, credits: float) -> None:
        """Set the account's credits."""
        self._state.account.set_balance(credits)

    @property
    def tasks(self) -> list[TaskView]:
        """Every task with its jobs' states now, oldest first."""
        store = self._state.tasks
        return [store.view(task) for task in store.all()]

    def signed_url(self, target: str | int) -> str:
        """A fresh signed asset URL.

        Args:
            target: ``"<task uuid>/<file name>"`` for a task's file, or a size in bytes for a
                standalone synthetic file of that size (for download benchmarks).
        """
        if isinstance(target, int):
            if target < 0:
                raise ValueError("a synthetic file size is >= 0")
            task_uuid, name = SYNTHETIC_TASK, f"{target}.bin"
        else:
            task_uuid, sep, name = target.partition("/")
            if not sep or not task_uuid or not name:
                raise ValueError("target must be '<task uuid>/<file name>' or a size in bytes")
        return self._state.signer.asset_url(self.origin, task_uuid, name)

    def wait_for_stalls(self, count: int = 1, timeout: float = 30.0) -> bool:
        """Block until ``count`` requests have begun a ``stall`` fault; ``False`` on time-out.

        Blocking: from async code call it through ``anyio.to_thread.run_sync``.
        """
        return self._state.wait_for_stalls(count, timeout)

    def reset(self) -> None:
        """No tasks, no log, no faults, the starting balance."""
        self._state.reset()

    def __repr__(self) -> str:
        return f"RunningEmulator(base_url={self.base_url!r})"


class _QuietH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol without access logging, whatever the logging setup.

    Asset URLs carry their signatures in the query string, so access lines must never be written.
    (uvicorn's own ``access_log=False`` works by reconfiguring the shared ``uvicorn.access``
    logger, which would also silence other servers in the process.)
    """

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.access_log = False


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its signal handling, with a prompt exit and a short shutdown."""

    def __init__(self, config: uvicorn.Config, state: EmulatorState, on_ready: Callable[[], None]):
        super().__init__(config)
        self._state = state
        self._on_ready = on_ready
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None]:
        # The host (a test, the MCP server, the emulator command) owns the process's signals.
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        await super().startup(sockets=sockets)
        if self.started:
            self._on_ready()

    async def main_loop(self) -> None:
        wake = self._wake
        assert wake is not None
        ticks = 0
        while not await self.on_tick(ticks):
            ticks += 10  # on_tick refreshes the Date header when ticks % 10 == 0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), 1.0)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._state.release_stalls()
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_SHUTDOWN_GRACE):
                # uvicorn offers no event for "all connections closed"; poll briefly.
                while self.server_state.connections or self.server_state.tasks:  # noqa: ASYNC110
                    await asyncio.sleep(0.005)
        for task in self.server_state.tasks:
            task.cancel()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_SHUTDOWN_GRACE):
                for server in self.servers:
                    await server.wait_closed()

    def request_exit(self) -> None:
        """Ask the server to stop; callable from any thread."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(wake.set)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP (not 0) so that asyncio sets TCP_NODELAY on accepted connections;
    # without it, keep-alive requests wait ~40 ms on Nagle and delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(_BACKLOG)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _origin(sock: socket.socket, host: str) -> str:
    port = int(sock.getsockname()[1])
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _server(app: Starlette, host: str, port: int, on_ready: Callable[[], None]) -> _EmbeddedServer:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=_QuietH11Protocol,
        ws="none",
        lifespan="off",
        log_config=None,  # leave the process's logging alone
        server_header=False,
        backlog=_BACKLOG,
        timeout_keep_alive=5,
    )
    return _EmbeddedServer(config, emulator_state(app), on_ready)


@contextlib.contextmanager
def run_emulator_in_thread(
    config: EmulatorConfig, host: str = "127.0.0.1", port: int = 0
) -> Generator[RunningEmulator]:
    """Serve an emulator from a background thread for the duration of the ``with`` block.

    Example::

        with run_emulator_in_thread(EmulatorConfig(speed=1000)) as emulator:
            httpx2.get(emulator.base_url + "/check_balance", headers={...})

    Raises:
        OSError: The address cannot be bound.
        RuntimeError: The server did not start.
    """
    app = create_app(config)
    sock = _bind(host, port)
    ready = threading.Event()
    failures: list[BaseException] = []
    server = _server(app, host, port, ready.set)

    def serve() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # reported to the starting thread
            failures.append(exc)
        finally:
            ready.set()

    thread = threading.Thread(target=serve, name="rodin-emulator", daemon=True)
    try:
        thread.start()
        if not ready.wait(_STARTUP_TIMEOUT) or failures or not server.started:
            raise RuntimeError("the emulator did not start") from (
                failures[0] if failures else None
            )
        yield RunningEmulator(app, _origin(sock, host))
    finally:
        server.request_exit()
        thread.join(_STARTUP_TIMEOUT)
        sock.close()


@contextlib.asynccontextmanager
async def serve_emulator(
    config: EmulatorConfig, host: str = "127.0.0.1", port: int = 0
) -> AsyncGenerator[RunningEmulator]:
    """Serve an emulator as a task of the running (asyncio) event loop.

    Example::

        async with serve_emulator(EmulatorConfig(speed=8)) as emulator:
            ...  # point a client at emulator.base_url

    Raises:
        OSError: The address cannot be bound.
        TimeoutError: The server did not start in time.
    """
    app = create_app(config)
    sock = _bind(host, port)
    ready = anyio.Event()
    server = _server(app, host, port, ready.set)
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(server.serve, [sock])
            with anyio.fail_after(_STARTUP_TIMEOUT):
                await ready.wait()
            try:
                yield RunningEmulator(app, _origin(sock, host))
            finally:
                server.request_exit()
    finally:
        sock.close()
