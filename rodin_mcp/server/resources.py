"""Downloaded files as MCP resources: ``rodin://tasks/{task_uuid}/files/{name}``.

A resource template has one MIME type, so there is one template per file type Rodin produces
(plus a generic fallback), all under the same URI shape.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, cast

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError

from rodin_mcp.errors import RodinError
from rodin_mcp.media_types import MEDIA_TYPES
from rodin_mcp.server.state import AppState
from rodin_mcp.server.vocabulary import LIST_DOWNLOADS

__all__ = ["register_resources"]

MAX_RESOURCE_BYTES = 256 * 1024 * 1024


async def _read_file(ctx: Context, task_uuid: str, name: str) -> bytes:
    state = cast(AppState, ctx.request_context.lifespan_context)
    try:
        service = await state.service()
    except RodinError as exc:
        raise ResourceError(str(exc)) from None
    found = service.task_file(task_uuid, name)
    if found is None:
        raise ResourceError(
            f"No downloaded file {name!r} for task {task_uuid}; call {LIST_DOWNLOADS} first."
        )
    path = found.path
    size = path.stat().st_size
    if size > MAX_RESOURCE_BYTES:
        raise ResourceError(f"{name} is {size} bytes, too large to send; open it at {path}.")
    return await anyio.Path(path).read_bytes()


def _reader(ext: str) -> Callable[[Context, str, str], Coroutine[Any, Any, bytes]]:
    async def read(ctx: Context, task_uuid: str, stem: str) -> bytes:
        return await _read_file(ctx, task_uuid, f"{stem}.{ext}")

    read.__name__ = f"task_file_{ext}"
    return read


async def task_file(ctx: Context, task_uuid: str, name: str) -> bytes:
    """Any other downloaded file of a task."""
    return await _read_file(ctx, task_uuid, name)


def register_resources(mcp: MCPServer) -> None:
    """Add the downloaded-file resource templates to ``mcp``."""
    for ext, mime in MEDIA_TYPES.items():
        mcp.resource(
            f"rodin://tasks/{{task_uuid}}/files/{{stem}}.{ext}",
            name=f"task_file_{ext}",
            title=f"Downloaded .{ext} file",
            description=f"A .{ext} file downloaded by {LIST_DOWNLOADS}.",
            mime_type=mime,
        )(_reader(ext))
    mcp.resource(
        "rodin://tasks/{task_uuid}/files/{name}",
        name="task_file",
        title="Downloaded file",
        description=f"A file downloaded by {LIST_DOWNLOADS}.",
        mime_type="application/octet-stream",
    )(task_file)
