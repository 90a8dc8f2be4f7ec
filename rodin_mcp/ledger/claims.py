"""Claiming a paid submission: send it, reuse a task, wait for another process, or refuse.

:meth:`~rodin_mcp.ledger.Ledger.claim_submission` decides in one ``BEGIN IMMEDIATE``
transaction, so of all the processes on one data folder that ask at the same moment for an
identical request, exactly one gets :class:`Claimed`; the others see its row. The rules, in order:

1. A ``submitting`` row whose owner process is gone (it died, the machine rebooted) is marked
   ``unknown`` at once: its request may have reached Rodin and been billed.
2. An identical ``unknown`` row refuses the request (:class:`Unresolved`), unless ``force_new``;
   with ``force_new`` it becomes ``superseded``.
3. An identical request accepted within the dedupe window is reused (:class:`Reused`), unless
   ``force_new``.
4. An identical ``submitting`` row of a live owner is a request in flight (:class:`InFlight`): the
   caller waits for its answer and asks again. An owner on another host cannot be checked from
   here; its claim counts as in flight for :data:`FOREIGN_CLAIM_SECONDS`, then as unresolved.
5. Otherwise, if the person's budget covers it (:class:`SpendLimit`: what they spent and reserved
   in the rolling period, in every process), a new ``submitting`` row, owned by this process, is
   written (:class:`Claimed`); if not, :class:`~rodin_mcp.errors.BudgetExceededError`.

"Identical" is per person: one person's request never finds another person's task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rodin_mcp.records import TaskKind, TaskRecord

__all__ = [
    "FOREIGN_CLAIM_SECONDS",
    "Claim",
    "Claimed",
    "Decision",
    "InFlight",
    "Reused",
    "SpendLimit",
    "SubmissionDraft",
    "Unresolved",
]

FOREIGN_CLAIM_SECONDS = 60.0
"""How long a claim whose owner cannot be checked (another host, no owner) counts as in flight."""


@dataclass(frozen=True, kw_only=True)
class SubmissionDraft:
    """A paid submission about to be claimed: what the ledger records before it leaves."""

    fingerprint: str
    request: dict[str, Any]
    image_count: int
    prompt: str | None
    tier: str | None
    estimated_credits: float
    sandbox: bool
    scope: str
    person: str
    """The key of the person it is for (see :class:`~rodin_mcp.people.Person`)."""
    kind: TaskKind = TaskKind.GENERATION
    """What the task makes: a model, new textures for one, or a model's parts."""
    source: str | None = None
    """Where a texture or split started: a task uuid, or a local model file's SHA-256."""


@dataclass(frozen=True)
class SpendLimit:
    """A person's budget: ``credits`` over any ``period_seconds`` (rolling)."""

    credits: float
    period_seconds: float


@dataclass(frozen=True)
class Claimed:
    """The caller owns a new ``submitting`` row and may send the request."""

    record_id: int


@dataclass(frozen=True)
class Reused:
    """An identical request was accepted within the dedupe window: this is its task."""

    record: TaskRecord


@dataclass(frozen=True)
class InFlight:
    """A live process is sending the identical request right now."""

    record: TaskRecord


@dataclass(frozen=True)
class Unresolved:
    """An identical earlier submission may have been billed; its answer was never recorded."""

    record: TaskRecord


Decision = Reused | InFlight | Unresolved
"""What :meth:`~rodin_mcp.ledger.Ledger.peek_submission` can answer (``None``: it would claim)."""

Claim = Claimed | Decision
