"""Building the MCP server: instructions, lifespan, tools, resources and the viewer (if built)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

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

__all__ = ["build_server"]


def build_server(settings: Settings | None = None) -> MCPServer:
    """The rodin-mcp MCP server, configured by ``settings`` (default: from the environment)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(server: MCPServer) -> AsyncGenerator[AppState]:
        del server
        state = AppState(settings)
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
        instructions=instructions(settings),
        website_url="https://github.com/rodin-mcp/rodin-mcp",
        lifespan=lifespan,
        log_level="WARNING",  # only when the caller configured no logging; stderr either way
        extensions=[viewer_apps(html)] if html is not None else None,
        middleware=[TasksForTasksClients(), *([AppsOnlyForAppsClients()] if html else [])],
    )
    register_tools(mcp, settings, with_viewer=html is not None)
    register_resources(mcp, with_viewer=html is not None)
    return mcp
