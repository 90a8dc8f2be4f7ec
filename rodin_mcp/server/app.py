"""Building the MCP server: instructions, lifespan, tools, resources and the viewer (if built)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio
from mcp.server import MCPServer
from mcp.server.request_state import RequestStateSecurity

from rodin_mcp import __version__
from rodin_mcp.errors import ConfigError
from rodin_mcp.server.descriptions import instructions
from rodin_mcp.server.resources import register_resources
from rodin_mcp.server.state import AppState
from rodin_mcp.server.tasks import TasksForTasksClients
from rodin_mcp.server.tools import register_tools
from rodin_mcp.server.viewer import AppsOnlyForAppsClients, viewer_apps, viewer_html
from rodin_mcp.settings import Settings

if TYPE_CHECKING:
    from rodin_mcp.server.link_routes import LinkRoutes

__all__ = ["build_server"]


def build_server(settings: Settings | None = None, *, links: LinkRoutes | None = None) -> MCPServer:
    """The rodin-mcp MCP server, configured by ``settings`` (default: from the environment).

    ``links``: served over HTTP with these link routes beside it; the server then offers uploads
    (``create_upload``) and download links, which need them.
    """
    settings = settings or Settings()
    public_url = None if links is None else links.base_url

    @asynccontextmanager
    async def lifespan(server: MCPServer) -> AsyncGenerator[AppState]:
        del server
        state = AppState(settings, public_url)
        if links is not None:
            links.bind(state)
        async with anyio.create_task_group() as group:
            group.start_soon(state.keep)
            try:
                yield state
            finally:
                state.stop()

    html = viewer_html()
    mcp = MCPServer(
        "rodin-mcp",
        title="Hyper3D Rodin",
        version=__version__,
        instructions=instructions(settings, http=links is not None),
        website_url="https://github.com/rodin-mcp/rodin-mcp",
        lifespan=lifespan,
        log_level="WARNING",  # only when the caller configured no logging; stderr either way
        extensions=[viewer_apps(html)] if html is not None else None,
        middleware=[TasksForTasksClients(), *([AppsOnlyForAppsClients()] if html else [])],
        request_state_security=_request_state_security(settings),
    )
    register_tools(mcp, settings, with_viewer=html is not None, with_uploads=links is not None)
    register_resources(mcp, with_viewer=html is not None)
    return mcp


def _request_state_security(settings: Settings) -> RequestStateSecurity | None:
    """Shared keys for sealed request state (replicas), or None: the SDK's key of this process.

    Raises:
        ConfigError: a key is shorter than 32 characters.
    """
    if settings.request_state_keys is None:
        return None
    keys = [k.strip() for k in settings.request_state_keys.get_secret_value().split(",")]
    keys = [k for k in keys if k]
    if not keys or any(len(k) < 32 for k in keys):
        raise ConfigError(
            "RODIN_REQUEST_STATE_KEYS must hold one or more keys of at least 32 characters, "
            "separated by commas (the first seals, all open)."
        )
    return RequestStateSecurity(keys=keys)
