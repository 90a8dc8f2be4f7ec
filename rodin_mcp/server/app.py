"""Building the MCP server: instructions, lifespan, tools, resources and the viewer (if built)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio
from mcp.server import MCPServer

from rodin_mcp import __version__
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
    )
    register_tools(mcp, settings, with_viewer=html is not None, with_uploads=links is not None)
    register_resources(mcp, with_viewer=html is not None)
    return mcp
