"""The spend question every paid tool asks, where the host can ask the user: one mechanism for
generate_3d, generate_texture and split_into_parts.

A paid tool declares an ``approval`` argument resolved by a resolver that calls
:func:`ask_before_spending`; the tool body calls :func:`require_approval` and then takes the
prepared submission the question kept (:data:`prepared_by_arguments`), so its input is checked
and loaded (images fetched, model files read) once.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from rodin_mcp.errors import RodinError
from rodin_mcp.server.identities import person_of_request
from rodin_mcp.server.outputs import output_of
from rodin_mcp.server.state import AppState
from rodin_mcp.server.words import tool_errors
from rodin_mcp.service import GenerateResult, PreparedSubmission, RodinService

__all__ = [
    "FORCE_NEW_PARAMETER",
    "PreparedByArguments",
    "SpendApproval",
    "arguments_key",
    "ask_before_spending",
    "prepare_once",
    "require_approval",
    "service_of",
    "submit_approved",
]

_PREPARED_KEPT = 32
_PREPARED_SECONDS = 300.0

Prepare = Callable[[RodinService], Awaitable[PreparedSubmission]]
"""Checks and loads one paid call's input through the service."""


class SpendApproval(BaseModel):
    """The user's answer to 'spend credits on this?'."""

    approve: bool = Field(description="Spend the credits on this?")


async def service_of(ctx: Context[AppState]) -> RodinService:
    """The server's service acting for the request's person; start-up errors as tool errors."""
    state = ctx.request_context.lifespan_context
    async with tool_errors():
        service = await state.service()
    person = await person_of_request(ctx.request_context.request, state.settings, service)
    return service.acting_for(person)


class PreparedByArguments:
    """Submissions the spend question prepared, kept for the tool call that follows.

    Keyed by the tool and its arguments, not the request id: on 2026-07-28 connections the client
    answers the question by calling the tool again (a new request), and the resolver runs again
    in that round. An entry is used by one tool call and lives a short while at most.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._kept: OrderedDict[str, tuple[float, PreparedSubmission]] = OrderedDict()
        self._clock = clock

    def keep(self, key: str, prepared: PreparedSubmission) -> None:
        self._kept[key] = (self._clock(), prepared)
        self._kept.move_to_end(key)
        while len(self._kept) > _PREPARED_KEPT:
            self._kept.popitem(last=False)

    def peek(self, key: str) -> PreparedSubmission | None:
        kept = self._kept.get(key)
        if kept is None or self._clock() - kept[0] > _PREPARED_SECONDS:
            self._kept.pop(key, None)
            return None
        return kept[1]

    def take(self, key: str) -> PreparedSubmission | None:
        prepared = self.peek(key)
        self._kept.pop(key, None)
        return prepared


prepared_by_arguments = PreparedByArguments()


def arguments_key(tool: str, *arguments: Any) -> str:
    """The key of one paid call's arguments (the same for the question and the call)."""
    return json.dumps([tool, *arguments], sort_keys=True, default=str)


async def prepare_once(
    service: RodinService, key: str, prepare: Prepare, *, keep: bool = False
) -> PreparedSubmission:
    """The submission the question kept for ``key``, or a freshly prepared one."""
    kept = prepared_by_arguments.peek(key) if keep else prepared_by_arguments.take(key)
    if kept is not None:
        return kept
    prepared = await prepare(service)
    if keep:
        prepared_by_arguments.keep(key, prepared)
    return prepared


async def ask_before_spending(
    ctx: Context[AppState],
    key: str,
    prepare: Prepare,
    question: Callable[[PreparedSubmission, float], str],
    *,
    force_new: bool,
) -> SpendApproval | Elicit[SpendApproval]:
    """Ask the user before spending real credits, where the client can be asked.

    Nothing is asked in the sandbox, with ``RODIN_CONFIRM_SPEND=never``, when the client cannot
    answer, or when the call would spend nothing (an identical recent task is reused, or the
    arguments are refused anyway: the tool call reports the error).
    """
    service = await service_of(ctx)
    if not service.asks_before_spending or not service.configured or not _can_elicit(ctx):
        return SpendApproval(approve=True)
    try:
        prepared = await prepare_once(service, key, prepare, keep=True)
    except RodinError:
        return SpendApproval(approve=True)
    cost = await service.spend_needed(prepared, force_new=force_new)
    if cost == 0:
        return SpendApproval(approve=True)
    return Elicit(question(prepared, cost), SpendApproval)


FORCE_NEW_PARAMETER: tuple[Any, Any] = (
    Annotated[
        bool,
        Field(
            description="Submit even when an identical request was made recently or may already "
            "have been billed. Costs credits again."
        ),
    ],
    False,
)
"""The ``force_new`` argument every paid tool takes: its type, description and default."""


async def submit_approved(
    ctx: Context[AppState],
    approval: ElicitationResult[SpendApproval],
    key: str,
    prepare: Prepare,
    what: str,
    *,
    force_new: bool,
) -> GenerateResult:
    """The paid call once the question is answered: refused unless approved, else submitted (or
    the identical recent task reused), with the submission the question prepared.

    Raises:
        ToolError: the user declined, or the service refused or failed.
    """
    require_approval(approval, key, what)
    async with tool_errors():
        service = await service_of(ctx)
        prepared = await prepare_once(service, key, prepare)
        return output_of(await service.generate(prepared, force_new=force_new))


def require_approval(approval: ElicitationResult[SpendApproval], key: str, what: str) -> None:
    """Refuse the call unless the user approved (or was not asked); forget what was kept.

    Raises:
        ToolError: the user declined or cancelled; nothing was submitted.
    """
    if isinstance(approval, AcceptedElicitation) and approval.data.approve:
        return
    prepared_by_arguments.take(key)
    raise ToolError(
        f"The user did not approve spending credits on this {what}; nothing was submitted. "
        "Ask what they would like to change."
    )


def _can_elicit(ctx: Context[AppState]) -> bool:
    caps = ctx.client_capabilities
    elicitation = caps.elicitation if caps is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)
