"""Building the MCP server: instructions, lifespan, tools and resources."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import anyio
from mcp.server import MCPServer

from rodin_mcp import __version__
from rodin_mcp.server.resources import register_resources
from rodin_mcp.server.state import AppState
from rodin_mcp.server.tools import register_tools
from rodin_mcp.settings import Settings

__all__ = ["INSTRUCTIONS", "build_server"]

INSTRUCTIONS = """\
Generate 3D models (GLB, FBX, OBJ, STL, USDZ) from text or images with Hyper3D Rodin.
Flow: generate_3d (spends credits: 0.5 per model, 1 for Gen-2.5-Extreme-High, +1 HighPack, \
+2 texture_mode extreme-high) returns a task_uuid within seconds; then call \
check_status(task_uuid, wait_seconds=45) until state is done (20 s to several minutes); then \
list_downloads(task_uuid) saves the files on the user's disk and shows a preview. \
check_status, list_downloads, check_balance and list_tasks are free. Never call generate_3d again \
just because a task is slow: an identical request is deduplicated, and list_tasks shows \
earlier tasks. Image inputs must be on the user's computer (absolute path), or a URL or data: URI.\
"""


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

    mcp = MCPServer(
        "rodin-mcp",
        title="Hyper3D Rodin",
        version=__version__,
        instructions=INSTRUCTIONS,
        website_url="https://github.com/rodin-mcp/rodin-mcp",
        lifespan=lifespan,
        log_level="WARNING",  # only when the caller configured no logging; stderr either way
    )
    register_tools(mcp)
    register_resources(mcp)
    return mcp
