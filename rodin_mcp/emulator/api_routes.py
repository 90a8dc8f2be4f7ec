"""The Rodin API endpoints under ``/api/v2``: the three submits, status, download and balance.

The submits are ``/rodin`` (generation), ``/rodin_texture_only`` (re-texture an uploaded model,
multipart with ``image`` and ``model`` files) and ``/bang`` (split a Gen-2 generation into parts;
multipart, urlencoded or JSON, since the docs' curl sends multipart and a client sends JSON).

Every endpoint checks the Bearer token (401 otherwise), then the request-rate limit (429), reads
its body, asks the fault plan whether to spoil this request, and answers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rodin_mcp.emulator.error_codes import INVALID_REQUEST
from rodin_mcp.emulator.faults import Fault, FaultAction
from rodin_mcp.emulator.form_values import as_object
from rodin_mcp.emulator.request_log import FilePart, RequestRecord
from rodin_mcp.emulator.responses import (
    ClientGone,
    api_status_response,
    broken_json,
    cut_json,
    json_answer,
    rate_limited,
    shutting_down,
    unauthorized,
)
from rodin_mcp.emulator.state import EmulatorState, WireAnswer

__all__ = ["API_PREFIX", "RECORD_KEY", "api_routes", "current_record", "is_authorized"]

API_PREFIX = "/api/v2"
RECORD_KEY = "rodin_emulator.record"
_MAX_IMAGE_BYTES = 64 * 1024 * 1024
_MAX_FIELD_BYTES = 32 * 1024 * 1024
_MAX_FILE_PARTS = 64
_UPLOAD_NAMES = frozenset({"image", "model"})
_PLACEHOLDER = WireAnswer(201, {"message": "Submitted.", "uuid": None})

Fields = dict[str, list[str]]
Produce = Callable[[], Awaitable[WireAnswer]]


def current_record(request: Request) -> RequestRecord:
    """The request-log record the recording middleware opened for this request."""
    record = request.scope.get(RECORD_KEY)
    if isinstance(record, RequestRecord):
        return record
    return RequestRecord(time=0.0, method=request.method, path=request.url.path, endpoint="other")


def is_authorized(state: EmulatorState, request: Request) -> bool:
    """Check the Bearer token and note the result in the request log."""
    record = current_record(request)
    record.authorized = state.is_authorized(request.headers.get("authorization"))
    return record.authorized


def api_routes(state: EmulatorState) -> list[Route]:
    """The six endpoints, bound to ``state``."""

    async def rodin(request: Request) -> Response:
        if (refused := _gate(state, request)) is not None:
            return refused
        record = current_record(request)
        fields, images, oversize = await _read_submit_form(request, record)
        record.fields, record.image_parts = fields, len(images)
        fault = _take_fault(state, "rodin", record)
        texture_fails = fault is not None and fault.action is FaultAction.FAIL

        async def produce() -> WireAnswer:
            if oversize:
                limit = _MAX_IMAGE_BYTES // (1024 * 1024)
                message = f"Invalid parameter 'images': each image must be at most {limit} MiB."
                return state.refusal(INVALID_REQUEST, message)
            answer = state.submit(fields, images, texture_fails=texture_fails)
            record.task_uuid = answer.task_uuid
            return answer

        return await _answer(state, request, fault, produce, creates=True)

    async def rodin_texture_only(request: Request) -> Response:
        if (refused := _gate(state, request)) is not None:
            return refused
        record = current_record(request)
        fields, files = await _read_upload_form(request, record)
        record.fields = fields
        fault = _take_fault(state, "rodin_texture_only", record)
        texture_fails = fault is not None and fault.action is FaultAction.FAIL

        async def produce() -> WireAnswer:
            answer = await state.submit_texture(
                fields,
                files.get("image", []),
                files.get("model", []),
                texture_fails=texture_fails,
            )
            record.task_uuid = answer.task_uuid
            return answer

        return await _answer(state, request, fault, produce, creates=True)

    async def bang(request: Request) -> Response:
        if (refused := _gate(state, request)) is not None:
            return refused
        record = current_record(request)
        if _media_type(request) == "multipart/form-data":
            fields, _ = await _read_upload_form(request, record)
        else:
            read = await _read_small_body(request)
            if read is None:
                return _not_json()
            fields = read
        record.fields = fields
        fault = _take_fault(state, "bang", record)
        texture_fails = fault is not None and fault.action is FaultAction.FAIL

        async def produce() -> WireAnswer:
            answer = state.submit_split(fields, texture_fails=texture_fails)
            record.task_uuid = answer.task_uuid
            return answer

        return await _answer(state, request, fault, produce, creates=True)

    async def status(request: Request) -> Response:
        opened = await _open_json_request(state, request, "status")
        if isinstance(opened, Response):
            return opened
        fields, fault = opened

        async def produce() -> WireAnswer:
            return state.status(_first(fields, "subscription_key"))

        return await _answer(state, request, fault, produce)

    async def download(request: Request) -> Response:
        opened = await _open_json_request(state, request, "download")
        if isinstance(opened, Response):
            return opened
        fields, fault = opened
        origin = str(request.base_url).rstrip("/")

        async def produce() -> WireAnswer:
            return await state.download(_first(fields, "task_uuid"), origin)

        return await _answer(state, request, fault, produce)

    async def check_balance(request: Request) -> Response:
        if (refused := _gate(state, request)) is not None:
            return refused
        fault = _take_fault(state, "check_balance", current_record(request))

        async def produce() -> WireAnswer:
            return state.balance()

        return await _answer(state, request, fault, produce)

    return [
        Route(f"{API_PREFIX}/rodin", rodin, methods=["POST"]),
        Route(f"{API_PREFIX}/rodin_texture_only", rodin_texture_only, methods=["POST"]),
        Route(f"{API_PREFIX}/bang", bang, methods=["POST"]),
        Route(f"{API_PREFIX}/status", status, methods=["POST"]),
        Route(f"{API_PREFIX}/download", download, methods=["POST"]),
        Route(f"{API_PREFIX}/check_balance", check_balance, methods=["GET"]),
    ]


async def _open_json_request(
    state: EmulatorState, request: Request, endpoint: str
) -> tuple[Fields, Fault | None] | Response:
    """Gate a JSON endpoint, read and log its body, and take its fault (or the refusal)."""
    if (refused := _gate(state, request)) is not None:
        return refused
    fields = await _read_small_body(request)
    if fields is None:
        return _not_json()
    record = current_record(request)
    record.fields = fields
    return fields, _take_fault(state, endpoint, record)


def _gate(state: EmulatorState, request: Request) -> Response | None:
    if not is_authorized(state, request):
        return unauthorized()
    wait = state.rate_limiter.admit()
    return None if wait is None else rate_limited(wait)


def _take_fault(state: EmulatorState, endpoint: str, record: RequestRecord) -> Fault | None:
    fault = state.faults.take(endpoint)
    if fault is not None:
        record.fault = fault.spec()
    return fault


async def _answer(
    state: EmulatorState,
    request: Request,
    fault: Fault | None,
    produce: Produce,
    *,
    creates: bool = False,
) -> Response:
    """The normal answer, or the one ``fault`` asks for.

    For a submit (``creates``), the task is created before the fault spoils the answer only when
    the fault accepts submissions; read-only endpoints always compute their real answer.
    """
    if fault is None or fault.action is FaultAction.FAIL:
        return _as_json(await produce())
    accepted = fault.accepts_submission or not creates
    match fault.action:
        case FaultAction.HTTP_STATUS | FaultAction.ERROR:
            if accepted and creates:
                await produce()
            if fault.action is FaultAction.HTTP_STATUS:
                return api_status_response(fault)
            message = fault.message or f"{fault.code} injected by the emulator's fault plan."
            return json_answer(fault.http_status or 201, {"error": fault.code, "message": message})
        case FaultAction.BAD_JSON:
            answer = await produce() if accepted else _PLACEHOLDER
            status = answer.status if 200 <= answer.status < 300 else 201
            return broken_json(status, answer.body)
        case FaultAction.DROP | FaultAction.TRUNCATE:
            answer = await produce() if accepted else _PLACEHOLDER
            return cut_json(answer.status, answer.body, fault.cut_at)
        case FaultAction.STALL:
            answer = await produce() if accepted else None
            match await state.hold(fault.stall_seconds, request.receive):
                case "client_gone":
                    return ClientGone()
                case "shutting_down" if answer is None:
                    return shutting_down()
                case _:
                    return _as_json(answer or await produce())
        case FaultAction.EXPIRED:  # the plan only allows it on the asset route
            return _as_json(await produce())


def _as_json(answer: WireAnswer) -> Response:
    return json_answer(answer.status, answer.body)


def _not_json() -> Response:
    return json_answer(
        400, {"error": INVALID_REQUEST, "message": "The request body is not valid JSON."}
    )


def _first(fields: Fields, name: str) -> str | None:
    values = fields.get(name)
    return values[0] if values else None


async def _read_submit_form(
    request: Request, record: RequestRecord
) -> tuple[Fields, list[bytes], bool]:
    """Text fields, the ``images`` parts (in order) and whether any image was too large; logs
    every image sent as a file part."""
    fields: Fields = {}
    images: list[bytes] = []
    oversize = False
    async with request.form(
        max_files=_MAX_FILE_PARTS, max_fields=1000, max_part_size=_MAX_FIELD_BYTES
    ) as form:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key != "images":
                    continue
                if value.size is not None and value.size > _MAX_IMAGE_BYTES:
                    oversize = True
                    images.append(b"")
                else:
                    images.append(await value.read())
                    record.file_parts.append(_file_part(key, value, images[-1]))
            elif key == "images":
                images.append(_field_bytes(value))
            else:
                fields.setdefault(key, []).append(value)
    return fields, images, oversize


def _file_part(key: str, value: UploadFile, data: bytes) -> FilePart:
    """What the request log keeps of one file part: never its bytes."""
    sha256 = hashlib.sha256(data).hexdigest()
    return FilePart(key, value.filename, value.content_type, len(data), sha256)


def _field_bytes(value: str) -> bytes:
    """The original bytes of an ``images`` part sent without a filename.

    Starlette decodes such a part as UTF-8, falling back to Latin-1 when that fails; undo
    whichever it did (bytes that were valid UTF-8 would have been decoded as UTF-8).
    """
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    return value.encode("utf-8")


async def _read_upload_form(
    request: Request, record: RequestRecord
) -> tuple[Fields, dict[str, list[bytes]]]:
    """Text fields and file parts by name (each in arrival order); logs every file part.

    A part sent without a filename arrives as text; one named ``image`` or ``model`` still
    counts as that file (as ``/rodin`` does for ``images``).
    """
    fields: Fields = {}
    files: dict[str, list[bytes]] = {}
    async with request.form(
        max_files=_MAX_FILE_PARTS, max_fields=1000, max_part_size=_MAX_FIELD_BYTES
    ) as form:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                record.file_parts.append(_file_part(key, value, data))
                files.setdefault(key, []).append(data)
            elif key in _UPLOAD_NAMES:
                files.setdefault(key, []).append(_field_bytes(value))
            else:
                fields.setdefault(key, []).append(value)
    return fields, files


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _read_small_body(request: Request) -> Fields | None:
    """Fields of a JSON, urlencoded or multipart body; ``None`` if JSON was sent but broken."""
    media = _media_type(request)
    if media in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fields: Fields = {}
        async with request.form(max_files=_MAX_FILE_PARTS, max_fields=100) as form:
            for key, value in form.multi_items():
                if isinstance(value, str):
                    fields.setdefault(key, []).append(value)
        return fields
    body = await request.body()
    text = body.decode("utf-8", errors="replace").strip()
    if media == "application/json" or (not media and text.startswith("{")):
        try:
            parsed: object = json.loads(text or "null")
        except json.JSONDecodeError:
            return None
        return {k: [_as_text(v)] for k, v in (as_object(parsed) or {}).items()}
    return {k: list(v) for k, v in parse_qs(text).items()}


def _as_text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)
