"""``convert_model``: a model converted here for free, with its facts, its contact sheet and,
for an MCP Apps client, the viewer on a GLB result."""

from __future__ import annotations

import base64
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ContentBlock, ImageContent, TextContent
from pydantic import Field

from rodin_mcp.server.spend_approval import service_of
from rodin_mcp.server.state import AppState
from rodin_mcp.server.viewer import ViewerPayload, client_wants_viewer, viewer_of
from rodin_mcp.server.vocabulary import CREATE_UPLOAD, LIST_DOWNLOADS
from rodin_mcp.server.words import tool_errors
from rodin_mcp.service import (
    PRESETS,
    Along,
    ConvertResult,
    Origin,
    PresetName,
    TargetFormat,
    Unit,
    UpAxis,
    ViewerFile,
)

__all__ = ["convert_model"]


async def convert_model(
    ctx: Context[AppState],
    model: Annotated[
        str,
        Field(
            description="The model to convert: an absolute path or file:// URI of a GLB, OBJ, "
            "STL or USDZ file on this computer, or the rodin://tasks/{task_uuid}/files/{name} URI "
            f"of a file {LIST_DOWNLOADS} saved (or an earlier conversion wrote), or an "
            f"upload:// URI from {CREATE_UPLOAD} (where it is listed)."
        ),
    ],
    format: Annotated[
        TargetFormat | None,
        Field(description="The format to write; a preset chooses one when left out."),
    ] = None,
    preset: Annotated[
        PresetName | None,
        Field(
            description="Defaults for a destination (explicit arguments win): "
            + "; ".join(f"{p.name}: {p.why}" for p in PRESETS.values())
            + "."
        ),
    ] = None,
    size: Annotated[
        float | None,
        Field(gt=0, description="Scale the model so its height (or longest side) is this long."),
    ] = None,
    unit: Annotated[
        Unit | None,
        Field(
            description="Unit of size, and of the file's coordinates where the format has one "
            "(3MF and USDZ record it; GLB is always metres; STL and OBJ state none). Default: "
            "mm for STL and 3MF, cm for USDZ, m otherwise."
        ),
    ] = None,
    along: Annotated[
        Along | None, Field(description="Which extent size measures (default height).")
    ] = None,
    up_axis: Annotated[
        UpAxis | None,
        Field(description="The axis that points up in the file (GLB is always y, 3MF always z)."),
    ] = None,
    origin: Annotated[
        Origin | None,
        Field(
            description="bottom: the origin at the bottom centre, standing on the ground; "
            "center: at the bounding box's centre. Default: as the source has it."
        ),
    ] = None,
    max_triangles: Annotated[
        int | None,
        Field(ge=4, description="Simplify to at most this many triangles (UVs kept)."),
    ] = None,
    max_texture_size: Annotated[
        int | None,
        Field(
            ge=1, le=16384, description="Scale textures down to at most this many pixels a side."
        ),
    ] = None,
    repair: Annotated[
        bool | None,
        Field(description="For stl and 3mf: close the mesh into a solid where possible."),
    ] = None,
) -> CallToolResult:
    """Convert a model file here (free); see descriptions.py for the text."""
    service = await service_of(ctx)
    options = {
        "format": format,
        "preset": preset,
        "size": size,
        "unit": unit,
        "along": along,
        "up_axis": up_axis,
        "origin": origin,
        "max_triangles": max_triangles,
        "max_texture_size": max_texture_size,
        "repair": repair,
    }
    async with tool_errors():
        result = await service.convert_model(model, options)
    content: list[ContentBlock] = [TextContent(type="text", text=result.model_dump_json())]
    if result.contact_sheet_path is not None:
        sheet = await _read(result.contact_sheet_path)
        if sheet is not None:
            data = base64.b64encode(sheet).decode("ascii")
            content.append(ImageContent(type="image", data=data, mime_type="image/webp"))
    structured = result.model_dump(mode="json")
    viewer = await _viewer(ctx, result)
    if viewer is not None:
        structured["viewer"] = viewer.model_dump(mode="json")
    return CallToolResult(content=content, structured_content=structured)


async def _read(path: str) -> bytes | None:
    import anyio

    try:
        return await anyio.Path(path).read_bytes()
    except OSError:
        return None


async def _viewer(ctx: Context[AppState], result: ConvertResult) -> ViewerPayload | None:
    """The viewer on a GLB result, for an Apps client (None for anyone else)."""
    if result.model.format != "glb" or not client_wants_viewer(ctx):
        return None
    main = result.files[0]
    if result.task_uuid is not None:
        service = await service_of(ctx)
        return await viewer_of(ctx, service, result.task_uuid, first=main.name)
    shown = ViewerFile(
        name=main.name, uri=main.uri, full_uri=main.uri, size=main.size, full_size=main.size
    )
    return ViewerPayload(task_uuid=result.conversion_id, models=[shown])
