"""MCP Tasks: the paid tools as durable tasks, for clients that declare Tasks support.

Two wire generations are served, each only to a client that opted in:

* **2025-11-25 Tasks** (SEP-1686, core): the server advertises ``capabilities.tasks`` and each
  paid tool's ``execution.taskSupport = "optional"``; a ``tools/call`` whose params carry
  ``task`` is answered with ``{"task": {...}}``; the client follows it with ``tasks/get``,
  ``tasks/result`` (which waits for the end), ``tasks/list`` and ``tasks/cancel``, and is sent
  ``notifications/tasks/status`` while the connection is open.
* **The Tasks extension** of the 2026-07-28 revision (SEP-2663, ``io.modelcontextprotocol/tasks``):
  a ``tools/call`` whose request ``_meta`` declares the extension is answered with
  ``resultType: "task"``; ``tasks/get`` carries the final result inline once completed;
  ``tasks/cancel`` and ``tasks/update`` complete the set.

A tasked call first runs exactly as the plain tool does (input checked, the spend question asked,
the job submitted or an identical recent one reused), so a refused call is an immediate error and
leaves no task. Then, instead of the submit answer, the client gets a task backed by a background
run of the service (:mod:`rodin_mcp.service.background_runs`): it waits for the job, downloads,
verifies and inspects its files and renders the contact sheet, and the task settles with what
list_downloads answers. The run lives in the ledger, so a restarted server answers ``tasks/get``
for it and finishes it without submitting anything again.

Everyone else (no opt-in, another protocol version) gets today's tools and results, unchanged.
"""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any, cast

import anyio
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp.types import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    MISSING_REQUIRED_CLIENT_CAPABILITY,
    CallToolResult,
    TaskStatusNotification,
    TaskStatusNotificationParams,
    TextContent,
)

from rodin_mcp.errors import RodinError, UnknownRunError
from rodin_mcp.server.download_results import downloads_call_result
from rodin_mcp.server.identities import http_tokens, person_of_request
from rodin_mcp.server.outputs import DownloadsOutput
from rodin_mcp.server.state import AppState
from rodin_mcp.server.vocabulary import (
    GENERATE_3D,
    GENERATE_TEXTURE,
    LIST_DOWNLOADS,
    LIST_TASKS,
    SPLIT_PARTS,
)
from rodin_mcp.server.words import tool_errors
from rodin_mcp.service import DownloadsResult, RodinService, RunRecord, RunState, RunWatcher
from rodin_mcp.service.timestamps import iso_utc

__all__ = [
    "EXTENSION_TASKS_VERSION",
    "LEGACY_TASKS_VERSION",
    "RELATED_TASK_META",
    "TASKED_TOOLS",
    "TASKS_EXTENSION",
    "TasksForTasksClients",
]

TASKS_EXTENSION = "io.modelcontextprotocol/tasks"
"""The 2026-07-28 Tasks extension's identifier."""

EXTENSION_TASKS_VERSION = "2026-07-28"
"""The protocol version whose Tasks are the extension."""

LEGACY_TASKS_VERSION = "2025-11-25"
"""The one handshake-era protocol version that has (core) Tasks."""

RELATED_TASK_META = "io.modelcontextprotocol/related-task"
"""The ``_meta`` key tying a 2025-11-25 ``tasks/result`` answer to its task."""

TASKED_TOOLS = frozenset({GENERATE_3D, GENERATE_TEXTURE, SPLIT_PARTS})
"""The tools that may run as tasks: the paid ones, whose work takes minutes."""

_LEGACY_CAPABILITY: dict[str, Any] = {"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}}
_PAGE = 50
_CLIENT_CAPABILITIES_META = "io.modelcontextprotocol/clientCapabilities"
_TASK_METHODS = frozenset(
    {"tasks/get", "tasks/result", "tasks/list", "tasks/cancel", "tasks/update"}
)


class TasksForTasksClients(ServerMiddleware[Any]):
    """Serves the paid tools as tasks to the clients that ask for one, in both generations.

    What is advertised follows the protocol version, since requesters declare nothing up front
    (a 2025-11-25 requester reads the server's ``capabilities.tasks``; a 2026-07-28 one probes
    ``server/discover`` before declaring the extension per request). A call becomes a task only
    when the request opts in: ``params.task`` on 2025-11-25, the extension in the request's
    client capabilities on 2026-07-28.
    """

    async def __call__(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        if ctx.request_id is None:
            return await call_next(ctx)
        method = ctx.method
        if method in _TASK_METHODS:
            return await _TaskRequests(ctx, _generation_of_task_request(ctx)).answer()
        if method == "initialize":
            listed = _served_by_token(ctx)
            return _with_legacy_capability(_as_dict(await call_next(ctx)), listed=listed)
        if method == "server/discover":
            return _with_extension(_as_dict(await call_next(ctx)))
        generation = _generation(ctx)
        if generation is None:
            return await call_next(ctx)
        if method == "tools/list":
            return _with_task_support(_as_dict(await call_next(ctx)), generation)
        if method == "tools/call" and _wants_task(ctx, generation):
            return await _call_as_task(ctx, generation, call_next)
        return await call_next(ctx)


# --- who speaks which generation --------------------------------------------------------------


def _generation(ctx: ServerRequestContext[Any, Any]) -> str | None:
    """``"legacy"`` (2025-11-25 Tasks), ``"extension"`` (2026-07-28) or None (no Tasks)."""
    if ctx.protocol_version == EXTENSION_TASKS_VERSION:
        return "extension"
    if ctx.protocol_version == LEGACY_TASKS_VERSION:
        return "legacy"
    return None


def _generation_of_task_request(ctx: ServerRequestContext[Any, Any]) -> str:
    """The generation of a ``tasks/*`` request.

    Raises:
        MCPError: -32021 for a 2026-07-28 request that does not declare the extension;
            method not found on a protocol version without Tasks.
    """
    generation = _generation(ctx)
    if generation == "extension" and not _extension_declared(ctx):
        raise MCPError(
            code=MISSING_REQUIRED_CLIENT_CAPABILITY,
            message=f"{ctx.method} needs the {TASKS_EXTENSION} extension declared in the "
            "request's client capabilities.",
            data={"requiredCapabilities": {"extensions": {TASKS_EXTENSION: {}}}},
        )
    if generation is None:
        raise MCPError(code=METHOD_NOT_FOUND, message="Method not found", data=ctx.method)
    return generation


def _extension_declared(ctx: ServerRequestContext[Any, Any]) -> bool:
    """A 2026-07-28 request whose envelope declares the Tasks extension."""
    declared = _meta_of(ctx).get(_CLIENT_CAPABILITIES_META)
    if isinstance(declared, dict):
        extensions = cast(dict[str, Any], declared).get("extensions")
        if isinstance(extensions, dict) and TASKS_EXTENSION in extensions:
            return True
    capabilities = ctx.session.client_capabilities
    extensions = capabilities.extensions if capabilities is not None else None
    return bool(extensions) and TASKS_EXTENSION in cast(dict[str, Any], extensions)


def _wants_task(ctx: ServerRequestContext[Any, Any], generation: str) -> bool:
    params = ctx.params or {}
    if params.get("name") not in TASKED_TOOLS:
        return False
    if generation == "legacy":
        return isinstance(params.get("task"), dict)
    return _extension_declared(ctx)


def _meta_of(ctx: ServerRequestContext[Any, Any]) -> dict[str, Any]:
    meta = (ctx.params or {}).get("_meta")
    return cast(dict[str, Any], meta) if isinstance(meta, dict) else {}


# --- what is advertised -----------------------------------------------------------------------


def _as_dict(result: HandlerResult) -> dict[str, Any]:
    if isinstance(result, dict):
        return result
    assert result is not None
    return cast(Any, result).model_dump(by_alias=True, exclude_none=True, mode="json")


def _with_legacy_capability(result: dict[str, Any], *, listed: bool) -> dict[str, Any]:
    """2025-11-25 ``capabilities.tasks``; ``tasks/list`` only where tasks are bound to client
    identities (HTTP with tokens), as the spec asks: elsewhere a list would show everyone's."""
    if result.get("protocolVersion") != LEGACY_TASKS_VERSION:
        return result
    capabilities = dict(cast(dict[str, Any], result.get("capabilities") or {}))
    advertised = dict(_LEGACY_CAPABILITY)
    if not listed:
        del advertised["list"]
    capabilities["tasks"] = advertised
    return {**result, "capabilities": capabilities}


def _with_extension(result: dict[str, Any]) -> dict[str, Any]:
    capabilities = dict(cast(dict[str, Any], result.get("capabilities") or {}))
    extensions = dict(cast(dict[str, Any], capabilities.get("extensions") or {}))
    extensions[TASKS_EXTENSION] = {}
    capabilities["extensions"] = extensions
    return {**result, "capabilities": capabilities}


def _with_task_support(result: dict[str, Any], generation: str) -> dict[str, Any]:
    """The paid tools as a Tasks client sees them: task-capable (2025-11-25 says so per tool),
    and settling either with the submit answer or, as a task, with the task's files."""
    tools: list[dict[str, Any]] = []
    for tool in cast(list[dict[str, Any]], result.get("tools", [])):
        if tool.get("name") in TASKED_TOOLS:
            tool = dict(tool)
            if generation == "legacy":
                tool["execution"] = {"taskSupport": "optional"}
            schema = tool.get("outputSchema")
            if isinstance(schema, dict):
                tool["outputSchema"] = _submit_or_files(cast(dict[str, Any], schema))
        tools.append(tool)
    return {**result, "tools": tools}


def _submit_or_files(submit: dict[str, Any]) -> dict[str, Any]:
    """One output schema for both answers: the submit answer, or the files a task settles with."""
    files = DownloadsOutput.model_json_schema(mode="serialization")
    defs = {**cast(dict[str, Any], files.pop("$defs", {})), **submit.get("$defs", {})}
    submit = {k: v for k, v in submit.items() if k != "$defs"}
    schema: dict[str, Any] = {"type": "object", "anyOf": [submit, files]}
    if defs:
        schema["$defs"] = defs
    return schema


# --- a call that becomes a task ---------------------------------------------------------------


async def _call_as_task(
    ctx: ServerRequestContext[Any, Any], generation: str, call_next: CallNext
) -> HandlerResult:
    """Run the tool as usual (submit, or reuse); then answer a task that follows the job."""
    params = dict(ctx.params or {})
    task_params = params.pop("task", None)
    answered = _as_dict(await call_next(replace(ctx, params=params)))
    if answered.get("isError") or answered.get("resultType") == "input_required":
        return answered  # refused before anything was submitted, or the spend question
    structured = cast(dict[str, Any], answered.get("structuredContent") or {})
    task_uuid = structured.get("task_uuid")
    if not isinstance(task_uuid, str):
        return answered
    service = await _service(ctx)
    ttl = _asked_ttl_seconds(task_params)
    run = await service.start_run(task_uuid, ttl_seconds=ttl)
    if run is None:
        return answered  # too many tasks at once: today's answer, which the client can follow
    if generation == "legacy":
        service.watch_run(run.run_id, _connection_key(ctx), _status_notifier(ctx))
        return {"task": _legacy_task(run, _poll_ms(ctx))}
    return {"resultType": "task", **_extension_task(run, _poll_ms(ctx))}


def _asked_ttl_seconds(task_params: object) -> float | None:
    """The time to live a 2025-11-25 ``params.task`` asks for (ms there), in seconds."""
    if isinstance(task_params, dict):
        ttl = cast(dict[str, Any], task_params).get("ttl")
        if isinstance(ttl, int | float) and not isinstance(ttl, bool) and ttl > 0:
            return float(ttl) / 1000
    return None


def _connection_key(ctx: ServerRequestContext[Any, Any]) -> object:
    """One key per connection: its handshake's params, one object for the connection's life."""
    return ("connection", id(ctx.session.client_params))


def _status_notifier(ctx: ServerRequestContext[Any, Any]) -> RunWatcher:
    session = ctx.session
    poll_ms = _poll_ms(ctx)

    async def notify(run: RunRecord) -> None:
        params = TaskStatusNotificationParams.model_validate(_legacy_task(run, poll_ms))
        await session.send_notification(cast(Any, TaskStatusNotification(params=params)))

    return notify


# --- tasks/* ------------------------------------------------------------------------------------


class _TaskRequests:
    """One ``tasks/*`` request, in the client's generation."""

    def __init__(self, ctx: ServerRequestContext[Any, Any], generation: str) -> None:
        self._ctx = ctx
        self._generation = generation
        self._params = dict(ctx.params or {})
        self._poll_ms = _poll_ms(ctx)

    async def answer(self) -> dict[str, Any]:
        service = await _service(self._ctx)
        match self._ctx.method:
            case "tasks/get":
                return await self._get(service)
            case "tasks/result" if self._generation == "legacy":
                return await self._result(service)
            case "tasks/list" if self._generation == "legacy":
                return await self._list(service)
            case "tasks/cancel":
                return await self._cancel(service)
            case "tasks/update" if self._generation == "extension":
                await self._run(service)
                raise MCPError(
                    code=INVALID_PARAMS,
                    message="This task never asks for input; there is nothing to update.",
                )
            case method:
                raise MCPError(code=METHOD_NOT_FOUND, message="Method not found", data=method)

    def _task_id(self) -> str:
        task_id = self._params.get("taskId")
        if not isinstance(task_id, str) or not task_id:
            raise MCPError(code=INVALID_PARAMS, message="taskId (a string) is required.")
        return task_id

    async def _run(self, service: RodinService) -> RunRecord:
        task_id = self._task_id()
        try:
            return await service.run(task_id)
        except UnknownRunError:
            shown = task_id if len(task_id) <= 64 else task_id[:64] + "..."
            raise MCPError(
                code=INVALID_PARAMS,
                message=f"Failed to retrieve task: no task {shown!r} here. It may have expired, "
                f"or another client started it; {LIST_TASKS} shows every job this server knows.",
            ) from None
        except RodinError as exc:
            raise MCPError(code=INVALID_PARAMS, message=str(exc)) from None

    async def _get(self, service: RodinService) -> dict[str, Any]:
        run = await self._run(service)
        if self._generation == "legacy":
            service.watch_run(run.run_id, _connection_key(self._ctx), _status_notifier(self._ctx))
            return _legacy_task(run, self._poll_ms)
        task = _extension_task(run, self._poll_ms)
        if run.state in (RunState.COMPLETED, RunState.FAILED):
            # The extension keeps "failed" for JSON-RPC errors: a tool that fails completes
            # with an isError result.
            task["result"] = {"resultType": "complete", **await self._final_result(service, run)}
        return {"resultType": "complete", **task}

    async def _result(self, service: RodinService) -> dict[str, Any]:
        """2025-11-25 ``tasks/result``: wait for the end, then the tool's result."""
        run = await self._run(service)
        while not run.state.is_final:
            changed = anyio.Event()

            async def wake(_: RunRecord, event: anyio.Event = changed) -> None:
                event.set()

            service.watch_run(run.run_id, ("result", self._ctx.request_id), wake)
            with anyio.move_on_after(1.0):  # also sees a run another process follows end
                await changed.wait()
            run = await self._run(service)
        result = await self._final_result(service, run)
        meta = cast(dict[str, Any], result.get("_meta") or {})
        return {**result, "_meta": {**meta, RELATED_TASK_META: {"taskId": run.run_id}}}

    async def _list(self, service: RodinService) -> dict[str, Any]:
        if not _served_by_token(self._ctx):
            raise MCPError(
                code=METHOD_NOT_FOUND,
                message="tasks/list is served only where tasks belong to client identities "
                f"(HTTP with tokens); {LIST_TASKS} shows every job this server knows.",
            )
        cursor = self._params.get("cursor")
        before = _read_cursor(cursor) if isinstance(cursor, str) else None
        runs = await service.runs(_PAGE + 1, before=before)
        page = runs[:_PAGE]
        answer: dict[str, Any] = {"tasks": [_legacy_task(run, self._poll_ms) for run in page]}
        if len(runs) > _PAGE:
            answer["nextCursor"] = _cursor(page[-1])
        return answer

    async def _cancel(self, service: RodinService) -> dict[str, Any]:
        run = await self._run(service)
        if run.state.is_final and self._generation == "extension":
            return {"resultType": "complete"}  # cancelling is cooperative: nothing left to stop
        if run.state.is_final:
            raise MCPError(
                code=INVALID_PARAMS,
                message=f"Cannot cancel task: it is already {run.state.value}.",
            )
        run = await service.cancel_run(run.run_id, _cancelled_text(run))
        if self._generation == "legacy":
            return _legacy_task(run, self._poll_ms)
        return {"resultType": "complete"}

    async def _final_result(self, service: RodinService, run: RunRecord) -> dict[str, Any]:
        if run.state is RunState.COMPLETED and run.result is not None:
            downloads = DownloadsResult.model_validate(run.result)
            call = await downloads_call_result(self._ctx, service, downloads)
        else:
            text = _failure_text(run) if run.state is RunState.FAILED else _cancelled_text(run)
            call = CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
        return call.model_dump(by_alias=True, exclude_none=True, mode="json")


# --- the task, in each generation's shape -----------------------------------------------------


def _base_task(run: RunRecord) -> dict[str, Any]:
    task: dict[str, Any] = {
        "taskId": run.run_id,
        "status": run.state.value,
        "createdAt": iso_utc(run.created_at),
        "lastUpdatedAt": iso_utc(run.updated_at),
    }
    message = _status_text(run)
    if message:
        task["statusMessage"] = message
    return task


def _legacy_task(run: RunRecord, poll_ms: int) -> dict[str, Any]:
    ttl = None if run.ttl_seconds is None else round(run.ttl_seconds * 1000)
    return {**_base_task(run), "ttl": ttl, "pollInterval": poll_ms}


def _extension_task(run: RunRecord, poll_ms: int) -> dict[str, Any]:
    ttl = None if run.ttl_seconds is None else round(run.ttl_seconds * 1000)
    task = {**_base_task(run), "ttlMs": ttl, "pollIntervalMs": poll_ms}
    if run.state is RunState.FAILED:
        task["status"] = RunState.COMPLETED.value  # with an isError result (see _get)
    return task


def _status_text(run: RunRecord) -> str | None:
    if run.state is RunState.FAILED:
        return _failure_text(run)
    if run.state is RunState.CANCELLED:
        return _cancelled_text(run)
    if run.message is None:
        return None
    return f"task_uuid={run.task_uuid}: {run.message}"


def _failure_text(run: RunRecord) -> str:
    return (
        f"{run.error or run.message or 'The run stopped.'} The job (task_uuid={run.task_uuid}) "
        f"stays in the ledger: {LIST_TASKS} shows it, and {LIST_DOWNLOADS} with "
        f"task_uuid={run.task_uuid} fetches its files if it finishes."
    )


def _cancelled_text(run: RunRecord) -> str:
    return (
        f"Stopped waiting for task_uuid={run.task_uuid} and downloading its files. Rodin has no "
        "cancel: the generation may still finish, and its credits are spent either way. "
        f"{LIST_TASKS} shows it; {LIST_DOWNLOADS} with task_uuid={run.task_uuid} fetches its "
        "files once it is done."
    )


def _cursor(run: RunRecord) -> str:
    raw = json.dumps([run.created_at, run.run_id]).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _read_cursor(cursor: str) -> tuple[float, str]:
    try:
        created_at, run_id = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        return float(created_at), str(run_id)
    except (ValueError, TypeError):
        raise MCPError(code=INVALID_PARAMS, message="Invalid cursor.") from None


# --- the rest -------------------------------------------------------------------------------------


async def _service(ctx: ServerRequestContext[Any, Any]) -> RodinService:
    """The service acting for the request's person."""
    state = cast(AppState, ctx.lifespan_context)
    try:
        async with tool_errors():
            service = await state.service()
    except ToolError as exc:
        raise MCPError(code=INTERNAL_ERROR, message=str(exc)) from None
    return service.acting_for(await person_of_request(ctx.request, state.settings, service))


def _poll_ms(ctx: ServerRequestContext[Any, Any]) -> int:
    return cast(AppState, ctx.lifespan_context).settings.task_poll_ms


def _served_by_token(ctx: ServerRequestContext[Any, Any]) -> bool:
    """Whether the request came over HTTP with tokens: tasks belong to the token's person, not
    to a local owner that every stdio window on this machine shares."""
    state = cast(AppState, ctx.lifespan_context)
    return ctx.request is not None and bool(http_tokens(state.settings))
