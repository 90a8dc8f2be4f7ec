"""Downloaded files as MCP resources: ``rodin://tasks/{task_uuid}/files/{name}``, and, with the
viewer, what it loads of each model: ``rodin://tasks/{task_uuid}/views/{name}``.

A resource template has one MIME type, so there is one template per file type Rodin produces
(plus a generic fallback), all under the same URI shape. Only the caller's own files are found;
each is read by the service, checked against its recorded SHA-256, never through a symbolic link,
and at most ``RODIN_MAX_RESOURCE_BYTES`` of it (a resource travels whole in one message).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, cast

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceError

from rodin_mcp.errors import RodinError
from rodin_mcp.media_types import MEDIA_TYPES
from rodin_mcp.server.identities import person_of_request
from rodin_mcp.server.state import AppState
from rodin_mcp.server.viewer import VIEWS_TEMPLATE
from rodin_mcp.server.vocabulary import LIST_DOWNLOADS
from rodin_mcp.server.words import advice_for
from rodin_mcp.service import RodinService

__all__ = ["register_resources"]


async def _service(ctx: Context) -> RodinService:
    """The service acting for the request's person (another person's files are unknown here)."""
    state = cast(AppState, ctx.request_context.lifespan_context)
    try:
        service = await state.service()
    except RodinError as exc:
        raise ResourceError(str(exc)) from None
    person = await person_of_request(ctx.request_context.request, state.settings, service)
    return service.acting_for(person)


@asynccontextmanager
async def _resource_errors() -> AsyncGenerator[None]:
    """The service's errors as resource errors, with this face's advice."""
    try:
        yield
    except RodinError as exc:
        advice = advice_for(exc)
        raise ResourceError(f"{exc} {advice}" if advice else str(exc)) from None


async def _read_file(ctx: Context, task_uuid: str, name: str) -> bytes:
    async with _resource_errors():
        return await (await _service(ctx)).read_task_file(task_uuid, name)


async def task_view(ctx: Context, task_uuid: str, name: str) -> bytes:
    """What the 3D viewer loads of a downloaded GLB model: the file, or a lightweight copy."""
    async with _resource_errors():
        data = await (await _service(ctx)).read_view(task_uuid, name)
    if data is None:
        raise ResourceError(
            f"No downloaded GLB model {name!r} for task {task_uuid}; call {LIST_DOWNLOADS} first."
        )
    return data


def _reader(ext: str) -> Callable[[Context, str, str], Coroutine[Any, Any, bytes]]:
    async def read(ctx: Context, task_uuid: str, stem: str) -> bytes:
        return await _read_file(ctx, task_uuid, f"{stem}.{ext}")

    read.__name__ = f"task_file_{ext}"
    return read


async def task_file(ctx: Context, task_uuid: str, name: str) -> bytes:
    """Any other downloaded file of a task."""
    return await _read_file(ctx, task_uuid, name)


async def conversion_file(ctx: Context, conversion_id: str, name: str) -> bytes:
    """A file a local model's conversion wrote."""
    async with _resource_errors():
        data = await (await _service(ctx)).read_conversion_file(conversion_id, name)
    if data is None:
        raise ResourceError(f"No file {name!r} of conversion {conversion_id} is here.")
    return data


def register_resources(mcp: MCPServer, *, with_viewer: bool = False) -> None:
    """Add the downloaded-file resource templates to ``mcp`` (and the viewer's, ``with_viewer``)."""
    if with_viewer:
        mcp.resource(
            VIEWS_TEMPLATE,
            name="task_view",
            title="Model as the viewer loads it",
            description="A downloaded GLB model, or a lightweight copy of a large one.",
            mime_type=MEDIA_TYPES["glb"],
        )(task_view)
    for ext, mime in MEDIA_TYPES.items():
        mcp.resource(
            f"rodin://tasks/{{task_uuid}}/files/{{stem}}.{ext}",
            name=f"task_file_{ext}",
            title=f"Downloaded .{ext} file",
            description=f"A .{ext} file downloaded by {LIST_DOWNLOADS}.",
            mime_type=mime,
        )(_reader(ext))
    mcp.resource(
        "rodin://conversions/{conversion_id}/files/{name}",
        name="conversion_file",
        title="Converted file",
        description="A file written by converting a local model.",
        mime_type="application/octet-stream",
    )(conversion_file)
    mcp.resource(
        "rodin://tasks/{task_uuid}/files/{name}",
        name="task_file",
        title="Downloaded file",
        description=f"A file downloaded by {LIST_DOWNLOADS}.",
        mime_type="application/octet-stream",
    )(task_file)
