"""Admin endpoints under ``/_emulator`` (served only with ``admin=True``; Bearer token required).

* ``GET /_emulator/requests``: the request log.
* ``GET /_emulator/faults``: the rules still armed; ``POST`` adds rules (spec text as a
  ``text/plain`` body or JSON ``{"spec": "..."}``); ``DELETE`` removes them all.
* ``GET /_emulator/account``: balance, cap and unfinished tasks; ``POST {"balance": N}`` sets it.
* ``GET /_emulator/tasks``: every task with its jobs' states now.
* ``POST /_emulator/reset``: no tasks, no log, no faults, the starting balance.
"""

from __future__ import annotations

import json
import math

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rodin_mcp.emulator.api_routes import is_authorized
from rodin_mcp.emulator.form_values import as_object
from rodin_mcp.emulator.responses import json_answer, unauthorized
from rodin_mcp.emulator.state import EmulatorState

__all__ = ["ADMIN_PREFIX", "admin_routes"]

ADMIN_PREFIX = "/_emulator"


def admin_routes(state: EmulatorState) -> list[Route]:
    """The admin endpoints, bound to ``state``."""

    def faults_body() -> dict[str, object]:
        return {"faults": [f.spec() for f in state.faults.faults]}

    def account_body() -> dict[str, object]:
        return {
            "balance": state.account.balance,
            "parallelism_limit": state.config.parallelism_limit,
            "unfinished_tasks": state.tasks.unfinished_count(),
        }

    async def requests(request: Request) -> Response:
        if not is_authorized(state, request):
            return unauthorized()
        return json_answer(200, {"requests": [r.as_dict() for r in state.requests.snapshot()]})

    async def faults(request: Request) -> Response:
        if not is_authorized(state, request):
            return unauthorized()
        if request.method == "DELETE":
            state.faults.clear()
        elif request.method == "POST":
            spec = _spec_from(await request.body(), request.headers.get("content-type", ""))
            if spec is None:
                return _bad_request('Send the spec as text, or as JSON {"spec": "..."}.')
            try:
                state.faults.add(spec)
            except ValueError as exc:
                return _bad_request(str(exc))
        return json_answer(200, faults_body())

    async def account(request: Request) -> Response:
        if not is_authorized(state, request):
            return unauthorized()
        if request.method == "POST":
            balance = _balance_from(await request.body())
            if balance is None:
                return _bad_request('Send {"balance": <number >= 0>}.')
            state.account.set_balance(balance)
        return json_answer(200, account_body())

    async def tasks(request: Request) -> Response:
        if not is_authorized(state, request):
            return unauthorized()
        views = [state.tasks.view(t).as_dict() for t in state.tasks.all()]
        return json_answer(200, {"tasks": views})

    async def reset(request: Request) -> Response:
        if not is_authorized(state, request):
            return unauthorized()
        state.reset()
        return json_answer(200, {"reset": True})

    return [
        Route(f"{ADMIN_PREFIX}/requests", requests, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route(f"{ADMIN_PREFIX}/account", account, methods=["GET", "POST"]),
        Route(f"{ADMIN_PREFIX}/tasks", tasks, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/reset", reset, methods=["POST"]),
    ]


def _bad_request(message: str) -> Response:
    return json_answer(400, {"error": "INVALID_REQUEST", "message": message})


def _spec_from(body: bytes, content_type: str) -> str | None:
    """The spec text of a ``POST /_emulator/faults`` body; ``None`` for JSON without a spec."""
    text = body.decode("utf-8", errors="replace")
    if not content_type.startswith("application/json"):
        return text
    try:
        fields = as_object(json.loads(text)) or {}
    except json.JSONDecodeError:
        return None
    spec = fields.get("spec")
    return spec if isinstance(spec, str) else None


def _balance_from(body: bytes) -> float | None:
    try:
        fields = as_object(json.loads(body)) or {}
    except json.JSONDecodeError:
        return None
    balance = fields.get("balance")
    if isinstance(balance, bool) or not isinstance(balance, int | float):
        return None
    return float(balance) if math.isfinite(balance) and balance >= 0 else None
