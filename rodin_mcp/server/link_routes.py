"""This HTTP server's own links, served beside ``/mcp``: uploads in, downloaded files out.

* ``PUT /links/uploads/{upload_id}?expires=...&signature=...`` takes one upload's file (the body,
  streamed to disk; ``curl -T FILE URL`` sends it) and answers its ``upload://`` URI as JSON.
* ``GET /links/files/{task_uuid}/{name}?expires=...&signature=...`` streams one downloaded file
  with its MIME type and length, after checking it against its recorded SHA-256.

The links are made by ``create_upload`` and ``list_downloads`` for the person who called them and
are authorised by their signatures alone: the bearer token is neither needed nor read, so they
are served outside it (:meth:`LinkRoutes.beside` sends every path under ``/links/`` here, and
nothing else). Only these two routes live there, so no path under it reaches ``/mcp``. A refusal
never repeats the link: its signature appears in no answer and no log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from rodin_mcp.errors import (
    ChangedFileError,
    DownloadLinkError,
    FileNotDownloadedError,
    RodinError,
    UploadRefusedError,
)
from rodin_mcp.records import UploadKind, UploadRecord
from rodin_mcp.server.link_urls import FILES_PATH, LINKS_PREFIX, UPLOADS_PATH
from rodin_mcp.server.vocabulary import (
    CREATE_UPLOAD,
    GENERATE_3D,
    GENERATE_TEXTURE,
    INSPECT_MODEL,
    LIST_DOWNLOADS,
)

if TYPE_CHECKING:
    from rodin_mcp.server.state import AppState
    from rodin_mcp.service import RodinService

__all__ = ["LinkRoutes"]

_UPLOAD_STATUS = {
    "invalid_link": 403,
    "unknown": 404,
    "expired": 410,
    "used": 410,
    "received": 409,
    "too_large": 413,
}
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


class LinkRoutes:
    """The link routes of one HTTP server, and the lifespan state they reach the service by.

    Args:
        base_url: The URL clients reach the server at; links start from it.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._state: AppState | None = None
        self._router = Router(
            routes=[
                Route(UPLOADS_PATH, self._receive_upload, methods=["PUT"]),
                Route(FILES_PATH, self._send_file, methods=["GET"]),
            ]
        )

    def bind(self, state: AppState) -> None:
        """Serve with ``state``'s service (the server's lifespan calls it)."""
        self._state = state

    def beside(self, app: ASGIApp) -> ASGIApp:
        """``app`` with every path under ``/links/`` answered by these routes instead."""
        router = self._router

        async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and str(scope.get("path", "")).startswith(LINKS_PREFIX):
                await router(scope, receive, send)
            else:
                await app(scope, receive, send)

        return dispatch

    async def _service(self) -> RodinService | Response:
        if self._state is None:
            return _answer(503, "starting", "The server is starting; try again in a moment.")
        try:
            return await self._state.service()
        except RodinError as exc:
            return _answer(503, "unavailable", str(exc))

    async def _receive_upload(self, request: Request) -> Response:
        signed = _signed(request)
        service = await self._service()
        if isinstance(service, Response):
            return service
        upload_id = str(request.path_params["upload_id"])
        try:
            if signed is None:
                raise UploadRefusedError(upload_id, "invalid_link", _INVALID_UPLOAD_LINK)
            record = await service.receive_upload(
                upload_id, *signed, request.stream(), _content_length(request)
            )
        except UploadRefusedError as exc:
            return _upload_refusal(exc)
        except ClientDisconnect:
            return Response(status_code=400)
        return JSONResponse(_received(record), status_code=201, headers=_NO_STORE)

    async def _send_file(self, request: Request) -> Response:
        signed = _signed(request)
        service = await self._service()
        if isinstance(service, Response):
            return service
        task_uuid = str(request.path_params["task_uuid"])
        name = str(request.path_params["name"])
        try:
            if signed is None:
                raise DownloadLinkError()
            opened = await service.open_download_link(task_uuid, name, *signed)
        except DownloadLinkError as exc:
            again = f" Call {LIST_DOWNLOADS} for a fresh link."
            if exc.expired:
                return _answer(410, "expired", str(exc) + again)
            return _answer(403, "invalid_link", str(exc) + again)
        except FileNotDownloadedError as exc:
            return _answer(404, "not_downloaded", f"{exc} Call {LIST_DOWNLOADS} to fetch it.")
        except ChangedFileError as exc:
            again = f" Call {LIST_DOWNLOADS} to download it afresh."
            return _answer(409, "changed", str(exc) + again)
        headers = {
            **_NO_STORE,
            "Content-Length": str(opened.size),
            "Content-Disposition": _attachment(opened.name),
            "X-Content-Type-Options": "nosniff",
        }
        return StreamingResponse(
            opened.chunks(),
            media_type=opened.mime_type,
            headers=headers,
            background=BackgroundTask(opened.close),  # closed even when nothing was streamed
        )


_INVALID_UPLOAD_LINK = (
    "This upload link is not valid: it was altered, or it is not from this server."
)


def _signed(request: Request) -> tuple[int, str] | None:
    """The link's expiry and signature, if it carries both in a readable form."""
    expires = request.query_params.get("expires", "")
    signature = request.query_params.get("signature", "")
    if not expires.isdigit() or not signature or len(expires) > 12:
        return None
    return int(expires), signature


def _content_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    return int(value) if value is not None and value.isdigit() else None


def _answer(status: int, error: str, message: str) -> Response:
    return JSONResponse({"error": error, "message": message}, status_code=status, headers=_NO_STORE)


def _upload_refusal(exc: UploadRefusedError) -> Response:
    advice = {
        "invalid_link": f" Call {CREATE_UPLOAD} for a new link.",
        "expired": f" Call {CREATE_UPLOAD} for a new link.",
        "used": f" Call {CREATE_UPLOAD} for a new link.",
    }.get(exc.reason, "")
    return _answer(_UPLOAD_STATUS.get(exc.reason, 400), exc.reason, f"{exc}{advice}")


def _received(record: UploadRecord) -> dict[str, object]:
    uri = record.uri
    until = datetime.fromtimestamp(record.expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if record.kind is UploadKind.IMAGE:
        where = f"in {GENERATE_3D}'s images or as {GENERATE_TEXTURE}'s image"
    else:
        where = f"as the model of {GENERATE_TEXTURE} or {INSPECT_MODEL}"
    return {
        "uri": uri,
        "kind": record.kind.value,
        "size": record.size,
        "sha256": record.sha256,
        "expires_at": until,
        "next_step": f"Pass {uri} {where} before {until}; it can be used once.",
    }


def _attachment(name: str) -> str:
    """A Content-Disposition naming the file (RFC 6266: an ASCII name and the UTF-8 one)."""
    plain = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
