"""A task's files as a tool result: what list_downloads answers, and what a finished generation
task settles with.

The structured result is the downloads output; the content mirrors it as JSON text, adds the
preview (the contact sheet rendered here, or else Rodin's own) as an image, and one resource link
per saved file. Over HTTP each saved file also gets a short-lived signed ``download_url`` on this
server (made afresh each time the result is given). An MCP Apps client also gets what the viewer
loads.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, cast

from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ContentBlock, ImageContent, ResourceLink, TextContent

from rodin_mcp.errors import FileNotDownloadedError
from rodin_mcp.server.link_urls import download_url
from rodin_mcp.server.outputs import output_of
from rodin_mcp.server.state import AppState
from rodin_mcp.server.viewer import viewer_of
from rodin_mcp.service import DownloadsResult, FileInfo, RodinService

__all__ = ["PREVIEW_INLINE_LIMIT", "downloads_call_result"]

PREVIEW_INLINE_LIMIT = 2 * 1024 * 1024
"""The largest preview image sent inline."""


async def downloads_call_result(
    ctx: Context[Any] | ServerRequestContext[Any, Any],
    service: RodinService,
    result: DownloadsResult,
) -> CallToolResult:
    """The tool result of a task's files."""
    public_url = _state(ctx).public_url
    if public_url is not None:
        result = await _with_download_links(result, service, public_url)
    output = output_of(result)
    content: list[ContentBlock] = [TextContent(type="text", text=output.model_dump_json())]
    preview = _preview_block(result)
    if preview is not None:
        content.append(preview)
    content += [
        ResourceLink(
            type="resource_link",
            name=f.name,
            uri=f.uri,
            size=f.size,
            mime_type=f.mime_type,
            description=f"Saved at {f.path}",
        )
        for f in result.files
    ]
    structured = output.model_dump(mode="json")
    viewer = await viewer_of(ctx, service, result.task_uuid) if result.downloaded else None
    if viewer is not None:
        structured["viewer"] = viewer.model_dump(mode="json")
    return CallToolResult(content=content, structured_content=structured)


def _state(ctx: Context[Any] | ServerRequestContext[Any, Any]) -> AppState:
    if isinstance(ctx, Context):
        return cast(AppState, ctx.request_context.lifespan_context)
    return cast(AppState, ctx.lifespan_context)


async def _with_download_links(
    result: DownloadsResult, service: RodinService, public_url: str
) -> DownloadsResult:
    files: list[FileInfo] = []
    for info in result.files:
        try:
            link = await service.download_link(result.task_uuid, info.name)
        except FileNotDownloadedError:  # listed from an older result, since recorded otherwise
            files.append(info)
            continue
        url = download_url(public_url, result.task_uuid, info.name, link.expires, link.signature)
        files.append(info.model_copy(update={"download_url": url}))
    return result.model_copy(update={"files": files})


def _preview_block(result: DownloadsResult) -> ImageContent | None:
    """The contact sheet rendered here, or else Rodin's own preview."""
    shown = result.contact_sheet_path or result.preview_path
    if shown is None:
        return None
    path = Path(shown)
    if not path.is_file() or path.stat().st_size > PREVIEW_INLINE_LIMIT:
        return None
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return ImageContent(type="image", data=data, mime_type="image/webp")
