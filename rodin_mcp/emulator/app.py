"""The emulator as one Starlette app: API routes, the asset host, admin routes, the request log."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rodin_mcp.emulator.admin_routes import admin_routes
from rodin_mcp.emulator.api_routes import RECORD_KEY, api_routes
from rodin_mcp.emulator.config import EmulatorConfig
from rodin_mcp.emulator.file_routes import file_routes
from rodin_mcp.emulator.request_log import RequestRecord, endpoint_of
from rodin_mcp.emulator.responses import ClientGone
from rodin_mcp.emulator.state import EmulatorState

__all__ = ["create_app", "emulator_state"]


def create_app(config: EmulatorConfig) -> Starlette:
    """Build an emulator app; its state is reachable with :func:`emulator_state`.

    The app can be served by uvicorn (see :mod:`rodin_mcp.emulator.runner`) or driven in process
    through ``httpx2.ASGITransport`` (which buffers bodies, so cut and stalled answers need the
    real server).
    """
    state = EmulatorState(config)
    routes: list[BaseRoute] = [*api_routes(state), *file_routes(state)]
    if config.admin:
        routes.extend(admin_routes(state))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RequestRecorder, state=state)],
        exception_handlers={ClientDisconnect: _client_left},
    )
    app.state.emulator = state
    return app


async def _client_left(request: Request, exc: Exception) -> Response:
    """A client that left while its body was being read gets nothing (and no traceback)."""
    return ClientGone()


def emulator_state(app: Starlette) -> EmulatorState:
    """The state behind an app made by :func:`create_app`."""
    state = app.state.emulator
    if not isinstance(state, EmulatorState):
        raise TypeError("this app was not made by rodin_mcp.emulator.create_app")
    return state


class RequestRecorder:
    """ASGI middleware that opens a request-log record per request and notes the status sent."""

    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        self._app = app
        self._state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        path = str(scope["path"])
        record = RequestRecord(
            time=self._state.config.clock(),
            method=str(scope["method"]),
            path=path,
            endpoint=endpoint_of(path),
            content_type=_media_type(scope),
        )
        scope[RECORD_KEY] = record
        self._state.requests.append(record)

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = int(message["status"])
            await send(message)

        await self._app(scope, receive, send_and_note)


def _media_type(scope: Scope) -> str | None:
    headers: list[tuple[bytes, bytes]] = scope.get("headers") or []
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower() or None
    return None
