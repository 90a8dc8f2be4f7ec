"""HTTP answers the emulator sends, including the deliberately broken ones.

Besides plain JSON this module makes the answers a fault plan asks for: bodies cut short after
their headers promised more (the connection then closes), unparseable JSON, gateway pages and
storage-style XML errors.
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

import anyio
import anyio.lowlevel
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from rodin_mcp.emulator.faults import Fault
from rodin_mcp.emulator.link import LinkPace

__all__ = [
    "BodyPause",
    "ClientGone",
    "StreamedBody",
    "UvicornCutFilter",
    "api_status_response",
    "broken_json",
    "cut_json",
    "json_answer",
    "rate_limited",
    "shutting_down",
    "storage_error",
    "storage_status_response",
    "unauthorized",
]

# Set while a response is deliberately left incomplete, so that uvicorn's "returned without
# completing response" error (expected here) can be filtered out of the logs.
_cut_on_purpose: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "rodin_emulator_cut_on_purpose", default=False
)
_INCOMPLETE_MESSAGE = "ASGI callable returned without completing response."


class UvicornCutFilter(logging.Filter):
    """Drops uvicorn's error for a response the emulator cut short on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (_cut_on_purpose.get() and record.getMessage() == _INCOMPLETE_MESSAGE)


def json_answer(
    status: int, body: Mapping[str, object], headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON answer with an exact Content-Length."""
    return JSONResponse(dict(body), status_code=status, headers=dict(headers or {}))


def unauthorized() -> Response:
    """The 401 observed live on both hosts (docs/emulator.md, "What it serves")."""
    return json_answer(401, {"error": "UNAUTHORIZED", "message": "Active API key is required."})


def shutting_down() -> Response:
    """HTTP 503 for a stalled request that the emulator's shutdown ended."""
    body = {"error": "UNKNOWN", "message": "The emulator is shutting down."}
    return json_answer(503, body, {"Connection": "close"})


def rate_limited(retry_after: float) -> Response:
    """HTTP 429 with ``Retry-After`` in whole seconds."""
    body = {"error": "TOO_MANY_REQUESTS", "message": "Too many requests; slow down."}
    return json_answer(429, body, {"Retry-After": _seconds(retry_after)})


class ClientGone(Response):
    """Nothing to send: the client left during a stall."""

    def __init__(self) -> None:
        super().__init__(status_code=499)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        return None


@dataclass(frozen=True)
class BodyPause:
    """Hold a streamed body after ``at`` bytes for as long as ``wait`` takes (a stalled link)."""

    at: int
    wait: Callable[[], Awaitable[None]]


class StreamedBody(Response):
    """A body streamed in chunks under a declared Content-Length, optionally cut short or held.

    With ``cut_at`` the status and headers go out promising ``length`` bytes, then only
    ``cut_at`` bytes follow and the connection closes: what a client sees when a connection
    drops mid-body. With ``pause`` the body stops after ``pause.at`` bytes until ``pause.wait``
    returns, then goes on. With ``pace`` the answer is delayed and paced as its link would.
    """

    def __init__(
        self,
        status: int,
        content_type: str,
        length: int,
        chunks: Iterable[bytes],
        *,
        cut_at: int | None = None,
        pause: BodyPause | None = None,
        pace: LinkPace | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status)
        self._pause = pause
        self._pace = pace
        self._content_type = content_type
        self._length = length
        self._chunks = chunks
        self._cut_at = None if cut_at is None else max(0, min(cut_at, length - 1))
        self._extra_headers = dict(headers or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [
            (b"content-type", self._content_type.encode("latin-1")),
            (b"content-length", str(self._length).encode("latin-1")),
            *(
                (k.lower().encode("latin-1"), v.encode("latin-1"))
                for k, v in self._extra_headers.items()
            ),
        ]
        if self._pace is not None:
            await self._pace.first_byte()
        await send({"type": "http.response.start", "status": self.status_code, "headers": headers})
        if scope.get("method") == "HEAD":
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        complete = False
        async with anyio.create_task_group() as watchers:
            watchers.start_soon(_cancel_on_disconnect, receive, watchers.cancel_scope)
            complete = await self._send_chunks(send)
            watchers.cancel_scope.cancel()
        if complete:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        else:
            _cut_on_purpose.set(True)

    async def _send_chunks(self, send: Send) -> bool:
        sent = 0
        pause = self._pause
        for whole in self._chunks:
            chunk = whole
            if pause is not None and sent + len(chunk) >= pause.at:
                head, chunk = chunk[: pause.at - sent], chunk[pause.at - sent :]
                if head:
                    await send({"type": "http.response.body", "body": head, "more_body": True})
                    sent += len(head)
                await pause.wait()
                pause = None
            # uvicorn's send() need not suspend, so yield here: this lets a disconnect cancel the
            # stream and keeps other requests served while a large body goes out.
            await anyio.lowlevel.checkpoint()
            if self._cut_at is not None and sent + len(chunk) >= self._cut_at:
                piece = chunk[: self._cut_at - sent]
                if piece:
                    await send({"type": "http.response.body", "body": piece, "more_body": True})
                return False
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            sent += len(chunk)
            if self._pace is not None:
                await self._pace.sent(sent)
        return self._cut_at is None


async def _cancel_on_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()


def _encode(body: Mapping[str, object]) -> bytes:
    return json.dumps(dict(body), ensure_ascii=False, separators=(",", ":")).encode()


def cut_json(status: int, body: Mapping[str, object], cut_at: int | None) -> Response:
    """A JSON answer whose connection drops after ``cut_at`` bytes (default: half the body)."""
    data = _encode(body)
    keep = len(data) // 2 if cut_at is None else cut_at
    return StreamedBody(status, "application/json", len(data), [data], cut_at=keep)


def broken_json(status: int, body: Mapping[str, object]) -> Response:
    """A complete 2xx answer whose JSON body is cut in half, so it does not parse."""
    data = _encode(body)
    return Response(
        data[: max(1, len(data) // 2)], status_code=status, media_type="application/json"
    )


_GATEWAY_PAGE = (
    "<html><head><title>{code} {phrase}</title></head><body><h1>{code} {phrase}</h1></body></html>"
)
_GATEWAY_PHRASES = {
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}
_API_STATUS_CODES = {
    400: "INVALID_REQUEST",
    401: "UNAUTHORIZED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "TOO_MANY_REQUESTS",
}


def api_status_response(fault: Fault) -> Response:
    """The answer of an HTTP-status fault on an API endpoint."""
    status = fault.http_status or 500
    headers = _retry_after_header(fault)
    if status in _GATEWAY_PHRASES:
        page = _GATEWAY_PAGE.format(code=status, phrase=_GATEWAY_PHRASES[status])
        return Response(page, status_code=status, media_type="text/html", headers=headers)
    code = _API_STATUS_CODES.get(status, "UNKNOWN")
    message = fault.message or f"HTTP {status} injected by the emulator's fault plan."
    return json_answer(status, {"error": code, "message": message}, headers)


def storage_error(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """A storage-style XML error, as signed-URL hosts answer."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
    )
    return Response(
        xml, status_code=status, media_type="application/xml", headers=dict(headers or {})
    )


_STORAGE_CODES = {403: "AccessDenied", 404: "NoSuchKey", 429: "SlowDown", 503: "SlowDown"}


def storage_status_response(fault: Fault) -> Response:
    """The answer of an HTTP-status fault on the asset route."""
    status = fault.http_status or 500
    code = _STORAGE_CODES.get(status, "InternalError")
    message = fault.message or f"HTTP {status} injected by the emulator's fault plan."
    return storage_error(status, code, message, _retry_after_header(fault))


def _retry_after_header(fault: Fault) -> dict[str, str]:
    retry_after = fault.effective_retry_after
    return {} if retry_after is None else {"Retry-After": _seconds(retry_after)}


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
