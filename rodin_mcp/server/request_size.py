"""The Streamable HTTP transport's limit on one request, and its refusal in this face's words.

The MCP SDK refuses a request body over ``DEFAULT_MAX_REQUEST_BODY_SIZE`` (4 MiB) with a bare
``413 Request body too large``, which clients report as a generic "Server returned an error
response". A ``data:`` URI travels inside the ``tools/call`` request, and base64 makes 4
characters of every 3 bytes, so over HTTP an inline image must stay under about three quarters
of the limit. :class:`OversizedRequestWords` turns the SDK's 413 into a JSON-RPC error that says
so and what to do instead (clients surface a JSON-RPC error body's message).
"""

from __future__ import annotations

import json

from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE
from mcp.types import INVALID_REQUEST
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rodin_mcp.server.vocabulary import CREATE_UPLOAD

__all__ = ["DATA_URI_IMAGE_BYTES", "MAX_REQUEST_BYTES", "OversizedRequestWords", "data_uri_limit"]

MAX_REQUEST_BYTES: int = DEFAULT_MAX_REQUEST_BODY_SIZE
"""The largest request body the HTTP transport reads (the SDK's default, which we keep)."""
DATA_URI_IMAGE_BYTES = MAX_REQUEST_BYTES * 3 // 4
"""About the largest image a ``data:`` URI carries within one request (less its envelope)."""
_MIB = 1024 * 1024


def data_uri_limit() -> str:
    """The limit on inline images over HTTP, in words."""
    return (
        f"over HTTP a request is at most {MAX_REQUEST_BYTES / _MIB:g} MiB, so an image in a "
        f"data: URI must stay under about {DATA_URI_IMAGE_BYTES / _MIB:g} MiB (base64 adds a "
        f"third); send larger ones with {CREATE_UPLOAD}"
    )


_REFUSAL = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": None,
        "error": {
            "code": INVALID_REQUEST,
            "message": (
                f"This request is larger than the {MAX_REQUEST_BYTES / _MIB:g} MiB this HTTP "
                "server reads in one message, so it was not read. An image in a data: URI "
                f"travels inside the request: {data_uri_limit()} (one PUT of the file), then "
                "pass the upload:// URI it gives instead."
            ),
        },
    }
).encode()


class OversizedRequestWords:
    """Answers the SDK's 413 to an oversized request with a JSON-RPC error in words."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        replaced = False

        async def reworded(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] == 413:
                replaced = True
                headers = [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(_REFUSAL)).encode("ascii")),
                ]
                await send({"type": "http.response.start", "status": 413, "headers": headers})
                await send({"type": "http.response.body", "body": _REFUSAL})
            elif not replaced:
                await send(message)

        await self._app(scope, receive, reworded)
