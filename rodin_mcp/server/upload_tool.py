"""``create_upload``: a one-time link on this HTTP server to send a file to, for people whose files
are not on the server's computer.

Listed only over HTTP (the server is built with its links): over stdio the server runs on the
person's own computer, and local paths work there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from rodin_mcp.records import UploadKind
from rodin_mcp.server.link_urls import upload_url
from rodin_mcp.server.spend_approval import service_of
from rodin_mcp.server.state import AppState
from rodin_mcp.server.vocabulary import GENERATE_3D, GENERATE_TEXTURE, INSPECT_MODEL
from rodin_mcp.server.words import tool_errors

__all__ = ["UploadLink", "create_upload"]


class UploadLink(BaseModel):
    """Where to send one file, and what to pass once it is sent."""

    uri: str = Field(
        description="upload://... : what to pass as an image or a model once the file is sent."
    )
    upload_url: str = Field(
        description="Send the file here: its bytes as the body of one PUT request, with no "
        "other credential. Keep it to yourself until then; it takes one file."
    )
    method: str = Field(default="PUT", description="The HTTP method upload_url takes.")
    kind: UploadKind = Field(description="What the upload is for: image or model.")
    max_bytes: int = Field(description="The largest file upload_url takes.")
    expires_at: str = Field(
        description="When the link, and the upload, expire (UTC, ISO 8601), used or not."
    )
    next_step: str = Field(description="What to do next, in terms of these tools.")


def _uses(kind: UploadKind) -> str:
    if kind is UploadKind.IMAGE:
        return f"one of {GENERATE_3D}'s images or {GENERATE_TEXTURE}'s image"
    return f"the model of {GENERATE_TEXTURE} or {INSPECT_MODEL}"


async def create_upload(
    ctx: Context[AppState],
    kind: Annotated[
        UploadKind,
        Field(description="What the file is for: image (an input image) or model (a 3D model)."),
    ],
    name: Annotated[
        str | None,
        Field(max_length=255, description="The file's name, to show (its content is checked)."),
    ] = None,
    size: Annotated[
        int | None,
        Field(
            ge=0, description="The file's size in bytes, if known: refused at once if too large."
        ),
    ] = None,
) -> UploadLink:
    """A one-time link to send a file to, and the upload:// URI to pass once it is sent."""
    service = await service_of(ctx)
    state = ctx.request_context.lifespan_context
    assert state.public_url is not None  # the tool is listed only over HTTP
    async with tool_errors():
        ticket = await service.create_upload(kind, name=name, size=size)
    url = upload_url(state.public_url, ticket.upload_id, ticket.expires, ticket.signature)
    until = datetime.fromtimestamp(ticket.expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return UploadLink(
        uri=ticket.uri,
        upload_url=url,
        kind=kind,
        max_bytes=ticket.max_bytes,
        expires_at=until,
        next_step=(
            f"Send the file as the body of one PUT to upload_url before {until} (from a shell: "
            f"curl -T <file> '<upload_url>'); then pass {ticket.uri} as {_uses(kind)}. The "
            "upload can be used once, by you."
        ),
    )
