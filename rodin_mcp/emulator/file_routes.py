"""The asset host: ``GET /_files/<task>/<name>?expires=...&sig=...``.

It stands in for the signed storage URLs of the real service: no Bearer token, the file streamed
in chunks with a Content-Length, and storage-style XML errors (403 ``AccessDenied`` "Request has
expired" after the URL's lifetime, 403 ``SignatureDoesNotMatch`` for a tampered URL).
"""

from __future__ import annotations

import functools

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rodin_mcp.emulator.api_routes import current_record
from rodin_mcp.emulator.faults import FaultAction
from rodin_mcp.emulator.responses import (
    BodyPause,
    ClientGone,
    StreamedBody,
    storage_error,
    storage_status_response,
)
from rodin_mcp.emulator.signing import FILES_PREFIX
from rodin_mcp.emulator.state import EmulatorState

__all__ = ["file_routes"]


def _expired() -> Response:
    return storage_error(403, "AccessDenied", "Request has expired")


def file_routes(state: EmulatorState) -> list[Route]:
    """The asset route, bound to ``state``."""

    async def asset(request: Request) -> Response:
        task_uuid = str(request.path_params["task"])
        name = str(request.path_params["name"])
        fault = state.faults.take("asset")
        if fault is not None:
            current_record(request).fault = fault.spec()
            if fault.action is FaultAction.EXPIRED:
                return _expired()
            if fault.action is FaultAction.HTTP_STATUS:
                return storage_status_response(fault)
            if fault.action is FaultAction.STALL and fault.cut_at is None:
                match await state.hold(fault.stall_seconds, request.receive):
                    case "client_gone":
                        return ClientGone()
                    case "shutting_down":
                        return storage_error(503, "ServiceUnavailable", "Shutting down.")
                    case "elapsed":
                        pass
        verdict = state.signer.check(
            task_uuid, name, request.query_params.get("expires"), request.query_params.get("sig")
        )
        if verdict == "bad_signature":
            return storage_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        if verdict == "expired":
            return _expired()
        body = await state.asset(task_uuid, name)
        if body is None:
            return storage_error(404, "NoSuchKey", "The specified key does not exist.")
        cut_at = None
        if fault is not None and fault.action in (FaultAction.DROP, FaultAction.TRUNCATE):
            cut_at = body.length // 2 if fault.cut_at is None else fault.cut_at
        pause = None
        if fault is not None and fault.action is FaultAction.STALL and fault.cut_at is not None:
            pause = BodyPause(fault.cut_at, functools.partial(state.pause, fault.stall_seconds))
        link = state.config.asset_link
        return StreamedBody(
            200,
            body.content_type,
            body.length,
            body.chunks(),
            cut_at=cut_at,
            pause=pause,
            pace=None if link.is_direct else link.pace(),
        )

    return [Route(f"{FILES_PREFIX}/{{task}}/{{name}}", asset, methods=["GET"])]
